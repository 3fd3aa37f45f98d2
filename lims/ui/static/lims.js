// The pages' common script: calls to /api/v1 with the session cookie and the CSRF token,
// forms that send JSON to the API, login, logout and the interface language.
// Plain ES module, no build step; every rule stays on the server.

const readText = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
/** Translated strings the page handed over (lims.ui templates, domain "ui"): the common ones
 * of base.html and the page's own (its ``page_text`` block). */
export const text = { ...readText("ui-text"), ...readText("page-text") };

export const csrfToken = () =>
  document.cookie.split("; ").find((c) => c.startsWith("lims_csrf="))?.split("=")[1] ?? "";

/** A failed API call, carrying the RFC 9457 problem the server answered. */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || text.failed);
    this.problem = problem;
  }
}

/** Call the API: JSON in and out; changes carry the CSRF token (double submit). */
export async function api(method, url, body, { raw = false, contentType } = {}) {
  // The API words its refusals in the language asked for: the page's.
  const headers = { accept: "application/json", "accept-language": document.documentElement.lang };
  if (method !== "GET") headers["x-csrf-token"] = csrfToken();
  let payload;
  if (raw) {
    payload = body;
    headers["content-type"] = contentType || "application/octet-stream";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError({ detail: text.network });
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(data);
  return data;
}

/** A person's number: "0,4", "0.4", "1 234,5" or "11.5e-6". NaN when it is none. */
export function parseNumber(value) {
  const cleaned = String(value).trim().replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
  if (cleaned === "" || !/^[-+\u2212]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) return NaN;
  return Number(cleaned.replace("\u2212", "-"));
}

/** Readings separated by spaces, semicolons or a comma followed by a space. */
export function parseNumbers(value) {
  return String(value)
    .split(/[;\s]+|,\s+/)
    .filter((part) => part !== "")
    .map(parseNumber);
}

const language = document.documentElement.lang || "fi";
const numberFormat = new Intl.NumberFormat(language, { maximumSignificantDigits: 6 });

/** A number in the page's language (decimal comma in Finnish). */
export function formatNumber(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return String(value);
  const format = digits
    ? new Intl.NumberFormat(language, { maximumSignificantDigits: digits })
    : numberFormat;
  return format.format(Object.is(value, -0) ? 0 : value);
}

/** A value written to the decimal place of two significant digits of its uncertainty. */
export function formatAt(value, uncertainty) {
  if (value === null || value === undefined) return "–";
  if (!(uncertainty > 0) || !Number.isFinite(uncertainty)) return formatNumber(value);
  const decimals = Math.min(20, Math.max(0, 1 - Math.floor(Math.log10(uncertainty))));
  const format = new Intl.NumberFormat(language, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return format.format(Object.is(value, -0) ? 0 : value);
}

class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

function setPath(target, path, value) {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts.at(-1)] = value;
}

function fieldName(element) {
  const label = element.labels?.[0];
  return label ? label.textContent.replace("*", "").trim() : element.name;
}

/** The form's fields as the JSON body the API takes (names with dots nest). */
export function formBody(form) {
  const body = {};
  for (const element of form.elements) {
    if (!element.name || element.disabled) continue;
    const type = element.dataset.type;
    let value;
    if (type === "bool") {
      value = element.checked;
    } else {
      const raw = element.value.trim();
      if (raw === "") {
        if (element.required) throw new FieldError(element, `${fieldName(element)} ${text.required}`);
        continue;
      }
      if (type === "number" || type === "int") {
        value = parseNumber(raw);
        if (Number.isNaN(value) || (type === "int" && !Number.isInteger(value)))
          throw new FieldError(element, `${fieldName(element)}: “${raw}” ${text.not_a_number}`);
      } else if (type === "numbers") {
        value = parseNumbers(raw);
        const bad = value.findIndex(Number.isNaN);
        if (bad >= 0) throw new FieldError(element, `${fieldName(element)} ${text.not_a_number}`);
      } else if (type === "json") {
        value = JSON.parse(raw);
      } else {
        value = raw;
      }
    }
    setPath(body, element.name, value);
  }
  return body;
}

/** A field the server named (``contacts[0].email``) by its label on the page: the field
 * itself, else the nearest one it is part of (``equipment`` for ``equipment.gauge_blocks``);
 * null when the form has none, for a path means nothing to the person reading. */
function fieldLabel(form, field) {
  for (let path = field; path; path = path.replace(/(\.[^.[\]]*|\[\d+\])$/, "")) {
    const element = form?.querySelector(`[name="${CSS.escape(path)}"]`);
    if (element) return fieldName(element);
    if (!/[.[]/.test(path)) break;
  }
  return null;
}

/** Show a refusal: first what kind of refusal it is in the page's language, then the
 * server's own words, and which fields it names (by their labels where the form has them). */
export function showProblem(alert, error, form = alert?.closest("form")) {
  if (!alert) return;
  const problem = error.problem || { detail: error.message };
  // A busy server is said in the page's own words, with the wait it asks for.
  const busy = (problem.type || "").endsWith("/busy") && text.server_busy;
  const detail = busy ? text.server_busy.replace("%(seconds)s", problem.retry_after) : problem.detail;
  const lead = text[`refused_${problem.status}`];
  const lines = [lead && !busy ? `${lead}: ${detail || ""}`.replace(/: $/, "") : detail || text.failed];
  for (const item of problem.errors || []) {
    const label = fieldLabel(form, item.field);
    // Without a label the field's words add nothing where they repeat the detail.
    if (label) lines.push(`${label}: ${item.message}`);
    else if (item.message !== detail) lines.push(item.message);
  }
  alert.textContent = lines.join(" · ");
  for (const item of problem.errors || []) {
    form?.querySelector(`[name="${CSS.escape(item.field)}"]`)?.setAttribute("aria-invalid", "true");
  }
}

/** Hold ``button`` while a long action runs (issuing, exporting, importing, reading a
 * model): disabled and aria-busy at once and, should the answer take longer than a blink,
 * a spinner with ``words`` ("Myönnetään…") beside it, or in the page's own ``status`` line
 * (marked .busy), which may say more as the work goes on. Returns the function that lets go. */
export function busy(button, words = text.working, { after = 300, status } = {}) {
  if (!button) return () => {};
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  // The live region is in place before its words, so that a screen reader says them.
  const line = status ?? document.createElement("span");
  line.classList.add("busy");
  if (!status) {
    line.setAttribute("role", "status");
    button.after(line);
  }
  const timer = setTimeout(() => {
    line.textContent ||= words;
  }, after);
  return () => {
    clearTimeout(timer);
    if (status) status.textContent = "";
    else line.remove();
    button.disabled = false;
    button.removeAttribute("aria-busy");
  };
}

/** Set once the page is being left for another: a held button stays held till it goes. */
let leaving = false;

/** Where a form goes once the API has taken it: ``data-then`` is "reload" (the default),
 * "redirect:/path/{id}" (the answer's id) or "event" (an ``api:done`` event on the form). */
export function followThen(form, answer) {
  const then = form.dataset.then || "reload";
  if (then !== "event") leaving = true;
  if (then === "reload") window.location.reload();
  else if (then.startsWith("redirect:"))
    window.location.assign(then.slice(9).replace("{id}", answer?.id ?? ""));
  else form.dispatchEvent(new CustomEvent("api:done", { detail: answer }));
}

/** Send ``form`` on submit the one way every form is sent: the last refusal's marks cleared,
 * the question asked where ``confirm`` gives one, the body built by ``build`` (an error it
 * throws is shown and its ``field`` focused; nothing is sent), the button held while
 * ``send(body)`` runs (with the words of the page text ``data-busy`` names when it is
 * slow), and a refusal shown in the form's alert (``explain`` may first name a row's field
 * the way the page labels it). */
export function onSubmit(
  form,
  { build = formBody, send, explain = (error) => error, confirm, alert = form.querySelector(".form-error") },
) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (alert) alert.textContent = "";
    for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
    if (confirm && !window.confirm(confirm)) return;
    let body;
    try {
      body = build(form);
    } catch (error) {
      if (alert) alert.textContent = error.message;
      error.field?.focus();
      return;
    }
    const release = busy(form.querySelector("button[type=submit]"), text[form.dataset.busy]);
    form.setAttribute("aria-busy", "true");
    try {
      await send(body);
    } catch (error) {
      showProblem(alert, explain(error), form);
    } finally {
      if (!leaving) release();
      form.removeAttribute("aria-busy");
    }
  });
}

