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

// The console menu (a details element, staff/base.html): always open as a side column on a
// wide screen, folded behind "Menu" on a phone; Escape folds it again and returns to "Menu".
(() => {
  const menu = document.getElementById("console-menu");
  if (!menu) return;
  const wide = window.matchMedia("(min-width: 900px)");
  const follow = () => { menu.open = wide.matches; };
  follow();
  wide.addEventListener("change", follow);
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();

// Tables of the console become a list of cards on a phone (console.css, table.stack): each
// cell is shown with its column's heading. Templates may write data-label themselves (then
// the table works so without a script); here every other table with a heading row gets them.
// A table marked data-keep-table stays a table (it scrolls within itself).
document.querySelectorAll(".console-main table").forEach((table) => {
  if (table.dataset.keepTable !== undefined || !table.tHead) return;
  const headings = Array.from(table.tHead.rows[0]?.cells ?? [], (th) => th.textContent.trim());
  Array.from(table.tBodies).forEach((body) => {
    Array.from(body.rows).forEach((row) => {
      let column = 0;
      Array.from(row.cells).forEach((cell) => {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && headings[column]) {
          cell.setAttribute("data-label", headings[column]);
        }
        column += cell.colSpan;
      });
    });
  });
  table.classList.add("stack");
});
