// An RR study: the readings grid (parts x operators x trials), its evaluation by the server
// (POST /api/v1/rr/evaluate, the charts from /api/v1/rr/charts) shown as the ANOVA table and
// the variance components, and its record as an RR test (POST /api/v1/rr-tests).  No
// statistics here: every figure is the server's, only formatted.
import { pasteBlock } from "./grid.js";
import { api, ApiError, csrfToken, formatNumber, parseNumber, showProblem, text } from "./lims.js";

const language = document.documentElement.lang || "fi";
const COMPONENTS = ["repeatability", "operator", "interaction", "reproducibility", "grr", "part", "total"];
const ANOVA_ROWS = ["part", "operator", "interaction", "repeatability", "total"];

function element(name, attributes = {}, content) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (content !== undefined) node.textContent = content;
  return node;
}

const fixed = (value, decimals) =>
  value === null || value === undefined
    ? "–"
    : new Intl.NumberFormat(language, {
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      }).format(value);
const probability = (p) => (p === null || p === undefined ? "–" : p < 0.001 ? `< ${fixed(0.001, 3)}` : fixed(p, 3));

function table(caption, head, rows, id) {
  const node = element("table", id ? { id } : {});
  node.append(element("caption", {}, caption));
  const headRow = element("tr");
  head.forEach((title) => headRow.append(element("th", { scope: "col" }, title)));
  node.createTHead().append(headRow);
  const body = element("tbody");
  for (const [title, ...cells] of rows) {
    const row = element("tr");
    row.append(element("th", { scope: "row" }, title));
    for (const cell of cells) row.append(element("td", { class: "num" }, cell));
    body.append(row);
  }
  node.append(body);
  // Scrolls sideways on a phone: a named region the keyboard can reach.
  const wrap = element("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": caption });
  wrap.append(node);
  return wrap;
}

function anovaTable(block, caption, id) {
  const rows = ANOVA_ROWS.filter((name) => block[name]).map((name) => {
    const row = block[name];
    return [text[`row_${name}`], String(row.df), formatNumber(row.ss), formatNumber(row.ms), fixed(row.f, 2), probability(row.p)];
  });
  return table(caption, [text.source, "df", "SS", "MS", "F", "p"], rows, id);
}

/** The evaluation as tables: the ANOVA, the variance components and ndc, or AIAG's average
 * and range figures; then the server's own notes. */