/** Forms marked .api-form send their fields to data-action and then go where data-then says. */
function wireApiForms(root = document) {
  for (const form of root.querySelectorAll("form.api-form")) {
    onSubmit(form, {
      // A question whose words the page forgot is still asked (by its key), never skipped.
      confirm: form.dataset.confirm && (text[form.dataset.confirm] ?? form.dataset.confirm),
      send: async (body) =>
        followThen(form, await api(form.dataset.method || "POST", form.dataset.action, body)),
    });
  }
}

/** Download what ``url`` answers as a file, holding ``button`` meanwhile; a refusal is shown
 * in ``alert`` in the page's language instead of leaving the page for the raw problem. */
export async function download(url, { button, words = text.working, alert } = {}) {
  if (alert) alert.textContent = "";
  const release = busy(button, words);
  try {
    let response;
    try {
      // A refusal is worded in the page's language, as api()'s are.
      const headers = { accept: "application/json, */*", "accept-language": language };
      response = await fetch(url, { headers, credentials: "same-origin" });
    } catch {
      throw new ApiError({ detail: text.network });
    }
    if (!response.ok) throw new ApiError(await response.json().catch(() => ({})));
    const name = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") || "");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = name ? name[1] : "";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  } catch (error) {
    showProblem(alert, error);
  } finally {
    release();
  }
}

