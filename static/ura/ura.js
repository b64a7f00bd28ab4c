// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Selects marked data-autosubmit submit their form on change (the language switch).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

// Parts of a form that apply to one answer only: <div data-show-when="decision=open_case|panel_agenda">
// or data-show-when="is_crisis=checked". Without script everything shows, and the server checks.
function uraFieldValue(form, name) {
  const fields = form.querySelectorAll(`[name="${name}"]`);
  for (const field of fields) {
    if (field.type === "checkbox") return field.checked ? "checked" : "";
    if (field.type === "radio") { if (field.checked) return field.value; continue; }
    return field.value;
  }
  return "";
}

function uraToggle(root) {
  root.querySelectorAll("[data-show-when]").forEach((element) => {
    const form = element.closest("form");
    if (!form) return;
    const [name, values] = element.dataset.showWhen.split("=");
    element.hidden = !values.split("|").includes(uraFieldValue(form, name));
  });
}

document.addEventListener("DOMContentLoaded", () => uraToggle(document));
document.addEventListener("change", () => uraToggle(document));
document.addEventListener("htmx:afterSwap", (event) => uraToggle(event.target));

// A form sent twice (a double tap on a tablet) is sent once; htmx forms manage their own requests.
document.addEventListener("submit", (event) => {
  const form = event.target;
  // Held by another script (offline, keep.js; signing out, offline.js): not sent, so not marked.
  if (event.defaultPrevented) return;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  if ([...form.attributes].some((attribute) => attribute.name.startsWith("hx-"))) return;
  if (form.dataset.submitting) { event.preventDefault(); return; }
  form.dataset.submitting = "true";
});

// A failed form: the error summary takes the focus, so a screen reader reads it first (GOV.UK).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});

// A button marked data-print prints the page (the yearly report).
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("[data-print]")) window.print();
});