export function renderEvaluation(container, evaluation) {
  container.replaceChildren();
  if (evaluation.anova?.full) container.append(anovaTable(evaluation.anova.full, text.anova_full, "anova-full"));
  if (evaluation.anova?.full && evaluation.anova?.reduced) {
    container.append(element("p", {}, evaluation.interaction_pooled ? text.pooled : text.not_pooled));
    if (evaluation.interaction_pooled)
      container.append(anovaTable(evaluation.anova.reduced, text.anova_reduced, "anova-reduced"));
  }
  if (evaluation.variance_components) {
    const rows = COMPONENTS.map((name) => [
      text[`c_${name}`],
      formatNumber(evaluation.variance_components[name], 4),
      fixed(evaluation.percent_contribution?.[name], 2),
      formatNumber(evaluation.sd?.[name], 4),
      formatNumber(evaluation.study_variation?.[name], 4),
      fixed(evaluation.percent_study_variation?.[name], 2),
      fixed(evaluation.percent_tolerance?.[name], 2),
    ]);
    const head = [text.component, text.variance, text.pct_contribution, text.sd, text.study_variation, text.pct_study_variation, text.pct_tolerance];
    container.append(table(text.components, head, rows, "components"));
  }
  const ar = evaluation.average_range;
  if (ar) {
    const rows = ["ev", "av", "grr", "pv"].map((name) => [
      text[`c_${{ ev: "repeatability", av: "reproducibility", grr: "grr", pv: "part" }[name]}`],
      formatNumber(ar[name], 4),
      fixed(ar[`pct_${name}`], 2),
      fixed(ar[`pct_tol_${name}`], 2),
    ]);
    rows.push([text.c_total, formatNumber(ar.tv, 4), fixed(100, 2), "–"]);
    container.append(table(text.average_range, [text.component, text.sigma, text.pct_tv, text.pct_tolerance], rows, "average-range"));
  }
  const single = evaluation.type1;
  if (single) {
    const rows = [
      [text.mean, formatNumber(single.mean)],
      [text.sd, formatNumber(single.s, 4)],
      [text.bias, formatNumber(single.bias, 4)],
      [text.t_bias, fixed(single.t_bias, 2)],
      [text.p_bias, probability(single.p_bias)],
      ["Cg", fixed(single.cg, 2)],
      ["Cgk", fixed(single.cgk, 2)],
    ];
    container.append(table(text.type1, [text.component, text.value], rows, "type1"));
  }
  const line = evaluation.linearity;
  if (line) {
    const rows = [
      [text.slope, formatNumber(line.slope, 4), probability(line.p_slope)],
      [text.intercept, formatNumber(line.intercept, 4), probability(line.p_intercept)],
      ["R²", fixed(line.r_squared, 3), "–"],
      [text.pct_linearity, fixed(line.pct_linearity, 2), "–"],
    ];
    container.append(table(text.linearity, [text.component, text.value, "p"], rows, "linearity"));
  }
  if (evaluation.ndc !== null && evaluation.ndc !== undefined) {
    const ndc = element("p", { id: "ndc", class: "statement" }, `${text.ndc}: ${evaluation.ndc}`);
    container.append(ndc);
  }
  if (evaluation.warnings?.length) {
    container.append(element("h3", {}, text.warnings));
    const list = element("ul", { class: "warnings" });
    for (const warning of evaluation.warnings) list.append(element("li", {}, warning));
    container.append(list);
  }
}

// -- the grid ---------------------------------------------------------------------------

const cellLabel = (part, operator, trial) =>
  text.cell.replace("%(part)s", part).replace("%(operator)s", operator).replace("%(trial)s", trial);

/** Rows are parts; columns each operator's trials in turn, as the readings are taken. */
function buildGrid(wrap, parts, operators, trials, readings = null) {
  const grid = element("table", { class: "rr-grid", id: "rr-grid" });
  const top = element("tr");
  top.append(element("td"));
  operators.forEach((operator) => top.append(element("th", { scope: "colgroup", colspan: trials }, `${text.operator} ${operator}`)));
  const second = element("tr");
  second.append(element("th", { scope: "col" }, text.part));
  operators.forEach(() => {
    for (let trial = 1; trial <= trials; trial += 1) second.append(element("th", { scope: "col" }, `${text.trial} ${trial}`));
  });
  grid.createTHead().append(top, second);
  const body = element("tbody");
  for (let part = 1; part <= parts; part += 1) {
    const row = element("tr");
    row.append(element("th", { scope: "row" }, String(part)));
    operators.forEach((operator, o) => {
      for (let trial = 1; trial <= trials; trial += 1) {
        const cell = element("td");
        const key = `${part}|${operator}|${trial}`;
        if (readings) {
          cell.className = "num";
          cell.textContent = formatNumber(readings.get(key));
        } else {
          const input = element("input", {
            inputmode: "decimal",
            autocomplete: "off",
            "aria-label": cellLabel(part, operator, trial),
            "data-part": part,
            "data-operator": o,
            "data-trial": trial,
          });
          cell.append(input);
        }
        row.append(cell);
      }
    });
    body.append(row);
  }
  grid.append(body);
  wrap.replaceChildren(grid);
  return grid;
}

// -- the new study page -------------------------------------------------------------------

const form = document.getElementById("rr-study");
if (form) wireNewStudy(form);

const saved = document.getElementById("rr-saved");
if (saved) {
  const { study, evaluation } = JSON.parse(saved.textContent);
  renderEvaluation(document.getElementById("rr-evaluation"), evaluation);
  showReadings(study);
}

