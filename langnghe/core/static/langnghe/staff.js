// Staff console behaviour that needs no framework. Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined) {
    target.form.submit();
  }
});

// A button with data-print prints the page (the stylesheet's print rules leave out the menus,
// the forms and whatever is marked no-print).
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLButtonElement && target.dataset.print !== undefined) {
    window.print();
  }
});
