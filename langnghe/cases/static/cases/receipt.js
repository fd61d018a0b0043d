// The page shown once after a tip is sent: copy each code, print the codes, or save them in a
// small text file. Loaded as a file (the CSP forbids inline scripts); without JavaScript the
// buttons stay hidden and the page says how to keep the codes by hand.
(function () {
  "use strict";
  var sheet = document.getElementById("receipt-sheet");
  if (!sheet) return;

  function codeOf(id) {
    var node = document.getElementById(id);
    return node ? node.textContent.trim() : "";
  }

  function say(status, text) {
    status.textContent = "";
    // A fresh text, so a screen reader announces the same words a second time too.
    window.setTimeout(function () { status.textContent = text; }, 30);
  }

  function copyByCommand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  function selectCode(id) {
    var node = document.getElementById(id);
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(button) {
    var id = button.getAttribute("data-copy");
    var text = codeOf(id);
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    var done = function () {
      button.classList.add("copied");
      say(status, "Đã chép");
    };
    var failed = function () {
      if (copyByCommand(text)) return done();
      selectCode(id);
      say(status, "Chưa chép được: mã đã được bôi đen, hãy nhấn giữ để chép.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  }

  function download() {
    var origin = window.location.origin;
    var lines = [
      "Lắng Nghe - mã của tin báo, phản ánh đã gửi",
      "",
      "Mã tra cứu: " + codeOf("tracking-code"),
      "  Xem tình trạng xử lý: " + origin + "/phan-anh/tra-cuu/",
    ];
    var receipt = codeOf("receipt");
    if (receipt) {
      lines.push(
        "",
        "Mã biên nhận (mật khẩu riêng, không đưa cho người khác): " + receipt,
        "  Đọc trả lời, gửi thêm thông tin: " + origin + "/phan-anh/bien-nhan/",
        "  Mã không thể cấp lại nếu mất."
      );
    }
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/plain;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = sheet.getAttribute("data-file-name") || "ma-tin-bao.txt";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  sheet.querySelectorAll(".copy-row, .save-row").forEach(function (row) { row.hidden = false; });
  sheet.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
  document.getElementById("receipt-print").addEventListener("click", function () { window.print(); });
  document.getElementById("receipt-download").addEventListener("click", download);
})();
