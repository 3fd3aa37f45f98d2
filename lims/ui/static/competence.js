// The competence page's grant form: the staff member chosen decides the API address
// (POST /api/v1/staff/{id}/authorisations); every rule stays with the service.
import { text } from "./lims.js";

const form = document.getElementById("grant-authorisation");
const staff = document.getElementById("grant-staff");

if (form && staff) {
  const address = () => {
    form.dataset.action = staff.value ? staff.dataset.actionTemplate.replace("{id}", staff.value) : "";
  };
  staff.addEventListener("change", address);
  address();
  // Before the common form handler (a capturing listener on the form runs first): the
  // person is part of the address, not of the body, so the common check cannot see it.
  form.addEventListener(
    "submit",
    (event) => {
      if (staff.value) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      form.querySelector(".form-error").textContent = `${staff.labels[0].textContent.replace("*", "").trim()} ${text.required}`;
      staff.focus();
    },
    { capture: true },
  );
}
