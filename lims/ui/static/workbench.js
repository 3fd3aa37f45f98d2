// The uncertainty workbench: a model and its inputs to POST /api/v1/uncertainty/evaluate,
// the budget, the contribution chart, the Monte Carlo histogram with the GUM curve, and
// saving the model as a new version of a method (POST /api/v1/methods).
import { budgetTable } from "./budget.js";
import { contributionChart, histogramChart } from "./charts.js";
import { api, formatAt, formatNumber, parseNumber, parseNumbers, showProblem, text } from "./lims.js";
import { formatCoverageFactor } from "./notation.js";

const data = JSON.parse(document.getElementById("wb-data").textContent);
const words = JSON.parse(document.getElementById("wb-text").textContent);
const form = document.getElementById("workbench");
const body = document.querySelector("#wb-inputs tbody");
const DISTRIBUTIONS = Object.keys(words.distributions);
const HISTOGRAM_BINS = 60;
const SPREAD = {
  normal: "standard_uncertainty",
  rectangular: "half_width",
  triangular: "half_width",
  arcsine: "half_width",
  trapezoidal: "half_width",
  t: "scale",
};

// -- the input rows -------------------------------------------------------------------

function control(tag, attributes) {
  const element = document.createElement(tag);
  Object.assign(element, attributes);
  return element;
}

function addRow(row = {}) {
  const tr = body.insertRow();
  tr.source = row.source || null; // a method's input source, kept for saving
  const index = body.rows.length;
  const cells = {
    name: control("input", { value: row.name ?? "", autocomplete: "off", spellcheck: false }),
    unit: control("input", { value: row.unit ?? "1", size: 4 }),
    distribution: control("select"),
    value: control("input", { value: row.value ?? "", inputMode: "decimal", size: 10 }),
    spread: control("input", { value: row.spread ?? "", inputMode: "decimal", size: 10 }),
    dof: control("input", { value: row.dof ?? "", inputMode: "decimal", size: 5 }),
    observations: control("input", { value: row.observations ?? "", inputMode: "decimal" }),
  };
  for (const name of DISTRIBUTIONS) {
    cells.distribution.append(new Option(words.distributions[name], name));
  }
  cells.distribution.value = row.distribution || "normal";
  const headers = [...document.querySelectorAll("#wb-inputs thead th")].map((th) => th.textContent);
  Object.entries(cells).forEach(([key, element], column) => {
    element.dataset.key = key;
    element.setAttribute("aria-label", `${headers[column]} ${index}`);
    tr.insertCell().append(element);
  });
  const beta = control("input", { value: row.beta ?? "0.5", inputMode: "decimal", size: 4, title: "beta" });
  beta.dataset.key = "beta";
  beta.setAttribute("aria-label", `beta ${index}`);
  cells.spread.after(beta);
  const remove = control("button", { type: "button", className: "secondary", textContent: "×" });
  remove.setAttribute("aria-label", `${words.remove} ${index}`);
  remove.addEventListener("click", () => tr.remove());
  tr.insertCell().append(remove);
  const sync = () => {
    const typeA = cells.distribution.value === "type_a";
    cells.value.disabled = cells.spread.disabled = cells.dof.disabled = typeA;
    cells.observations.disabled = !typeA;
    beta.hidden = cells.distribution.value !== "trapezoidal";
  };
  cells.distribution.addEventListener("change", sync);
  sync();
  return tr;
}

function rowValues(tr) {
  const values = { source: tr.source };
  for (const element of tr.querySelectorAll("[data-key]")) values[element.dataset.key] = element.value.trim();
  return values;
}

function number(raw, what) {
  const value = parseNumber(raw);
  if (Number.isNaN(value)) throw new Error(`${what}: “${raw}” ${text.not_a_number}`);
  return value;
}

