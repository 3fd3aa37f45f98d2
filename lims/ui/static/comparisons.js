// The comparisons page: a new test-piece template with its features as rows of a table.
import { api, formBody, onSubmit, text } from "./lims.js";

const form = document.getElementById("new-template");
const rows = form?.querySelector("[data-feature-rows]");
const rowTemplate = document.getElementById("feature-row");
const INITIAL_ROWS = 3;

function addRow() {
  const index = rows.querySelectorAll("tr").length;
  const row = rowTemplate.content.firstElementChild.cloneNode(true);
  for (const element of row.querySelectorAll("[id], [for], [name]")) {
    for (const attribute of ["id", "for", "name"]) {
      const value = element.getAttribute(attribute);
      if (value) element.setAttribute(attribute, value.replace("N", String(index)));
    }
  }
  // The row's labels number the features from one, as a person counts them.
  for (const label of row.querySelectorAll("label")) {
    label.textContent = label.textContent.replace("N", String(index + 1));
  }
  rows.append(row);
  return row;
}

/** The features named ``features[0].label`` … as the list the API takes, in row order;
 * a row without a label is an unused row, not a feature. */
function features(body) {
  return Object.keys(body)
    .filter((key) => /^features\[\d+\]$/.test(key))
    .sort((a, b) => Number(a.match(/\d+/)[0]) - Number(b.match(/\d+/)[0]))
    .map((key) => body[key])
    .filter((feature) => feature.label);
}

if (form) {
  for (let count = 0; count < INITIAL_ROWS; count += 1) addRow();
  document.getElementById("add-feature").addEventListener("click", () => {
    addRow().querySelector("input").focus();
  });
  onSubmit(form, {
    build: (filled) => {
      const body = formBody(filled);
      const listed = features(body);
      if (!listed.length) {
        throw Object.assign(new Error(text.no_features), {
          field: filled.querySelector("[name='features[0].label']"),
        });
      }
      return { code: body.code, name: body.name, standard: body.standard, features: listed };
    },
    send: async (template) => {
      await api("POST", "/api/v1/test-piece-templates", template);
      window.location.reload();
    },
  });
}
