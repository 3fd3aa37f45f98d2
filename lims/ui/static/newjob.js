// Submitting a job: the job and its items through POST /api/v1/jobs, then each item's file
// (a CAD model or QIF plan is read into proposed characteristics; a drawing is attached).
import { api, busy, formBody, noticeOnNextPage, showProblem, text } from "./lims.js";

const form = document.getElementById("new-job");
const list = document.getElementById("item-list");
const template = document.getElementById("item-template");
const MODEL_FILE = /\.(stp|step|stpz|gz|qif|xml)$/i;
const PLANNED_FROM_MODELS = ["product_qc", "inspection"];
// Refusals that only the terms box can answer: no agreement covers the work (the service
// says so for its API; the page says which box to tick).
const TERMS_FIELDS = ["accept_terms_and_confidentiality", "service"];
let counter = 0;

function renumber() {
  list.querySelectorAll(".item-entry").forEach((entry, index) => {
    entry.querySelector("[data-number]").textContent = index + 1;
  });
}

function defaultItemKind() {
  return ["calibration", "inspection"].includes(form.kind.value) ? "instrument" : "customer_product";
}

function addItem() {
  counter += 1;
  const entry = template.content.firstElementChild.cloneNode(true);
  for (const control of entry.querySelectorAll("[data-name]")) {
    control.id = `item-${counter}-${control.dataset.name}`;
  }
  for (const label of entry.querySelectorAll("label[data-for]")) {
    label.htmlFor = `item-${counter}-${label.dataset.for}`;
  }
  entry.querySelector("[data-name=kind]").value = defaultItemKind();
  entry.querySelector("[data-remove]").addEventListener("click", () => {
    if (list.children.length > 1) entry.remove();
    renumber();
  });
  list.append(entry);
  renumber();
  return entry;
}

function itemsOf() {
  return [...list.querySelectorAll(".item-entry")].map((entry) => {
    const item = {};
    for (const control of entry.querySelectorAll("[data-name]")) {
      if (control.type === "file") continue;
      const value = control.value.trim();
      if (value) item[control.dataset.name] = value;
    }
    return { item, file: entry.querySelector("[data-name=file]").files[0] };
  });
}

/** Whether ``file`` is a model the job's kind plans from: read into characteristics. */
function readsModel(job, file) {
  return PLANNED_FROM_MODELS.includes(job.kind) && MODEL_FILE.test(file.name);
}

async function sendFile(job, itemId, file) {
  const name = encodeURIComponent(file.name);
  if (readsModel(job, file)) {
    return api("POST", `/api/v1/jobs/${job.id}/items/${itemId}/models?filename=${name}`, file, { raw: true });
  }
  const role = MODEL_FILE.test(file.name) ? "cad" : "drawing";
  return api("PUT", `/api/v1/jobs/${job.id}/items/${itemId}/files?filename=${name}&role=${role}`, file, { raw: true });
}

form.kind.addEventListener("change", () => {
  for (const select of list.querySelectorAll("[data-name=kind]")) select.value = defaultItemKind();
});
document.getElementById("add-item").addEventListener("click", () => addItem().querySelector("input")?.focus());
addItem();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const alert = form.querySelector(".form-error");
  const status = document.getElementById("submit-status");
  const button = form.querySelector("button[type=submit]");
  alert.textContent = "";
  for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  let body;
  try {
    body = formBody(form);
  } catch (error) {
    alert.textContent = error.message;
    error.field?.focus();
    return;
  }
  if (!body.accept_terms_and_confidentiality) delete body.accepted_by;
  const entries = itemsOf();
  const missing = entries.findIndex(({ item }) => !item.description);
  if (missing >= 0) {
    const field = list.querySelectorAll("[data-name=description]")[missing];
    alert.textContent = `${field.labels[0].textContent.replace("*", "").trim()} ${text.required}`;
    field.focus();
    return;
  }
  body.items = entries.map(({ item }) => item);
  const release = busy(button, text.saving, { status });
  let job;
  try {
    job = await api("POST", "/api/v1/jobs", body);
  } catch (error) {
    showRefusal(alert, error);
    release();
    return;
  }
  // The job exists from here on: whatever happens to its files, the page moves on to it, so
  // that sending the form again cannot make a second job.
  try {
    const items = await api("GET", `/api/v1/jobs/${job.id}/items`);
    for (const [index, { file }] of entries.entries()) {
      if (!file) continue;
      status.textContent = readsModel(job, file)
        ? text.reading_model
        : text.uploading.replace("%(name)s", file.name);
      const upload = await sendFile(job, items[index].id, file);
      if (upload?.proposals) {
        status.textContent = text.characteristics_read.replace("%(count)s", upload.proposals.length);
      }
    }
  } catch (error) {
    const refusal = document.createElement("p");
    showProblem(refusal, error, form);
    noticeOnNextPage(
      text.file_refused.replace("%(job)s", job.number).replace("%(problem)s", refusal.textContent),
    );
  }
  window.location.assign(`/jobs/${job.id}`);
});

/** A refusal of the job; one that only the terms box answers says to tick it. */
function showRefusal(alert, error) {
  const fields = (error.problem?.errors || []).map((item) => item.field);
  if (!fields.some((field) => TERMS_FIELDS.includes(field))) {
    showProblem(alert, error);
    return;
  }
  const box = form.accept_terms_and_confidentiality;
  alert.textContent = `${text.refused_422}: ${text.tick_terms}`;
  box.setAttribute("aria-invalid", "true");
  box.focus();
}