/** One row as the engine's input specification. */
function inputSpec(row) {
  const spec = { name: row.name, distribution: row.distribution };
  if (row.distribution === "type_a") {
    spec.observations = parseNumbers(row.observations);
    if (spec.observations.some(Number.isNaN)) throw new Error(`${row.name}: ${text.not_a_number}`);
    return spec;
  }
  spec.value = number(row.value, row.name);
  spec[SPREAD[row.distribution]] = number(row.spread, row.name);
  if (row.distribution === "trapezoidal") spec.beta = number(row.beta, `${row.name} beta`);
  if (row.dof !== "") spec.dof = number(row.dof, row.name);
  return spec;
}

function request() {
  const rows = [...body.rows].map(rowValues).filter((row) => row.name);
  const method = form.evaluation.value;
  const request = {
    model: form.model.value.trim(),
    output: form.output.value.trim() || "y",
    inputs: rows.map(inputSpec),
    coverage_probability: number(form.coverage_probability.value, form.coverage_probability.labels[0].textContent),
    method,
  };
  if (method !== "gum") {
    request.mcm = {
      trials: number(form.trials.value, form.trials.labels[0].textContent),
      adaptive: form.adaptive.checked,
      histogram_bins: HISTOGRAM_BINS,
    };
    if (form.seed.value.trim()) request.mcm.seed = number(form.seed.value, form.seed.labels[0].textContent);
  }
  return request;
}

// -- loading a model ------------------------------------------------------------------

function loadExample() {
  const example = data.example;
  form.model.value = example.model;
  form.output.value = example.output;
  form.coverage_probability.value = example.coverage_probability;
  form.evaluation.value = example.method;
  form.trials.value = example.mcm?.trials ?? 200000;
  form.seed.value = example.mcm?.seed ?? "";
  body.replaceChildren();
  for (const input of example.inputs) {
    const distribution = input.distribution || (input.observations ? "type_a" : "normal");
    addRow({
      name: input.name,
      distribution,
      value: input.value,
      spread: input[SPREAD[distribution]] ?? "",
      dof: input.dof ?? "",
      observations: (input.observations || []).join(" "),
    });
  }
}

function loadMethod(method) {
  form.model.value = method.model;
  form.output.value = method.output;
  form.coverage_probability.value = method.coverage_probability;
  body.replaceChildren();
  for (const source of method.inputs) {
    const row = { name: source.name, unit: source.unit, source };
    if (source.source === "type_b") {
      Object.assign(row, {
        distribution: source.distribution,
        value: source.value,
        spread: source.standard_uncertainty ?? source.half_width ?? "",
        beta: source.beta ?? undefined,
        dof: source.dof ?? "",
      });
    } else if (source.source === "type_a") {
      row.distribution = "type_a";
    } else if (source.source === "parameter") {
      Object.assign(row, { distribution: "normal", spread: "0" }); // exact: enter its value
    }
    addRow(row);
  }
}

const loader = document.getElementById("wb-load");
loader.addEventListener("change", () => {
  const method = data.library.find((m) => String(m.id) === loader.value);
  if (method) loadMethod(method);
  else loadExample();
});
document.getElementById("wb-add").addEventListener("click", () => addRow().querySelector("input").focus());

const wanted = new URLSearchParams(window.location.search).get("method");
if (wanted && data.library.some((m) => String(m.id) === wanted)) {
  loader.value = wanted;
  loadMethod(data.library.find((m) => String(m.id) === wanted));
} else {
  loadExample();
}

// -- evaluating -----------------------------------------------------------------------

function figure(list, term, description) {
  const wrapper = document.createElement("div");
  wrapper.append(control("dt", { textContent: term }), control("dd", { textContent: description }));
  list.append(wrapper);
}

function interval(pair, u) {
  return pair ? `[${formatAt(pair[0], u)}, ${formatAt(pair[1], u)}]` : "–";
}

// The page's language's digit group separator (a no-break space in Finnish, a comma in English).
const groupSign =
  new Intl.NumberFormat(document.documentElement.lang || "fi").formatToParts(10000).find((part) => part.type === "group")
    ?.value ?? "";

/** A reported figure (a string the server rounded) with the page's decimal sign and digit
 * groups: 50000839 reads 50 000 839 in Finnish. */
