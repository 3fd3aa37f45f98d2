// The commercial forms whose rows a person adds and removes: a price model's resources and
// cost pools, a price list's items, a quotation's lines and the items of the job an order
// opens. Each sends one JSON body to /api/v1; the server prices, checks and refuses, and its
// answer is what the page shows. The quotation's running total is only a preview.
import { api, onSubmit, parseNumber, text } from "./lims.js";

const language = document.documentElement.lang || "fi";
const fill = (template, values) =>
  String(template).replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
/** A decimal as the API reads it: "96 000,50" -> "96000.50" (kept a string: no float). */
const decimal = (value) => String(value).trim().replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
/** A stored decimal shown in the page's language: "0.5" -> "0,5" in Finnish and Swedish. */
const localDecimal = (value) =>
  value === null || value === undefined ? "" : language === "en" ? String(value) : String(value).replace(".", ",");
const readData = (id) => JSON.parse(document.getElementById(id)?.textContent || "null");
const euros = new Intl.NumberFormat(language, { style: "currency", currency: "EUR" });

/** Per cent to the API's fraction by moving the decimal point: "12,5" -> "0.125". */
export function percentToFraction(value) {
  const cleaned = decimal(value);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) return cleaned; // the server names what is wrong with it
  const whole = match[1].padStart(3, "0");
  const fraction = `${whole.slice(0, -2).replace(/^0+(?=\d)/, "")}.${whole.slice(-2)}${match[2] ?? ""}`;
  return fraction;
}

