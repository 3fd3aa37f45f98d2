// An agreement's terms form (new, a draft's edit, an amendment): the services in scope and
// the document languages are lists in the API's body, which the generic .api-form cannot
// build; the rules stay with /api/v1/agreements, whose refusal is shown as it answers.
import { api, followThen, formBody, onSubmit } from "./lims.js";

/** One scope item per ticked service: its accreditation and standard delivery time. */
function scopeOf(form) {
  return [...form.querySelectorAll("tr[data-service]")]
    .filter((row) => row.querySelector("[data-scope=include]").checked)
    .map((row) => {
      const days = row.querySelector("[data-scope=delivery_days]").value.trim();
      return {
        service: row.dataset.service,
        accredited: row.querySelector("[data-scope=accredited]").checked,
        // An empty or broken number goes as null, so the API names the field it refuses.
        delivery_days: /^\d+$/.test(days) ? Number(days) : null,
      };
    });
}

function languagesOf(form) {
  return [...form.querySelectorAll("[data-language-code]")]
    .filter((box) => box.checked)
    .map((box) => box.dataset.languageCode);
}

/** A cleared optional term is sent as null, so an amendment can remove it. */
const CLEARABLE = ["decision_rule_r", "decision_rule_text", "customer_reference_rule"];

function termsBody(form) {
  const body = formBody(form);
  for (const name of CLEARABLE) body[name] ??= null;
  return { ...body, scope: scopeOf(form), languages: languagesOf(form) };
}

for (const form of document.querySelectorAll("form.terms-form")) {
  onSubmit(form, {
    build: termsBody,
    send: async (body) => followThen(form, await api(form.dataset.method, form.dataset.action, body)),
  });
}
