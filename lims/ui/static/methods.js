// A new method or method version: its inputs' sources and equipment roles as rows, the model
// checked by the uncertainty engine as it is typed (POST /api/v1/methods/check, which applies
// the rules of a new method and saves nothing), then POST /api/v1/methods.
import { api, formBody, onSubmit, parseNumber, showProblem, text } from "./lims.js";
import { unitSymbol } from "./notation.js";

const form = document.getElementById("method-new");
const inputs = document.getElementById("method-inputs");
const roles = document.getElementById("method-roles");
const check = document.getElementById("model-check");
const base = JSON.parse(document.getElementById("method-base").textContent);
const CHECK_DELAY_MS = 400;
// The equipment kinds' and roles' names in the page's language, by code.
const codeWords = JSON.parse(document.getElementById("method-words").textContent);

/** A role's or kinds' codes in words below the field: "Vertailunormaali" for reference. */
function showWords(control) {
  const words = control.parentElement.querySelector("[data-words]");
  if (!words) return;
  const named = control.dataset.field === "kinds" ? codeWords.kinds : codeWords.roles;
  words.textContent = control.value
    .split(",")
    .map((code) => code.trim())
    .filter(Boolean)
    .map((code) => named[code] ?? code.replaceAll("_", " "))
    .join(", ");
}

/** The server names a row's field results[0].value; the row's control is results.0.value. */
function byRowName(error) {
  for (const item of error.problem?.errors || []) item.field = item.field.replace(/\[(\d+)\]/g, ".$1");
  return error;
}

/** Rows name their fields by their place (inputs.0.unit), so a refusal names the field. */
function renumber(container, prefix) {
  [...container.children].forEach((row, index) => {
    for (const control of row.querySelectorAll("[data-field]")) {
      control.id = `${prefix}-${index}-${control.dataset.field}`;
      if (prefix === "inputs") control.name = `inputs.${index}.${control.dataset.field}`;
    }
    for (const label of row.querySelectorAll("label[data-for]")) {
      label.htmlFor = `${prefix}-${index}-${label.dataset.for}`;
    }
  });
}

/** Only the fields of the chosen source are sent; the others are hidden and disabled. */
function showSourceFields(row) {
  const source = row.querySelector("[data-field=source]").value;
  for (const field of row.querySelectorAll("[data-source]")) {
    const shown = field.dataset.source === source;
    field.hidden = !shown;
    for (const control of field.querySelectorAll("input, select")) control.disabled = !shown;
  }
}

function addRow(container, templateId, prefix, values = {}) {
  const row = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  for (const control of row.querySelectorAll("[data-field]")) {
    const value = values[control.dataset.field];
    // A unit as the lab writes it (um reads µm; the API reads both).
    if (value !== undefined && value !== null) {
      control.value = control.dataset.field === "unit" ? unitSymbol(value) : value;
    }
    if (control.parentElement.querySelector("[data-words]")) {
      showWords(control);
      control.addEventListener("input", () => showWords(control));
    }
  }
  row.querySelector("[data-remove]").addEventListener("click", () => {
    row.remove();
    renumber(container, prefix);
    scheduleCheck();
  });
  const source = row.querySelector("[data-field=source]");
  if (source) {
    source.addEventListener("change", () => showSourceFields(row));
    showSourceFields(row);
  }
  container.append(row);
  renumber(container, prefix);
  return row;
}

/** The input rows as the API takes them; a row without a name is still being written. */
function sourcesOf() {
  return [...inputs.children]
    .map((row) => {
      const source = {};
      for (const control of row.querySelectorAll("[data-field]")) {
        const value = control.value.trim();
        if (control.disabled || value === "") continue;
        source[control.dataset.field] = control.dataset.type === "number" ? parseNumber(value) : value;
      }
      return source;
    })
    .filter((source) => source.name);
}

function rolesOf() {
  const found = {};
  for (const row of roles.children) {
    const role = row.querySelector("[data-field=role]").value.trim();
    const kinds = row.querySelector("[data-field=kinds]").value.split(",").map((kind) => kind.trim());
    if (role) found[role] = kinds.filter(Boolean);
  }
  return found;
}

let timer;
let asked = 0;
async function checkModel() {
  const model = form.model.value.trim();
  if (!model) {
    check.textContent = "";
    return;
  }
  const question = { model, output: form.output.value.trim() || "y", inputs: sourcesOf() };
  const cmc = form.cmc.value.trim();
  if (cmc) question.cmc = cmc;
  const mine = ++asked;
  check.textContent = text.checking;
  check.classList.remove("form-error");
  try {
    const answer = await api("POST", "/api/v1/methods/check", question);
    if (mine !== asked) return;
    check.textContent = text.model_ok.replace("%(names)s", answer.names.join(", "));
    form.model.removeAttribute("aria-invalid");
  } catch (error) {
    if (mine !== asked) return;
    check.classList.add("form-error");
    showProblem(check, byRowName(error), form);
  }
}

function scheduleCheck() {
  clearTimeout(timer);
  timer = setTimeout(checkModel, CHECK_DELAY_MS);
}

for (const source of base.inputs) addRow(inputs, "input-row", "inputs", source);
for (const [role, kinds] of Object.entries(base.roles)) {
  addRow(roles, "role-row", "roles", { role, kinds: kinds.join(", ") });
}
if (!inputs.children.length) addRow(inputs, "input-row", "inputs");
document.getElementById("add-input").addEventListener("click", () => {
  addRow(inputs, "input-row", "inputs").querySelector("input").focus();
});
document.getElementById("add-role").addEventListener("click", () => {
  addRow(roles, "role-row", "roles").querySelector("input").focus();
});
for (const field of [form.model, form.output, form.cmc]) field.addEventListener("input", scheduleCheck);
inputs.addEventListener("input", scheduleCheck);
inputs.addEventListener("change", scheduleCheck);
if (form.model.value.trim()) checkModel();

onSubmit(form, {
  alert: form.querySelector(":scope > .form-error"),
  build: (filled) => ({ ...formBody(filled), inputs: sourcesOf(), equipment_roles: rolesOf() }),
  send: async (body) => {
    const method = await api("POST", form.dataset.action, body);
    window.location.assign(`/methods/${method.id}`);
  },
  explain: byRowName,
});
