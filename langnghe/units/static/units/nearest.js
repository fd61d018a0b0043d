// "Dùng vị trí của tôi" (units/_nearest.html): the browser is asked for its location only when
// the citizen presses the button, never on page load. The position is rounded to 2 decimals
// (about 1 km: enough to find the commune, not the house) before it leaves the phone, and the
// page reloads with it (?lat=&lon=); the server lists the nearest units.
(function () {
  "use strict";
  var SAY_TYPE = " Hãy gõ tên phường, xã hoặc địa chỉ vào ô tìm kiếm.";
  document.querySelectorAll("[data-nearest]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("data-status"));
    function say(text) {
      status.textContent = text;
      status.hidden = false;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        say("Trình duyệt này không cho biết vị trí." + SAY_TYPE);
        return;
      }
      button.disabled = true;
      say("Đang xác định vị trí…");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var url = new URL(window.location.href);
          url.search = "";
          url.hash = "nearest";
          url.searchParams.set("lat", position.coords.latitude.toFixed(2));
          url.searchParams.set("lon", position.coords.longitude.toFixed(2));
          window.location.assign(url.toString());
        },
        function (error) {
          button.disabled = false;
          if (error.code === error.PERMISSION_DENIED) {
            say("Ông/bà chưa cho phép dùng vị trí." + SAY_TYPE);
          } else {
            say("Không xác định được vị trí lúc này." + SAY_TYPE);
          }
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
  });
})();
