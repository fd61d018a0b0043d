// Unit picker of the staff console (units/_unit_picker.html): a text input becomes an ARIA
// combobox; typing asks the page's JSON endpoint (units the person may choose, searched without
// diacritics) and choosing fills the hidden code field (or adds a checked box when several
// units are chosen). The server checks the choice again. Loaded as a file: the CSP forbids
// inline scripts; safe to load twice.
(() => {
  if (window.unitPickerReady) return;
  window.unitPickerReady = true;

  function setup(root) {
    const input = root.querySelector('input[type="text"]');
    const list = root.querySelector('[role="listbox"]');
    const code = root.querySelector("[data-unit-code]");
    const picked = root.querySelector("[data-unit-picked]");
    const hint = root.querySelector(".unit-picker-hint");
    const multiple = root.dataset.multiple !== undefined;
    let options = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = list.querySelectorAll('[role="option"]');
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      const unit = options[index];
      if (!unit) return;
      if (multiple) {
        const already = picked.querySelector(`input[value="${CSS.escape(unit.code)}"]`);
        if (already) {
          already.checked = true;
        } else {
          const label = document.createElement("label");
          const box = document.createElement("input");
          box.type = "checkbox";
          box.name = root.dataset.name;
          box.value = unit.code;
          box.checked = true;
          label.append(box, " " + unit.name);
          picked.append(label);
        }
        input.value = "";
        hint.textContent = `Đã thêm ${unit.name}.`;
      } else {
        input.value = unit.name;
        code.value = unit.code;
        hint.textContent = `Đã chọn ${unit.name}.`;
      }
      close();
    }

    function show(units) {
      options = units;
      list.replaceChildren();
      units.forEach((unit, i) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${i}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = unit.name;
        if (unit.parent_name) {
          const parent = document.createElement("small");
          parent.textContent = unit.parent_name;
          item.append(parent);
        }
        item.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep the focus in the input
          choose(i);
        });
        list.append(item);
      });
      list.hidden = units.length === 0;
      input.setAttribute("aria-expanded", String(units.length > 0));
      hint.textContent = units.length
        ? `${units.length} đơn vị phù hợp. Dùng phím mũi tên và Enter để chọn.`
        : "Không có đơn vị phù hợp trong danh sách bạn được chọn.";
      active = -1;
    }

    async function search() {
      const ticket = ++asked;
      const url = new URL(root.dataset.source, window.location.origin);
      url.searchParams.set("q", input.value.trim());
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (ticket !== asked) return;
        if (!response.ok) {
          show([]);
          hint.textContent = "Không tải được danh sách đơn vị. Bạn vẫn có thể gõ đủ tên đơn vị rồi gửi.";
          return;
        }
        show(await response.json());
      } catch {
        if (ticket === asked) hint.textContent = "Không tải được danh sách đơn vị. Bạn vẫn có thể gõ đủ tên đơn vị rồi gửi.";
      }
    }

    input.addEventListener("input", () => {
      if (code) code.value = ""; // typed text no longer names the chosen unit
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("focus", () => {
      if (!input.value.trim() && !options.length) search();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault(); // choose, do not submit the form
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  function start() {
    document.querySelectorAll("[data-unit-picker]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
