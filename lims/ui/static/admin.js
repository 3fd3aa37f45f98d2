// Users and API tokens (templates/ui/users.html, user_detail.html, account.html): the forms
// are the common .api-form of lims.js; this keeps their list fields (roles, scopes) and the
// customer's organisation in step with what is ticked, and shows a new token's secret or a
// temporary password once, from the API's answer. Nothing of either is kept on the page.
import { text } from "/static/lims.js";

/** A list the API takes (roles, scopes) lives as JSON in one hidden, labelled field. */
function wireCheckedLists(form) {
  for (const list of form.querySelectorAll("input[data-list-of]")) {
    const boxes = form.querySelectorAll(`input[type=checkbox][data-list="${list.dataset.listOf}"]`);
    const sync = () => {
      list.value = JSON.stringify([...boxes].filter((box) => box.checked).map((box) => box.value));
    };
    for (const box of boxes) box.addEventListener("change", sync);
    sync();
  }
}

/** Only a customer belongs to an organisation: for anyone else the form sends none. */
function wireOrganisationChoice(form) {
  const choice = form.querySelector(".organisation-choice");
  const customer = form.querySelector('input[data-list="roles"][value="customer"]');
  if (!choice || !customer) return;
  const select = choice.querySelector("select");
  const none = choice.querySelector(".no-organisation");
  const show = () => {
    // Set as a style: the .field rule's display would win over the hidden attribute.
    choice.style.display = customer.checked ? "" : "none";
    select.disabled = !customer.checked;
    none.disabled = customer.checked;
  };
  customer.addEventListener("change", show);
  show();
}

/** The date picked becomes the end of that day in the browser's time zone, as the API's
 * timestamp with its offset. */
function wireExpiry(form) {
  const day = form.querySelector("input[type=date]");
  const moment = form.querySelector(".expiry-moment");
  if (!day || !moment) return;
  day.addEventListener("change", () => {
    moment.value = day.value ? new Date(`${day.value}T23:59:59`).toISOString() : "";
  });
}

function showOnce(box, output, secret) {
  output.textContent = secret;
  box.hidden = false;
  box.querySelector("[data-copy]")?.focus();
}

function wireCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const secret = document.getElementById(button.dataset.copy).textContent;
      await navigator.clipboard?.writeText(secret).catch(() => null);
      const status = button.closest(".note")?.querySelector(".copy-status");
      if (status) status.textContent = text.copied;
    });
  }
}

function wireTokenCreation() {
  const form = document.getElementById("token-create");
  const box = document.getElementById("token-created");
  if (!form || !box) return;
  form.addEventListener("api:done", (event) => {
    form.reset();
    form.hidden = true;
    showOnce(box, document.getElementById("token-secret"), event.detail.token);
  });
  // The list is the server's: reloading drops the secret from the page for good.
  document.getElementById("token-done")?.addEventListener("click", () => window.location.reload());
}

function wirePasswordReset() {
  const form = document.getElementById("password-reset");
  const box = document.getElementById("password-reset-result");
  if (!form || !box) return;
  form.addEventListener("api:done", (event) => {
    showOnce(box, document.getElementById("temporary-password"), event.detail.temporary_password);
  });
}

for (const form of document.querySelectorAll("form.user-form, form.token-form")) {
  wireCheckedLists(form);
  wireOrganisationChoice(form);
  wireExpiry(form);
}
wireCopyButtons();
wireTokenCreation();
wirePasswordReset();
