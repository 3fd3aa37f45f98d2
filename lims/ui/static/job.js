// A job's page: reading a CAD model into proposed characteristics, the live uncertainty
// budget beside a result being entered, an instrument's result as found before its
// adjustment, and the parameters of a method's calibration points.
import { budgetTable, previewDecision } from "./budget.js";
import { api, busy, formatAt, formBody, formatNumber, showProblem, text } from "./lims.js";
import { formatCoverageFactor, unitSymbol } from "./notation.js";

const methods = JSON.parse(document.getElementById("method-facts")?.textContent || "{}");

// -- CAD/PMI models -------------------------------------------------------------------

export async function uploadModel(jobId, itemId, file) {
  const url = `/api/v1/jobs/${jobId}/items/${itemId}/models?filename=${encodeURIComponent(file.name)}`;
  return api("POST", url, file, { raw: true });
}

for (const form of document.querySelectorAll("form.model-upload")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".status");
    const alert = form.querySelector(".form-error");
    const file = form.querySelector("input[type=file]").files[0];
    alert.textContent = "";
    if (!file) return;
    const release = busy(form.querySelector("button[type=submit]"), text.reading_model, {
      status,
      after: 0,
    });
    form.setAttribute("aria-busy", "true");
    try {
      const upload = await uploadModel(form.dataset.job, form.dataset.item, file);
      status.textContent = text.characteristics_read.replace("%(count)s", upload.proposals.length);
      window.location.assign(`${window.location.pathname}#proposals`);
      window.location.reload();
    } catch (error) {
      release();
      showProblem(alert, error);
    } finally {
      form.removeAttribute("aria-busy");
    }
  });
}

// -- the live uncertainty budget ------------------------------------------------------

async function refreshBudget(form) {
  const panel = form.querySelector("[data-live-budget]");
  let body;
  try {
    body = formBody(form);
  } catch {
    return; // not yet complete: the budget waits for every reading and instrument
  }
  const series = Object.values(body.observations || {});
  if (!series.length || series.some((readings) => readings.length < 2)) return;
  const request = {
    on_date: body.measured_on,
    equipment: body.equipment || {},
    observations: body.observations,
    parameters: JSON.parse(form.dataset.parameters || "{}"),
  };
  panel.setAttribute("aria-busy", "true");
  try {
    const response = await api("POST", `/api/v1/methods/${form.dataset.methodId}/evaluate`, request);
    const output = response.outputs[0];
    const unit = form.dataset.resultUnit;
    const summary = document.createElement("p");
    summary.className = "live-summary";
    summary.textContent = `${text.live_result}: ${formatAt(output.value, output.standard_uncertainty)} ${unit}, U = ${formatNumber(output.expanded_uncertainty, 2)} ${unit} (k = ${formatCoverageFactor(output.coverage_factor)})`;
    const parts = [summary, budgetTable(output, unit)];
    const decision = await previewDecision(form.dataset, output).catch(() => null);
    if (decision) {
      const verdict = document.createElement("p");
      verdict.className = `badge badge-${decision.decision}`;
      verdict.textContent = `${text.decision_preview}: ${text[`decision_${decision.decision}`]}`;
      parts.push(verdict);
    }
    panel.replaceChildren(...parts);
  } catch (error) {
    const alert = document.createElement("p");
    alert.className = "form-error";
    showProblem(alert, error);
    panel.replaceChildren(alert);
  } finally {
    panel.removeAttribute("aria-busy");
  }
}

for (const form of document.querySelectorAll("form.result-form[data-method-id]")) {
  if (!form.querySelector("[data-live-budget]")) continue;
  let timer;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => refreshBudget(form), 400);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}

// -- as found, before an adjustment (B3) ---------------------------------------------

// Its fields are sent only while the box is ticked (disabled fields are left out), and it
// is measured with the same equipment as the result as left unless the lab says otherwise.
for (const toggle of document.querySelectorAll("[data-adjusted-toggle]")) {
  const fieldset = document.getElementById(toggle.getAttribute("aria-controls"));
  const fields = fieldset.querySelectorAll("input, select, textarea");
  const sameEquipment = () => {
    for (const hidden of fieldset.querySelectorAll("[data-same-as]")) {
      hidden.value = document.getElementById(hidden.dataset.sameAs)?.value ?? "";
    }
  };
  const show = () => {
    fieldset.hidden = !toggle.checked;
    for (const field of fields) field.disabled = !toggle.checked;
    sameEquipment();
  };
  toggle.form.addEventListener("change", sameEquipment);
  toggle.addEventListener("change", show);
  show();
}

// -- calibration points: the chosen method's parameters -------------------------------

for (const form of document.querySelectorAll("form.points-form")) {
  const select = form.querySelector("[data-method-select]");
  const target = form.querySelector("[data-parameter-fields]");
  const render = () => {
    const method = methods[select.value];
    target.replaceChildren();
    for (const parameter of method?.parameters || []) {
      if (parameter.name === "L") continue; // the size of each point
      const field = document.createElement("div");
      field.className = "field";
      const label = document.createElement("label");
      label.htmlFor = `pp-param-${parameter.name}`;
      label.textContent = `${parameter.name} (${unitSymbol(parameter.unit)})`;
      const input = document.createElement("input");
      input.id = label.htmlFor;
      input.name = `parameters.${parameter.name}`;
      input.dataset.type = "number";
      input.required = true;
      input.inputMode = "decimal";
      const hint = document.createElement("small");
      hint.className = "hint";
      // The method's own words for its input, in the language its author wrote them.
      hint.dataset.userText = "";
      hint.textContent = parameter.description;
      field.append(label, input, hint);
      target.append(field);
    }
  };
  select.addEventListener("change", render);
  render();
}
