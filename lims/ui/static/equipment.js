// An instrument's page: a calibration with its results per nominal through
// POST /api/v1/equipment/{id}/calibrations, its certificate file through PUT …/certificate
// with the upload's progress, and the trend chart of the intermediate checks.
import {
  ApiError,
  api,
  csrfToken,
  formBody,
  noticeOnNextPage,
  onSubmit,
  showProblem,
  text,
} from "./lims.js";
import { trendChart } from "./charts.js";

/** The server names a row's field results[0].value; the row's control is results.0.value. */
function byRowName(error) {
  for (const item of error.problem?.errors || []) item.field = item.field.replace(/\[(\d+)\]/g, ".$1");
  return error;
}

/** PUT a file with its progress shown: fetch cannot report an upload's progress. */
function upload(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", `${url}?filename=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("accept", "application/json");
    request.setRequestHeader("content-type", "application/octet-stream");
    request.setRequestHeader("x-csrf-token", csrfToken());
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
    });
    request.addEventListener("load", () => {
      let answer = {};
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = { status: request.status };
      }
      if (request.status >= 200 && request.status < 300) resolve(answer);
      else reject(new ApiError({ status: request.status, ...answer }));
    });
    request.addEventListener("error", () => reject(new ApiError({ detail: text.network })));
    request.send(file);
  });
}

/** Send ``file`` to ``url``, showing the progress in the form's bar and status line. */
async function sendCertificate(form, url, file) {
  const progress = form.querySelector(".upload-progress");
  const status = form.querySelector(".upload-status");
  progress.hidden = false;
  progress.value = 0;
  try {
    await upload(url, file, (percent) => {
      progress.value = percent;
      status.textContent = text.upload_percent.replace("%(percent)s", percent);
    });
    status.textContent = text.uploaded;
  } finally {
    progress.hidden = true;
  }
}

function wireResultRows(form) {
  const body = form.querySelector("#cal-results tbody");
  const template = document.getElementById("cal-result-row");
  // Names follow the row's place, so a refusal of results[1] names the second row's field.
  const renumber = () => {
    [...body.rows].forEach((row, index) => {
      for (const input of row.querySelectorAll("[data-field]")) {
        input.name = `results.${index}.${input.dataset.field}`;
        input.id = `cal-result-${index}-${input.dataset.field}`;
      }
      for (const label of row.querySelectorAll("label[data-for]")) {
        label.htmlFor = `cal-result-${index}-${label.dataset.for}`;
      }
    });
  };
  const addRow = () => {
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelector("[data-remove]").addEventListener("click", () => {
      if (body.rows.length > 1) row.remove();
      renumber();
    });
    body.append(row);
    renumber();
    return row;
  };
  document.getElementById("cal-add-result").addEventListener("click", () => {
    addRow().querySelector("[data-field=nominal]").focus();
  });
  addRow();
}

function wireCalibration() {
  const form = document.getElementById("calibration-form");
  if (!form) return;
  wireResultRows(form);
  onSubmit(form, {
    build: (filled) => {
      const body = formBody(filled);
      return { ...body, results: Object.values(body.results || {}) };
    },
    send: async (body) => {
      const file = document.getElementById("cal-file").files[0];
      const calibration = await api("POST", form.dataset.action, body);
      // A refused file leaves the calibration recorded: the page moves on to show it (so that
      // sending the form again cannot record it twice) and says there that the file was not
      // taken; the calibration's own upload form takes another.
      if (file) {
        try {
          await sendCertificate(form, `${form.dataset.action}/${calibration.id}/certificate`, file);
        } catch (error) {
          const refusal = document.createElement("p");
          showProblem(refusal, byRowName(error), form);
          noticeOnNextPage(text.certificate_refused.replace("%(problem)s", refusal.textContent));
        }
      }
      window.location.reload();
    },
    explain: byRowName,
  });
}

function wireCertificateUploads() {
  for (const form of document.querySelectorAll("form.certificate-upload")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const alert = form.querySelector(".form-error");
      alert.textContent = "";
      const file = form.querySelector("input[type=file]").files[0];
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await sendCertificate(form, form.dataset.action, file);
        window.location.reload();
      } catch (error) {
        showProblem(alert, byRowName(error), form);
      } finally {
        button.disabled = false;
      }
    });
  }
}

function drawChecks() {
  const place = document.getElementById("check-chart");
  const readings = JSON.parse(document.getElementById("check-readings")?.textContent || "[]");
  if (place && readings.length) place.append(trendChart(readings, text.chart_label));
}

wireCalibration();
wireCertificateUploads();
drawChecks();