/** The API's fraction as per cent in the page's language: "0.125" -> "12,5". */
export function fractionToPercent(value) {
  const [whole, part = ""] = String(value).split(".");
  const padded = part.padEnd(2, "0");
  const percent = `${whole}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, "");
  const rest = padded.slice(2).replace(/0+$/, "");
  return rest ? localDecimal(`${percent}.${rest}`) : percent;
}

/** Table rows cloned from a <template>: each control named ``prefix[i].field`` (as the API
 * names a field it refuses) and labelled "Row i: field" for screen readers and refusals. */
class Rows {
  constructor(body, template, prefix, rowText, onChange = () => {}) {
    Object.assign(this, { body, template, prefix, rowText, onChange });
  }

  get rows() {
    return [...this.body.children];
  }

  add(values = {}) {
    const row = this.template.content.firstElementChild.cloneNode(true);
    for (const control of row.querySelectorAll("[data-field]")) {
      if (values[control.dataset.field] !== undefined) control.value = values[control.dataset.field];
    }
    row.querySelector("[data-remove]")?.addEventListener("click", () => {
      if (this.rows.length > 1) row.remove();
      this.renumber();
      this.onChange();
    });
    row.addEventListener("input", () => this.onChange(row));
    row.addEventListener("change", () => this.onChange(row));
    this.body.append(row);
    this.renumber();
    return row;
  }

  renumber() {
    this.rows.forEach((row, index) => {
      const rowName = fill(this.rowText, { number: index + 1 });
      for (const label of row.querySelectorAll("label[data-label]")) {
        const control = label.nextElementSibling;
        const field = control.dataset.field;
        control.name = field ? `${this.prefix}[${index}].${field}` : control.dataset.name;
        control.id = `${this.prefix}-${index}-${field || control.dataset.share}`;
        label.htmlFor = control.id;
        label.textContent = `${rowName}: ${label.dataset.label}`;
      }
      if (text.remove_row) {
        row.querySelector("[data-remove]")?.setAttribute("aria-label", fill(text.remove_row, { row: rowName }));
      }
    });
  }

  values() {
    return this.rows.map((row) =>
      Object.fromEntries(
        [...row.querySelectorAll("[data-field]")].map((control) => [control.dataset.field, control.value.trim()]),
      ),
    );
  }
}

/** Send ``body`` and go to the created record's page, or show the API's refusal. */
/** On submit, POST the body ``build`` makes to ``url`` and go to the page ``then`` names for
 * the answer. */
function postOnSubmit(form, url, then, build) {
  onSubmit(form, { build, send: async (body) => window.location.assign(then(await api("POST", url, body))) });
}

const intOrRaw = (value) => {
  const number = parseNumber(value);
  return Number.isInteger(number) ? number : value;
};
const optional = (entries) => Object.fromEntries(entries.filter(([, value]) => value !== ""));

// -- a price model: resources and the cost pools split over them -------------------------

function wirePriceModel(form) {
  const head = document.getElementById("pool-head");
  const resources = new Rows(
    document.getElementById("resource-rows"),
    document.getElementById("resource-row"),
    "resources",
    text.resource_row,
    () => shareColumns(),
  );
  const pools = new Rows(
    document.getElementById("pool-rows"),
    document.getElementById("pool-row"),
    "cost_pools",
    text.pool_row,
  );
  const codes = () => [...new Set(resources.values().map((row) => row.code).filter(Boolean))];

  function shareCell(code, value) {
    const cell = document.createElement("td");
    cell.dataset.share = code;
    const label = document.createElement("label");
    label.className = "visually-hidden";
    label.dataset.label = fill(text.share_of, { code });
    const input = document.createElement("input");
    input.dataset.share = code;
    input.dataset.name = "";
    input.inputMode = "decimal";
    input.className = "narrow";
    input.value = value ?? "";
    cell.append(label, input);
    return cell;
  }

  /** One share column per resource code, keeping what was typed under each code. */
  function shareColumns(startShares) {
    const current = codes();
    for (const cell of head.querySelectorAll("[data-share]")) cell.remove();
    const actions = head.querySelector("[data-actions]");
    for (const code of current) {
      const th = document.createElement("th");
      th.scope = "col";
      th.dataset.share = code;
      th.textContent = fill(text.share_head, { code });
      head.insertBefore(th, actions);
    }
    pools.rows.forEach((row, index) => {
      const typed = startShares?.[index] ?? {};
      for (const input of row.querySelectorAll("input[data-share]")) typed[input.dataset.share] = input.value;
      for (const cell of row.querySelectorAll("td[data-share]")) cell.remove();
      const removeCell = row.querySelector("[data-remove-cell]");
      for (const code of current) row.insertBefore(shareCell(code, typed[code]), removeCell);
    });
    pools.renumber();
    for (const row of pools.rows) {
      row.querySelectorAll("input[data-share]").forEach((input, index) => {
        input.name = `${input.closest("tr").querySelector("[data-field=name]").name.replace(/\.name$/, "")}.shares.${current[index]}`;
      });
    }
  }

  const actions = document.createElement("th");
  actions.scope = "col";
  actions.dataset.actions = "";
  actions.innerHTML = `<span class="visually-hidden"></span>`;
  actions.firstChild.textContent = text.actions;
  head.append(actions);

  const start = readData("price-model-start");
  if (start) {
    for (const resource of start.resources) {
      resources.add({ ...resource, planned_hours: localDecimal(resource.planned_hours) });
    }
    for (const pool of start.cost_pools) pools.add({ name: pool.name, amount: localDecimal(pool.amount) });
    shareColumns(
      start.cost_pools.map((pool) =>
        Object.fromEntries(Object.entries(pool.shares).map(([code, share]) => [code, fractionToPercent(share)])),
      ),
    );
  } else {
    resources.add();
    pools.add();
    shareColumns();
  }
  document.getElementById("add-resource").addEventListener("click", () => {
    resources.add().querySelector("input").focus();
    shareColumns();
  });
  document.getElementById("add-pool").addEventListener("click", () => {
    pools.add().querySelector("input").focus();
    shareColumns();
  });

  postOnSubmit(form, "/api/v1/price-models", (model) => `/price-models/${model.id}`, () => {
    const body = {
      year: intOrRaw(form.year.value),
      resources: resources.values().map((row) => ({ ...row, planned_hours: decimal(row.planned_hours) })),
      cost_pools: pools.rows.map((row) => ({
        name: row.querySelector("[data-field=name]").value.trim(),
        amount: decimal(row.querySelector("[data-field=amount]").value),
        shares: Object.fromEntries(
          [...row.querySelectorAll("input[data-share]")]
            .filter((input) => input.value.trim() !== "")
            .map((input) => [input.dataset.share, percentToFraction(input.value)]),
        ),
      })),
    };
    return body;
  });
}

// -- a price list draft: its items --------------------------------------------------------

function wirePriceList(form) {
  const items = new Rows(
    document.getElementById("item-rows"),
    document.getElementById("item-row"),
    "items",
    text.item_row,
  );
  const start = readData("price-list-start") || [];
  for (const item of start) items.add({ ...item, hours: localDecimal(item.hours) });
  if (!start.length) items.add();
  document.getElementById("add-item").addEventListener("click", () => items.add().querySelector("input").focus());
  postOnSubmit(form, "/api/v1/price-lists", (made) => `/price-lists/${made.id}`, () => {
    const body = {
      price_model_id: Number(form.dataset.priceModel),
      title: form.title.value.trim(),
      items: items.values().map((item) => ({
        ...item,
        hours: decimal(item.hours),
        delivery_days: intOrRaw(item.delivery_days),
      })),
    };
    return body;
  });
}

// -- a quotation: lines from the price list or hours x rate, and the preview total --------

function wireQuotation(form) {
  const data = readData("quotation-data");
  const prices = Object.fromEntries(data.items.map((item) => [item.code, Number(item.price)]));
  const rates = Object.fromEntries(data.rates.map((rate) => [rate.code, Number(rate.hourly_rate)]));
  const cents = (amount) => Math.round(amount * 100) / 100;
  const lines = new Rows(
    document.getElementById("line-rows"),
    document.getElementById("line-row"),
    "lines",
    text.line_row,
    () => preview(),
  );

  function unitPrice(line) {
    if (line.item_code) return prices[line.item_code];
    const hours = parseNumber(line.hours);
    return line.resource in rates && hours > 0 ? cents(rates[line.resource] * hours) : NaN;
  }

  /** The running total as the server will price it; the saved quotation is the server's. */
  function preview() {
    let net = 0;
    lines.rows.forEach((row, index) => {
      const line = lines.values()[index];
      const custom = !line.item_code;
      for (const control of row.querySelectorAll("[data-custom]")) control.disabled = !custom;
      const quantity = parseNumber(line.quantity);
      const total = cents(unitPrice(line) * quantity);
      row.querySelector("[data-line-total]").textContent = Number.isFinite(total) ? euros.format(total) : "–";
      if (Number.isFinite(total)) net += total;
    });
    // The chosen customer's VAT treatment today (Finnish VAT until one is chosen).
    const customer = data.vat_of_customers[form.querySelector("#organisation").value];
    const rule = customer ? customer.rule : "domestic";
    const rate = customer ? customer.rate : data.vat_rate;
    const vat = cents((net * rate) / 100);
    document.getElementById("preview-vat-label").textContent =
      rule === "domestic" ? fill(text.vat_domestic, { rate: new Intl.NumberFormat(language).format(rate) }) : text[`vat_${rule}`];
    document.getElementById("preview-net").textContent = euros.format(net);
    document.getElementById("preview-vat").textContent = euros.format(vat);
    document.getElementById("preview-total").textContent = euros.format(cents(net + vat));
  }

  lines.add();
  preview();
  form.querySelector("#organisation").addEventListener("change", () => preview());
  document.getElementById("add-line").addEventListener("click", () => {
    lines.add().querySelector("select").focus();
    preview();
  });
  postOnSubmit(form, "/api/v1/quotations", (made) => `/quotations/${made.id}`, () => {
    const value = (name) => form.elements[name]?.value.trim() ?? "";
    const body = {
      organisation_id: intOrRaw(value("organisation_id")),
      service: value("service"),
      issued_on: value("issued_on"),
      valid_until: value("valid_until"),
      ...optional([
        ["customer_reference", value("customer_reference")],
        ["delivery_days", value("delivery_days") && intOrRaw(value("delivery_days"))],
        ["request_id", value("request_id") && intOrRaw(value("request_id"))],
        ["price_list_id", value("price_list_id") && intOrRaw(value("price_list_id"))],
      ]),
      lines: lines.values().map((line) =>
        line.item_code
          ? { item_code: line.item_code, quantity: intOrRaw(line.quantity) }
          : {
              ...optional([
                ["description", line.description],
                ["resource", line.resource],
                ["hours", decimal(line.hours)],
              ]),
              quantity: intOrRaw(line.quantity),
            },
      ),
    };
    return body;
  });
}

// -- the job an order opens: its items ----------------------------------------------------

function wireOpenJob(form) {
  const items = new Rows(
    document.getElementById("job-item-rows"),
    document.getElementById("job-item-row"),
    "items",
    text.item_row,
  );
  items.add();
  document.getElementById("add-job-item").addEventListener("click", () => items.add().querySelector("input").focus());
  postOnSubmit(form, "/api/v1/jobs", (job) => `/jobs/${job.id}`, () => {
    const body = {
      organisation_id: Number(form.dataset.organisation),
      kind: form.dataset.kind,
      quotation_id: Number(form.dataset.quotation),
      items: items.values().map((item) => ({ kind: form.dataset.itemKind, ...optional(Object.entries(item)) })),
    };
    return body;
  });
}

const wiring = {
  "price-model-form": wirePriceModel,
  "price-list-form": wirePriceList,
  "quotation-form": wireQuotation,
  "open-job-form": wireOpenJob,
};
for (const [id, wire] of Object.entries(wiring)) {
  const form = document.getElementById(id);
  if (form) wire(form);
}