/** A study without the grid's shape (type 1, linearity, trials left unnumbered): one row a
 * reading, as recorded. */
function readingsList(wrap, study) {
  const rows = study.measurements.map((m, index) => [
    String(index + 1),
    m.part ?? "–",
    m.operator ?? "–",
    m.trial ?? "–",
    formatNumber(m.reference),
    formatNumber(m.value),
  ]);
  const head = ["#", text.part, text.operator, text.trial, text.reference, text.reading];
  wrap.replaceWith(table(text.readings, head, rows, "rr-readings"));
}

function showReadings(study) {
  const wrap = document.getElementById("rr-grid-wrap");
  const gridded = ["crossed", "nested"].includes(study.design) && study.measurements.every((m) => m.trial);
  if (!gridded) return readingsList(wrap, study);
  const unique = (key) => [...new Set(study.measurements.map((m) => m[key]))];
  const readings = new Map(study.measurements.map((m) => [`${m.part}|${m.operator}|${m.trial}`, m.value]));
  const parts = unique("part");
  const trials = unique("trial");
  const grid = buildGrid(wrap, parts.length, unique("operator"), trials.length, new Map());
  // Labels as recorded (a study's parts and trials need not be numbered 1, 2, ...).
  [...grid.tBodies[0].rows].forEach((row, p) => {
    row.cells[0].textContent = parts[p];
    const cells = [...row.cells].slice(1);
    unique("operator").forEach((operator, o) =>
      trials.forEach((trial, t) => {
        cells[o * trials.length + t].textContent = formatNumber(readings.get(`${parts[p]}|${operator}|${trial}`));
      }),
    );
  });
}

