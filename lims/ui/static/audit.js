// The audit page: verify the hash chain through GET /api/v1/audit/verify, with progress.
import { api, showProblem } from "./lims.js";

const button = document.getElementById("verify-chain");
const result = document.getElementById("verify-result");
const progress = document.getElementById("verify-progress");
const alert = document.querySelector("#verify .form-error");

button?.addEventListener("click", async () => {
  button.disabled = true;
  progress.hidden = false;
  result.textContent = "";
  alert.textContent = "";
  try {
    const check = await api("GET", "/api/v1/audit/verify");
    result.className = check.intact ? "verdict ok" : "verdict broken";
    result.textContent = check.intact
      ? result.dataset.intact.replace("%(events)s", check.events).replace("%(head)s", check.head)
      : result.dataset.broken
          .replace("%(event)s", check.first_break.event_id)
          .replace("%(problem)s", check.first_break.problem);
  } catch (error) {
    showProblem(alert, error);
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
});
