// OpenISMS behaviour that htmx does not cover. No inline script anywhere (CSP: script-src 'self').
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Close the organisation switcher with Escape, returning focus to it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector("details.menu[open]");
  if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
});