function wireNewStudy(studyForm) {
  const alert = studyForm.querySelector(".form-error");
  // Enter in a cell must not send the page anywhere: the buttons do the work.
  studyForm.addEventListener("submit", (event) => event.preventDefault());
  const status = document.getElementById("rr-status");
  const wrap = document.getElementById("rr-grid-wrap");
  const size = (id) => {
    const field = document.getElementById(id);
    const value = Math.trunc(Number(field.value));
    return Math.min(Math.max(value || 2, Number(field.min)), Number(field.max));
  };
  const measurerRows = [...studyForm.querySelectorAll("tr.measurer")];
  const operatorLabels = () =>
    measurerRows.filter((row) => !row.hidden).map((row, index) => row.querySelector(".operator-label").value.trim() || String.fromCharCode(65 + index));
  let grid;
  let shape = "";

  const rebuild = () => {
    const operators = size("rr-operators");
    measurerRows.forEach((row, index) => {
      row.hidden = index >= operators;
    });
    // A field left unchanged keeps the grid, and the cell being typed in, as they are.
    const wanted = JSON.stringify([size("rr-parts"), operatorLabels(), size("rr-trials")]);
    if (wanted === shape) return;
    shape = wanted;
    // Keep what was typed where the cell still exists.
    const kept = new Map([...(grid?.querySelectorAll("input") ?? [])].map((input) => [`${input.dataset.part}|${input.dataset.operator}|${input.dataset.trial}`, input.value]));
    grid = buildGrid(wrap, size("rr-parts"), operatorLabels(), size("rr-trials"));
    for (const input of grid.querySelectorAll("input")) {
      input.value = kept.get(`${input.dataset.part}|${input.dataset.operator}|${input.dataset.trial}`) ?? "";
    }
    grid.addEventListener("paste", (event) => {
      if (event.target.matches("input")) pasteBlock(grid, event);
    });
  };
  for (const id of ["rr-parts", "rr-operators", "rr-trials"]) document.getElementById(id).addEventListener("change", rebuild);
  for (const input of studyForm.querySelectorAll(".operator-label")) input.addEventListener("change", rebuild);
  rebuild();

  const clear = () => {
    alert.textContent = "";
    for (const marked of studyForm.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  };
  const refuse = (input, message) => {
    input.setAttribute("aria-invalid", "true");
    input.focus();
    alert.textContent = message;
    return null;
  };

  /** The study as the API takes it, or null after saying in the page which cell is wrong. */
  const study = () => {
    const labels = operatorLabels();
    const measurements = [];
    for (const input of grid.querySelectorAll("input")) {
      const name = input.getAttribute("aria-label");
      if (input.value.trim() === "") return refuse(input, `${name} ${text.required}`);
      const value = parseNumber(input.value);
      if (Number.isNaN(value)) return refuse(input, `${name}: “${input.value.trim()}” ${text.not_a_number}`);
      measurements.push({ part: input.dataset.part, operator: labels[input.dataset.operator], trial: input.dataset.trial, value });
    }
    const body = { design: "crossed", method: document.getElementById("rr-analysis").value, measurements };
    const tolerance = document.getElementById("rr-tolerance");
    if (tolerance.value.trim() !== "") {
      const value = parseNumber(tolerance.value);
      if (Number.isNaN(value)) return refuse(tolerance, `${tolerance.labels[0].textContent.trim()}: ${text.not_a_number}`);
      body.tolerance = value;
    }
    return body;
  };

  const chart = async (body, name) => {
    const response = await fetch(`/api/v1/rr/charts?chart=${name}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-csrf-token": csrfToken(),
        accept: "image/svg+xml",
        "accept-language": document.documentElement.lang,
      },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok) throw new ApiError(await response.json().catch(() => ({})));
    const figure = element("figure");
    const label = text[`chart_${name}`];
    figure.append(element("img", { src: URL.createObjectURL(await response.blob()), alt: label }), element("figcaption", {}, label));
    return figure;
  };

  document.getElementById("rr-evaluate").addEventListener("click", async () => {
    clear();
    const body = study();
    if (!body) return;
    const result = document.getElementById("rr-result");
    const charts = document.getElementById("rr-charts");
    status.textContent = text.evaluating;
    studyForm.setAttribute("aria-busy", "true");
    try {
      const evaluation = await api("POST", "/api/v1/rr/evaluate", body);
      renderEvaluation(document.getElementById("rr-evaluation"), evaluation);
      result.hidden = false;
      status.textContent = text.drawing;
      charts.replaceChildren();
      const names = ["components", "range", "mean", "by_part", "by_operator", "interaction"];
      for (const figure of await Promise.all(names.map((name) => chart(body, name)))) charts.append(figure);
      status.textContent = "";
    } catch (error) {
      status.textContent = "";
      showProblem(alert, error, studyForm);
    } finally {
      studyForm.removeAttribute("aria-busy");
    }
  });

  // Auditors evaluate a study; only staff record one.
  document.getElementById("rr-save")?.addEventListener("click", async () => {
    clear();
    const body = study();
    if (!body) return;
    const title = document.getElementById("rr-title");
    if (!title.value.trim()) return refuse(title, `${title.labels[0].textContent.replace("*", "").trim()} ${text.required}`);
    const chosen = (id) => (document.getElementById(id).value ? Number(document.getElementById(id).value) : null);
    const labels = operatorLabels();
    const measurers = measurerRows
      .filter((row) => !row.hidden)
      .map((row, index) => {
        const user = row.querySelector(".measurer-user").value;
        const name = row.querySelector(".measurer-name").value.trim();
        return { operator: labels[index], user_id: user ? Number(user) : null, name: name || null };
      });
    if (!window.confirm(text.confirm_save)) return;
    const button = document.getElementById("rr-save");
    button.disabled = true;
    status.textContent = text.saving;
    try {
      const recorded = await api("POST", "/api/v1/rr-tests", {
        title: title.value.trim(),
        performed_on: document.getElementById("rr-performed-on").value,
        method_id: chosen("rr-method"),
        equipment_id: chosen("rr-equipment"),
        organisation_id: chosen("rr-organisation"),
        measurers,
        study: body,
      });
      window.location.assign(`/rr-tests/${recorded.id}`);
    } catch (error) {
      status.textContent = "";
      showProblem(alert, error, studyForm);
    } finally {
      button.disabled = false;
    }
  });
}
