// A document's page: saving the human translations of its free text. The keys name fields
// of the document (items.3.description), so they are sent as they are, not as paths.
import { api, showProblem } from "./lims.js";

for (const form of document.querySelectorAll("form.texts-form")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const alert = form.querySelector(".form-error");
    alert.textContent = "";
    const texts = {};
    for (const input of form.querySelectorAll("input[data-key]")) {
      if (input.value.trim()) texts[input.dataset.key] = input.value.trim();
    }
    form.setAttribute("aria-busy", "true");
    try {
      await api("PUT", form.dataset.action, { language: form.dataset.language, texts });
      window.location.reload();
    } catch (error) {
      showProblem(alert, error);
    } finally {
      form.removeAttribute("aria-busy");
    }
  });
}
