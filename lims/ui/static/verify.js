// The public verification page: the reader's file is hashed here, in the browser (Web Crypto),
// and only its SHA-256 goes to the server, as the ?sha256= the form sends without a script.
// The file itself is never uploaded.

// The whole file is read into memory to hash it; an issued document is a few megabytes.
const LARGEST_FILE = 256 * 1024 * 1024;

const form = document.querySelector("form.verify-file");
const text = JSON.parse(document.getElementById("verify-text").textContent);

function say(message, name) {
  form.querySelector(".file-status").textContent = message.replace("%(name)s", name);
}

async function check(file) {
  if (file.size === 0) return say(text.empty, file.name);
  if (file.size > LARGEST_FILE) return say(text.too_large, file.name);
  say(text.hashing, file.name);
  form.setAttribute("aria-busy", "true");
  try {
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    form.elements.sha256.value = Array.from(new Uint8Array(digest), (byte) =>
      byte.toString(16).padStart(2, "0"),
    ).join("");
    form.submit();
  } catch {
    say(text.unreadable, file.name);
    form.removeAttribute("aria-busy");
  }
}

// Web Crypto exists only in a secure context (HTTPS, or localhost): elsewhere the page keeps
// the hash field alone.
if (form && globalThis.crypto?.subtle) {
  const picker = form.querySelector("input[type=file]");
  form.querySelector(".file-drop").hidden = false;
  picker.addEventListener("change", () => {
    if (picker.files.length) check(picker.files[0]);
  });
  // Anywhere on the page: a file dropped outside a drop target would replace the page.
  document.addEventListener("dragover", (event) => {
    event.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    document.body.classList.remove("dragging");
    if (event.dataTransfer.files.length) check(event.dataTransfer.files[0]);
  });
}
