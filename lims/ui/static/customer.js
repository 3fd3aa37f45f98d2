// The new-customer form shows the fields of the kind chosen (a company's business ID and VAT
// number, a private person's e-mail) and disables the others, so they are not sent: the API
// refuses a private person with a business ID.

const form = document.getElementById("customer-create");

function showFieldsOf(kind) {
  for (const group of form.querySelectorAll("[data-kinds]")) {
    const shown = group.dataset.kinds.split(" ").includes(kind);
    group.hidden = !shown;
    // The group's fields take their places in the form's grid as if it were not there.
    group.style.display = shown ? "contents" : "none";
    for (const field of group.querySelectorAll("input, select, textarea")) field.disabled = !shown;
  }
}

if (form) {
  const kind = form.querySelector("[name=kind]");
  kind.addEventListener("change", () => showFieldsOf(kind.value));
  showFieldsOf(kind.value);
}