function reportedFigure(figure) {
  const [whole, fraction] = String(figure).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, groupSign);
  if (document.documentElement.lang === "en") return fraction === undefined ? grouped : `${grouped}.${fraction}`;
  return (fraction === undefined ? grouped : `${grouped},${fraction}`).replace("-", "\u2212");
}

/** The reported result as a sentence in the page's language (the server's, in English, is
 * the certificate's wording in the API). */
function statement(output, mcm) {
  const reported = output.reported;
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, key) => (key in values ? values[key] : ""));
  const shown = (key) => reportedFigure(reported[key]);
  if (reported.basis === "mcm") {
    return fill(words.statement_mcm, {
      name: output.name,
      value: shown("value"),
      u: shown("standard_uncertainty"),
      p: reported.coverage_probability,
      low: reportedFigure(reported.interval[0]),
      high: reportedFigure(reported.interval[1]),
      trials: formatNumber(mcm?.trials ?? 0, 21),
    });
  }
  const dof = output.dof;
  const basis =
    dof === null || !Number.isFinite(dof)
      ? words.basis_normal
      : fill(words.basis_t, { dof: Math.floor(dof + 1e-9) });
  return fill(words.statement_gum, {
    name: output.name,
    value: shown("value"),
    expanded: shown("expanded_uncertainty"),
    k: reportedFigure(reported.coverage_factor),
    basis,
    p: reported.coverage_probability,
  });
}

function show(response) {
  const output = response.outputs[0];
  const mcm = output.mcm;
  document.getElementById("wb-statement").textContent = statement(output, mcm);
  const figures = document.getElementById("wb-figures");
  figures.replaceChildren();
  if (output.value !== null) {
    figure(figures, words.value, formatAt(output.value, output.standard_uncertainty));
    figure(figures, words.standard_uncertainty, formatNumber(output.standard_uncertainty, 3));
    figure(figures, words.expanded_uncertainty, formatNumber(output.expanded_uncertainty, 2));
    figure(figures, words.coverage_factor, formatCoverageFactor(output.coverage_factor));
    figure(figures, words.dof, output.dof === null ? words.infinite : formatNumber(output.dof, 3));
    figure(figures, words.gum_interval, interval(output.interval, output.standard_uncertainty));
  }
  if (mcm) {
    const u = mcm.standard_uncertainty;
    figure(figures, words.mcm_value, `${formatAt(mcm.value, u)} ± ${formatNumber(u, 2)}`);
    figure(figures, words.mcm_interval, interval(mcm.interval, u));
    figure(figures, words.mcm_shortest, interval(mcm.shortest_interval, u));
    figure(figures, words.trials_seed, `${formatNumber(mcm.trials, 21)} · ${mcm.seed}`);
  }
  const verdict = document.getElementById("wb-verdict");
  // A failed validation is said once, by the evaluation's warning below (with its figures).
  const validation = mcm?.validation?.passed ? mcm.validation : null;
  verdict.className = validation ? "verdict ok" : "verdict";
  verdict.textContent = validation
    ? `${words.validated} (d_low = ${formatNumber(validation.d_low, 3)}, d_high = ${formatNumber(validation.d_high, 3)}, δ = ${formatNumber(validation.tolerance, 3)})`
    : "";
  document.getElementById("wb-warnings").replaceChildren(
    ...response.warnings.map((warning) => control("li", { textContent: warning })),
  );
  const budget = document.getElementById("wb-budget");
  const contributions = document.getElementById("wb-contributions");
  budget.replaceChildren(...(output.budget ? [budgetTable(output, "")] : []));
  contributions.replaceChildren(
    ...(output.budget ? [contributionChart(output.budget, budget.closest("section").querySelector("h3").textContent)] : []),
  );
  const histogram = document.getElementById("wb-histogram");
  if (mcm?.histogram) {
    const gum =
      output.value !== null ? { value: output.value, u: output.standard_uncertainty, dof: output.dof } : null;
    histogram.replaceChildren(
      histogramChart(
        {
          histogram: mcm.histogram,
          trials: mcm.trials,
          gum,
          gumInterval: output.interval,
          mcmInterval: mcm.interval,
        },
        histogram.closest("figure").querySelector("figcaption").textContent,
      ),
    );
  } else {
    histogram.replaceChildren(control("p", { className: "hint", textContent: words.no_histogram }));
  }
  document.getElementById("wb-results").hidden = false;
}

