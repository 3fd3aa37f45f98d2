// The audit page: verify the hash chain through GET /api/v1/audit/verify, with progress.
import { api, showProblem } from "./lims.js";

const button = document.getElementById("verify-chain");
const result = document.getElementById("verify-result");
const progress = document.getElementById("verify-progress");
const alert = document.querySelector("#verify .form-error");
const checkpoints = document.getElementById("checkpoints-result");

// The chain against the signed checkpoints: events removed from its end show only here.
function showCheckpoints(points) {
  checkpoints.className = points.intact ? "verdict ok" : "verdict broken";
  if (!points.intact) {
    checkpoints.textContent = checkpoints.dataset.broken.replace(
      "%(problems)s",
      points.problems.join(" · "),
    );
  } else if (points.latest_event_id === null) {
    // Said once: the page already says so when it lists no checkpoint.
    const said = document.getElementById("no-checkpoints") !== null;
    checkpoints.className = said ? "" : checkpoints.className;
    checkpoints.textContent = said ? "" : checkpoints.dataset.none;
  } else {
    checkpoints.textContent = checkpoints.dataset.ok
      .replace("%(event)s", points.latest_event_id)
      .replace("%(at)s", points.latest_at);
  }
}

button?.addEventListener("click", async () => {
  button.disabled = true;
  progress.hidden = false;
  result.textContent = "";
  checkpoints.textContent = "";
  alert.textContent = "";
  try {
    const check = await api("GET", "/api/v1/audit/verify");
    result.className = check.intact ? "verdict ok" : "verdict broken";
    result.textContent = check.intact
      ? result.dataset.intact.replace("%(events)s", check.events).replace("%(head)s", check.head)
      : result.dataset.broken
          .replace("%(event)s", check.first_break.event_id)
          .replace("%(problem)s", check.first_break.problem);
    showCheckpoints(check.checkpoints);
  } catch (error) {
    showProblem(alert, error);
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
});
