// A job's worksheet (templates/ui/_worksheet.html): the session's fields once, a row of
// readings per planned point, each row's result, U and conformity from the server as it is
// typed (the single form's live budget: POST /api/v1/methods/{id}/evaluate and
// /api/v1/uncertainty/decide), and the sheet sent whole to
// POST /api/v1/jobs/{id}/results/worksheet, which records every row or none and names each
// bad row's field; its errors are shown in that row.
import { previewDecision } from "./budget.js";
import { api, formatAt, formBody, formatNumber, onSubmit, parseNumber, text } from "./lims.js";
import { enterMovesDown, pasteBlock } from "./grid.js";

const words = { ...text, ...JSON.parse(document.getElementById("worksheet-text")?.textContent || "{}") };

class CellError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

const rowsOf = (form) => [...form.querySelectorAll("tbody tr[data-characteristic-id]")];
const cellsOf = (row) => [...row.querySelectorAll("input[data-series]")];
const filled = (row) => cellsOf(row).some((cell) => cell.value.trim() !== "");

/** A row's readings per series, blank cells left out; a cell that is no number throws. */
function observations(row) {
  const series = {};
  for (const cell of cellsOf(row)) {
    const raw = cell.value.trim();
    if (raw === "") continue;
    const value = parseNumber(raw);
    if (Number.isNaN(value)) throw new CellError(cell, `${cell.getAttribute("aria-label")}: “${raw}” ${words.not_a_number}`);
    (series[cell.dataset.series] ??= []).push(value);
  }
  return series;
}

/** The sheet as the API takes it: the session's fields, then every row with readings. */
function sheetOf(form) {
  const rows = rowsOf(form).filter(filled);
  if (!rows.length) throw new CellError(cellsOf(rowsOf(form)[0])[0], words.no_rows);
  form.sentRows = rows;
  return {
    ...formBody(form),
    rows: rows.map((row) => ({
      characteristic_id: Number(row.dataset.characteristicId),
      observations: observations(row),
    })),
  };
}

// -- each row's live result ----------------------------------------------------------

function show(row, { value = "–", uncertainty = "–", decision = null, check = "" } = {}) {
  row.querySelector("[data-value]").textContent = value;
  row.querySelector("[data-uncertainty]").textContent = uncertainty;
  const cell = row.querySelector("[data-decision]");
  if (decision) {
    const badge = document.createElement("span");
    badge.className = `badge badge-${decision}`;
    badge.textContent = words[`decision_${decision}`] ?? decision;
    cell.replaceChildren(badge);
  } else {
    cell.textContent = "–";
  }
  row.querySelector("[data-check]").textContent = check;
}

async function evaluateRow(form, row) {
  let session;
  let readings;
  try {
    session = formBody(form);
    readings = observations(row);
  } catch {
    return show(row); // the session or the row is not yet complete
  }
  const series = Object.values(readings);
  if (!series.length || series.some((values) => values.length < 2)) return show(row);
  const unit = form.dataset.resultUnit;
  row.setAttribute("aria-busy", "true");
  try {
    const response = await api("POST", `/api/v1/methods/${form.dataset.methodId}/evaluate`, {
      on_date: session.measured_on,
      equipment: session.equipment || {},
      observations: readings,
      parameters: JSON.parse(row.dataset.parameters || "{}"),
    });
    const output = response.outputs[0];
    const facts = { ...row.dataset, resultUnit: unit, rule: form.dataset.rule, ruleR: form.dataset.ruleR };
    const decision = await previewDecision(facts, output).catch(() => null);
    show(row, {
      value: `${formatAt(output.value, output.standard_uncertainty)} ${unit}`,
      uncertainty: `${formatNumber(output.expanded_uncertainty, 2)} ${unit}`,
      decision: decision?.decision,
    });
  } catch (error) {
    show(row, { check: error.problem?.detail || error.message });
  } finally {
    row.removeAttribute("aria-busy");
  }
}

// -- the refusal, row by row ---------------------------------------------------------

/** Mark each bad row's cells and say why in the row; the form's alert then names the rows
 * by their points, not by their place in the request. */
function showRowErrors(form, error) {
  const problem = error.problem;
  if (!problem?.errors) return error;
  const sent = form.sentRows || [];
  const errors = problem.errors.map((item) => {
    const [where, index, field, series] = item.location || [];
    const row = where === "rows" ? sent[index] : null;
    if (!row) return item;
    const cells = field === "observations" && series ? cellsOf(row).filter((cell) => cell.dataset.series === series) : cellsOf(row);
    for (const cell of cells) cell.setAttribute("aria-invalid", "true");
    const check = row.querySelector("[data-check]");
    check.textContent = check.textContent ? `${check.textContent} · ${item.message}` : item.message;
    // Named by its point: the request's row number means nothing to the one who typed it.
    return { ...item, field: "", message: `${row.dataset.label}: ${item.message}` };
  });
  return Object.assign(new Error(error.message), { problem: { ...problem, errors } });
}

for (const form of document.querySelectorAll("form.worksheet-form")) {
  const grid = form.querySelector("table.worksheet-grid");
  const timers = new Map();
  const schedule = (row) => {
    clearTimeout(timers.get(row));
    timers.set(row, setTimeout(() => evaluateRow(form, row), 400));
  };
  grid.addEventListener("keydown", (event) => enterMovesDown(grid, event));
  grid.addEventListener("paste", (event) => {
    if (!event.target.matches("input")) return;
    const rows = new Set(pasteBlock(grid, event).map((cell) => cell.closest("tr")));
    for (const row of rows) schedule(row);
  });
  grid.addEventListener("input", (event) => schedule(event.target.closest("tr")));
  // The day, the room or an instrument changed: every row with readings is evaluated again.
  form.querySelector("fieldset").addEventListener("change", () => rowsOf(form).filter(filled).forEach(schedule));
  onSubmit(form, {
    build: (sheet) => {
      for (const row of rowsOf(sheet)) row.querySelector("[data-check]").textContent = "";
      return sheetOf(sheet);
    },
    send: async (body) => {
      await api("POST", `/api/v1/jobs/${form.dataset.job}/results/worksheet`, body);
      window.location.assign(`${window.location.pathname}#plan`);
      window.location.reload();
    },
    explain: (error) => showRowErrors(form, error),
  });
}
