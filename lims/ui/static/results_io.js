// A job's results in from files: a CSV file checked by a dry run (its row errors shown as a
// table, nothing saved) before it is imported for real, and a CMM's QIF Results.  The server
// checks every row exactly as a result entered by hand; this only sends and shows.
import { api, formatNumber, parseNumber, showProblem, text } from "./lims.js";
import { unitSymbol } from "./notation.js";

const words = JSON.parse(document.getElementById("results-io-text")?.textContent || "{}");

function cell(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content ?? "–";
  if (className) element.className = className;
  return element;
}

/** A table of ``rows`` with the given columns: [heading, value of a row, class]. */
function table(caption, columns, rows) {
  const wrap = document.createElement("div");
  wrap.className = "table-wrap";
  // A table wider than a phone scrolls in its region, which the keyboard reaches too.
  wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", caption);
  const element = document.createElement("table");
  element.append(cell("caption", caption));
  const head = document.createElement("tr");
  for (const [heading] of columns) {
    const th = cell("th", heading);
    th.scope = "col";
    head.append(th);
  }
  element.createTHead().append(head);
  const body = element.createTBody();
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const [, value, className] of columns) tr.append(cell("td", value(row), className));
    body.append(tr);
  }
  wrap.append(element);
  return wrap;
}

const decision = (value) => (value ? text[`decision_${value}`] || value : "–");

function errorTable(errors) {
  return table(words.errors_caption, [
    [words.line, (row) => String(row.line ?? "–"), "num"],
    [words.column, (row) => row.column],
    [words.message, (row) => row.message],
  ], errors);
}

function rowTable(rows) {
  return table(words.rows_caption, [
    [words.line, (row) => String(row.line), "num"],
    [words.characteristic, (row) => row.characteristic],
    [words.value, (row) => `${formatNumber(row.value)} ${unitSymbol(row.unit)}`, "num"],
    [words.uncertainty, (row) => formatNumber(row.expanded_uncertainty, 2), "num"],
    [words.decision, (row) => decision(row.decision)],
  ], rows);
}

/** Send a file as the request body; the status line says what is going on meanwhile. */
async function send(form, url, file, contentType, working) {
  const status = form.querySelector("[data-status]");
  const buttons = form.querySelectorAll("button");
  status.textContent = working;
  form.setAttribute("aria-busy", "true");
  for (const button of buttons) button.disabled = true;
  try {
    return await api("POST", url, file, { raw: true, contentType });
  } finally {
    status.textContent = "";
    form.removeAttribute("aria-busy");
    for (const button of buttons) button.disabled = false;
  }
}

function wireCsvImport(form) {
  const file = form.querySelector("input[type=file]");
  const report = form.querySelector("[data-report]");
  const alert = form.querySelector(".form-error");
  const status = form.querySelector("[data-status]");
  const confirm = document.getElementById("csv-import-confirm");
  const offer = form.querySelector("[data-confirm]");
  const url = (dryRun) => {
    const query = new URLSearchParams({ dry_run: String(dryRun) });
    const reason = form.elements.late_entry_reason.value.trim();
    if (reason) query.set("late_entry_reason", reason);
    return `/api/v1/jobs/${form.dataset.job}/results/import?${query}`;
  };
  const reset = () => {
    alert.textContent = "";
    report.replaceChildren();
    offer.hidden = true;
  };
  file.addEventListener("change", reset);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    reset();
    const chosen = file.files[0];
    if (!chosen) return;
    try {
      const checked = await send(form, url(true), chosen, "text/csv", words.checking);
      if (checked.errors.length) {
        alert.textContent = `${text.refused_422}: ${words.rows_refused.replace("%(count)s", checked.errors.length)}`;
        report.replaceChildren(errorTable(checked.errors));
        return;
      }
      report.replaceChildren(rowTable(checked.rows));
      status.textContent = words.can_import.replace("%(count)s", checked.rows.length);
      offer.hidden = false;
    } catch (error) {
      showProblem(alert, error, form);
    }
  });

  confirm.addEventListener("click", async () => {
    alert.textContent = "";
    try {
      const imported = await send(form, url(false), file.files[0], "text/csv", words.importing);
      if (!imported.written) {
        // Something changed since the dry run (another result, the equipment's calibration).
        alert.textContent = `${text.refused_422}: ${words.rows_refused.replace("%(count)s", imported.errors.length)}`;
        report.replaceChildren(errorTable(imported.errors));
        offer.hidden = true;
        return;
      }
      status.textContent = words.imported.replace("%(count)s", imported.rows.length);
      window.location.reload();
    } catch (error) {
      showProblem(alert, error, form);
    }
  });
}

function qifTable(rows) {
  return table(words.qif_caption, [
    [words.characteristic, (row) => row.characteristic],
    [words.value, (row) => `${formatNumber(row.value)} ${unitSymbol(row.unit)}`, "num"],
    [words.cmm_status, (row) => row.cmm_status],
    [words.decision, (row) => decision(row.lab_decision)],
    [words.agrees, (row) => (row.agrees === null ? "–" : row.agrees ? words.yes : words.no)],
  ], rows);
}

function wireQifImport(form) {
  const report = form.querySelector("[data-report]");
  const alert = form.querySelector(".form-error");
  const status = form.querySelector("[data-status]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.textContent = "";
    report.replaceChildren();
    const query = new URLSearchParams();
    for (const name of ["equipment_id", "reference_workpiece_id", "measured_on", "temperature", "humidity", "late_entry_reason"]) {
      const raw = form.elements[name]?.value.trim() ?? "";
      if (raw === "") continue;
      // A decimal comma is a Finn's way of writing 20,2 °C; the API takes 20.2.
      const numeric = name === "temperature" || name === "humidity";
      query.set(name, numeric && !Number.isNaN(parseNumber(raw)) ? String(parseNumber(raw)) : raw);
    }
    try {
      const file = form.querySelector("input[type=file]").files[0];
      const url = `/api/v1/jobs/${form.dataset.job}/results/qif?${query}`;
      const imported = await send(form, url, file, "application/octet-stream", words.importing);
      const parts = [qifTable(imported.rows)];
      if (imported.unmatched.length) {
        parts.push(cell("p", words.unmatched.replace("%(labels)s", imported.unmatched.join(", ")), "warning"));
      }
      const again = cell("button", words.show_results, "secondary");
      again.type = "button";
      again.addEventListener("click", () => window.location.reload());
      parts.push(again);
      report.replaceChildren(...parts);
      status.textContent = words.qif_imported
        .replace("%(count)s", imported.rows.length)
        .replace("%(disagreements)s", imported.disagreements);
    } catch (error) {
      showProblem(alert, error, form);
    }
  });
}

const csvForm = document.getElementById("csv-import");
if (csvForm) wireCsvImport(csvForm);
const qifForm = document.getElementById("qif-import");
if (qifForm) wireQifImport(qifForm);
