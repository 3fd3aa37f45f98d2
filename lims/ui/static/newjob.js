// Submitting a job: the job and its items through POST /api/v1/jobs, then each item's file
// (a CAD model or QIF plan is read into proposed characteristics; a drawing is attached).
import { api, formBody, showProblem, text } from "./lims.js";

const form = document.getElementById("new-job");
const list = document.getElementById("item-list");
const template = document.getElementById("item-template");
const MODEL_FILE = /\.(stp|step|stpz|gz|qif|xml)$/i;
const PLANNED_FROM_MODELS = ["product_qc", "inspection"];
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

async function sendFile(job, itemId, file) {
  const name = encodeURIComponent(file.name);
  if (PLANNED_FROM_MODELS.includes(job.kind) && MODEL_FILE.test(file.name)) {
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
  const progress = document.getElementById("submit-progress");
  const button = form.querySelector("button[type=submit]");
  alert.textContent = "";
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
  button.disabled = true;
  progress.hidden = false;
  status.textContent = text.saving;
  let job;
  try {
    job = await api("POST", "/api/v1/jobs", body);
    const items = await api("GET", `/api/v1/jobs/${job.id}/items`);
    for (const [index, { file }] of entries.entries()) {
      if (!file) continue;
      status.textContent = text.uploading.replace("%(name)s", file.name);
      const upload = await sendFile(job, items[index].id, file);
      if (upload?.proposals) {
        status.textContent = text.characteristics_read.replace("%(count)s", upload.proposals.length);
      }
    }
    window.location.assign(`/jobs/${job.id}`);
  } catch (error) {
    showProblem(alert, error);
    if (job) {
      // The job itself was submitted; only a file failed. Say so and lead to the job.
      const link = document.createElement("a");
      link.href = `/jobs/${job.id}`;
      link.textContent = job.number;
      alert.append(" → ", link);
    }
    status.textContent = "";
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
});