/** The server's refusal of a run for its size, time or the runs at once, in the page's
 * language (the problem's detail is in English); null for any other problem. */
function limitRefusal(problem, request) {
  const kind = (problem?.type || "").split("/").pop();
  if (kind === "too-much-work") {
    const size = problem.work / (request.mcm?.trials || 1);
    const most = Math.max(Math.floor(problem.max_work / size), 0);
    return words.too_much_work.replace("%(trials)s", formatNumber(most, 21));
  }
  if (kind === "time-limit") return words.time_limit;
  if (kind === "busy") return words.busy.replace("%(seconds)s", problem.retry_after);
  return null;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const alert = form.querySelector(".form-error");
  const status = document.getElementById("wb-status");
  const progress = document.getElementById("wb-progress");
  const button = document.getElementById("wb-evaluate");
  alert.textContent = "";
  let body;
  try {
    body = request();
  } catch (error) {
    alert.textContent = error.message;
    return;
  }
  // A large Monte Carlo run takes seconds: show that it runs, and for how long.
  const started = performance.now();
  const elapsed = () => formatNumber(Math.round((performance.now() - started) / 100) / 10);
  const ticker = setInterval(() => {
    status.textContent = `${words.evaluating} ${elapsed()} s`;
  }, 250);
  status.textContent = words.evaluating;
  progress.hidden = false;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    show(await api("POST", "/api/v1/uncertainty/evaluate", body));
    status.textContent = words.done_in.replace("%(seconds)s", elapsed());
  } catch (error) {
    status.textContent = "";
    const refusal = limitRefusal(error.problem, body);
    if (refusal) alert.textContent = refusal;
    else showProblem(alert, error);
  } finally {
    clearInterval(ticker);
    progress.hidden = true;
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
});

// -- saving as a method's model -------------------------------------------------------

/** A row as a method input source: its own source if loaded, else a fixed Type B. */
function inputSource(row) {
  const base = { name: row.name, unit: row.unit || "1", description: row.source?.description ?? "" };
  if (row.source && row.source.source !== "type_b") return { ...row.source, name: row.name, unit: base.unit };
  if (row.distribution === "type_a") return { ...base, source: "type_a" };
  if (row.distribution === "t") throw new Error(`${words.t_not_saved} ${row.name}`);
  const source = { ...base, source: "type_b", distribution: row.distribution, value: number(row.value, row.name) };
  source[SPREAD[row.distribution]] = number(row.spread, row.name);
  if (row.distribution === "trapezoidal") source.beta = number(row.beta, `${row.name} beta`);
  if (row.dof !== "") source.dof = number(row.dof, row.name);
  return source;
}

const saveForm = document.getElementById("wb-save-form");
saveForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const alert = saveForm.querySelector(".form-error");
  const status = saveForm.querySelector(".status");
  alert.textContent = status.textContent = "";
  const select = document.getElementById("wb-save-method");
  const method = data.library.find((m) => String(m.id) === select.value);
  try {
    const rows = [...body.rows].map(rowValues).filter((row) => row.name);
    const newest = Math.max(...data.library.filter((m) => m.code === method.code).map((m) => m.version));
    const { id, in_scope, created_at, ...fields } = method;
    const created = await api("POST", "/api/v1/methods", {
      ...fields,
      version: newest + 1,
      model: form.model.value.trim(),
      output: form.output.value.trim() || "y",
      inputs: rows.map(inputSource),
    });
    data.library.push(created);
    const label = `${created.code} v${created.version}`;
    select.append(new Option(label, created.id));
    loader.append(new Option(`${label} · ${created.title_fi}`, created.id));
    status.textContent = status.dataset.saved.replace("%(code)s", created.code).replace("%(version)s", created.version);
  } catch (error) {
    showProblem(alert, error);
  }
});
