// The uncertainty budget of one engine output as a table, in the page's language.
import { api, formatAt, formatNumber, text } from "./lims.js";
import { formatCoverageFactor } from "./notation.js";

function cell(row, value, { header = false, numeric = true } = {}) {
  const element = document.createElement(header ? "th" : "td");
  element.textContent = value;
  if (header) element.scope = "row";
  else if (numeric) element.className = "num";
  row.append(element);
}

/** The budget table of one engine output (headers from the page's translations). */
export function budgetTable(output, unit) {
  const table = document.createElement("table");
  table.className = "budget";
  const head = table.createTHead().insertRow();
  for (const key of ["input", "estimate", "u", "distribution", "dof", "sensitivity", "contribution", "index"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text[`budget_${key}`];
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of output.budget || []) {
    const tr = body.insertRow();
    cell(tr, "", { header: true });
    // An input's name is a symbol of the model, set as a variable (as the server's table).
    tr.lastChild.append(Object.assign(document.createElement("var"), { textContent: row.input }));
    cell(tr, formatAt(row.value, row.standard_uncertainty));
    cell(tr, formatNumber(row.standard_uncertainty, 3));
    cell(tr, text.distributions?.[row.distribution] ?? row.distribution, { numeric: false });
    cell(tr, row.dof === null ? "∞" : formatNumber(row.dof, 3));
    cell(tr, formatNumber(row.sensitivity, 4));
    cell(tr, formatNumber(row.contribution, 3));
    cell(tr, formatNumber(row.index_percent, 3));
  }
  const foot = table.createTFoot().insertRow();
  const suffix = unit ? ` ${unit}` : "";
  cell(foot, text.budget_combined, { header: true });
  cell(foot, `${formatAt(output.value, output.standard_uncertainty)}${suffix}`);
  cell(foot, formatNumber(output.standard_uncertainty, 3));
  const summary = document.createElement("td");
  summary.colSpan = 5;
  summary.textContent = `U = ${formatNumber(output.expanded_uncertainty, 2)}${suffix}, k = ${formatCoverageFactor(output.coverage_factor)}`;
  foot.append(summary);
  return table;
}

function number(value) {
  return value === "" || value === undefined ? null : Number(value);
}

/** The conformity an evaluated ``output`` would get, from POST /api/v1/uncertainty/decide;
 * ``facts`` are a point's limits and unit and the agreement's rule (an element's dataset:
 * lower, upper, unit, resultUnit, rule, ruleR).  Null where no preview is made. */
export async function previewDecision(facts, output) {
  const { lower, upper, unit, resultUnit, rule, ruleR } = facts;
  // The preview decides only where the method's unit is the characteristic's and a rule
  // stated in numbers applies; the recorded result is always decided by the server.
  if ((lower === "" && upper === "") || unit !== resultUnit || rule === "customer") return null;
  return api("POST", "/api/v1/uncertainty/decide", {
    value: output.value,
    expanded_uncertainty: output.expanded_uncertainty,
    coverage_factor: output.coverage_factor,
    lower_limit: number(lower),
    upper_limit: number(upper),
    rule,
    r: rule === "guard_band_rU" ? number(ruleR) : null,
  });
}
