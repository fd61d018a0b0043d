/* "Gửi ẩn danh": the name, phone and contact address are hidden and disabled (a disabled field
   is not sent; the server ignores them for an anonymous tip in any case). */
(function () {
  var box = document.getElementById("f-anonymous");
  var identity = document.getElementById("reporter-identity");
  if (!box || !identity) return;
  function apply() {
    identity.hidden = box.checked;
    identity.querySelectorAll("input").forEach(function (input) {
      input.disabled = box.checked;
    });
  }
  box.addEventListener("change", apply);
  apply();
})();
