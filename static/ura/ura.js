// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Selects marked data-autosubmit submit their form on change (the language switch).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});