/** Links marked data-download (a file the API makes: a records bundle) and forms marked
 * .download-form (GET with their fields as the query) download with download(). */
function wireDownloads() {
  for (const link of document.querySelectorAll("a[data-download]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      if (link.getAttribute("aria-busy") === "true") return;
      const alert = document.getElementById(link.dataset.alert);
      download(link.href, { button: link, words: text[link.dataset.busy], alert });
    });
  }
  for (const form of document.querySelectorAll("form.download-form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const url = new URL(form.action);
      for (const [name, value] of new FormData(form)) url.searchParams.set(name, value);
      download(url, {
        button: form.querySelector("button[type=submit]"),
        words: text[form.dataset.busy],
        alert: form.querySelector(".form-error"),
      });
    });
  }
}

const NOTICE = "lims-notice";

/** Say ``message`` at the top of the next page this tab shows: a form that moved on to the
 * record it made tells there what went wrong after (a file of a submitted job refused). */
export function noticeOnNextPage(message) {
  sessionStorage.setItem(NOTICE, message);
}

function showNotice() {
  const message = sessionStorage.getItem(NOTICE);
  if (!message) return;
  sessionStorage.removeItem(NOTICE);
  const notice = document.createElement("p");
  notice.className = "warning notice";
  notice.setAttribute("role", "alert");
  notice.textContent = message;
  document.getElementById("main")?.prepend(notice);
}

/** The menu folds under its button on a phone (lims.css); the button says whether it is open. */
function wireMenu() {
  const toggle = document.querySelector(".menu-toggle");
  toggle?.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  });
}

function wireLogin() {
  const form = document.getElementById("login");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("login-error");
    error.textContent = "";
    try {
      await api("POST", "/api/v1/auth/login", {
        username: form.username.value,
        password: form.password.value,
      });
      // The server rendered only a path of this site (lims.ui.session.safe_next).
      window.location.assign(form.dataset.next || "/");
    } catch (problem) {
      error.textContent = problem.message;
    }
  });
}

/** The account page's password change: both new passwords alike, then the API decides. */
function wirePasswordChange() {
  const form = document.getElementById("password-change");
  if (!form) return;
  const error = document.getElementById("password-change-error");
  const status = document.getElementById("password-change-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    status.textContent = "";
    if (form.new_password.value !== form.repeat_password.value) {
      error.textContent = form.dataset.mismatch;
      form.repeat_password.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      // The answer brings a new session cookie: every earlier one has ended.
      await api("POST", "/api/v1/auth/password", {
        current_password: form.current_password.value,
        new_password: form.new_password.value,
      });
      if (form.dataset.then) {
        window.location.assign(form.dataset.then);
        return;
      }
      form.reset();
      status.textContent = form.dataset.changed;
    } catch (problem) {
      showProblem(error, problem);
    } finally {
      button.disabled = false;
    }
  });
}

function wireMasthead() {
  document.getElementById("logout")?.addEventListener("click", async () => {
    await api("POST", "/api/v1/auth/logout").catch(() => null);
    window.location.assign("/login");
  });
  // The choice is remembered on the account; a one-page ?lang= would outvote it, so it goes.
  for (const button of document.querySelectorAll("[data-language]")) {
    button.addEventListener("click", async () => {
      await api("PATCH", "/api/v1/auth/me", { language: button.dataset.language });
      const url = new URL(window.location.href);
      url.searchParams.delete("lang");
      if (url.href === window.location.href) window.location.reload();
      else window.location.assign(url);
    });
  }
}

wireLogin();
wirePasswordChange();
wireMasthead();
wireMenu();
showNotice();
wireApiForms();
wireDownloads();
