// Duty desk console: live updates over the websocket, replies without reloading.
(function () {
  "use strict";
  const box = document.querySelector(".inbox");
  if (!box) return;
  const selected = box.dataset.selected;
  const me = box.dataset.me;
  const thread = document.getElementById("thread");
  const list = document.getElementById("conversation-list");
  const status = document.getElementById("inbox-live");
  const form = document.getElementById("reply-form");
  const csrf = form ? form.querySelector("[name=csrfmiddlewaretoken]").value : "";
  const labels = {received: "Đã nhận", pending: "Đang gửi", sent: "Đã gửi", delivered: "Đã đến",
    seen: "Đã xem", failed: "Không gửi được"};

  // "04:35 06/12" in the province's time, as the server writes it (template "H:i d/m"),
  // whatever the time zone of the officer's browser.
  const clock = new Intl.DateTimeFormat("en-GB", {timeZone: "Asia/Ho_Chi_Minh",
    hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", hourCycle: "h23"});
  function serverTime(when) {
    const part = {};
    clock.formatToParts(when).forEach(function (p) { part[p.type] = p.value; });
    return part.hour + ":" + part.minute + " " + part.day + "/" + part.month;
  }

  function addMessage(m) {
    if (!thread || thread.querySelector('[data-message="' + m.id + '"]')) return;
    const li = document.createElement("li");
    li.className = "msg " + m.direction + (m.automatic ? " auto" : "");
    li.dataset.message = m.id;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = m.text;
    const meta = document.createElement("small");
    meta.className = "muted";
    const when = new Date(m.sent_at);
    meta.append(serverTime(when) + " · ");
    const delivery = document.createElement("span");
    delivery.className = "delivery";
    delivery.textContent = labels[m.delivery] || m.delivery;
    meta.append(delivery);
    li.append(text, meta);
    thread.append(li);
    li.scrollIntoView({block: "nearest"});
  }

  function alarm(event) {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.6);
    } catch (e) { /* no audio */ }
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("Tin khẩn cấp", {body: (event.unit_name || "đơn vị") + ": gọi " + event.number});
    }
    status.textContent = "KHẨN CẤP tại " + (event.unit_name || "đơn vị") + " — xem hội thoại #" + event.conversation;
    status.className = "alert error";
  }

  // A conversation given to this officer (by a colleague, or an emergency by the duty roster
  // to the officer leading the shift): said at once, with a notification when urgent.
  function assigned(event) {
    status.textContent = (event.urgent ? "KHẨN CẤP — " : "") + "Hội thoại #" +
      event.conversation + " vừa được giao cho bạn.";
    status.className = event.urgent ? "alert error" : "alert success";
    status.dataset.assigned = String(event.conversation);
    if (event.urgent && "Notification" in window && Notification.permission === "granted") {
      new Notification("Tin khẩn cấp giao cho bạn", {body: "Hội thoại #" + event.conversation});
    }
  }

  function touchRow(event) {
    let row = list && list.querySelector('[data-conversation="' + event.conversation + '"]');
    if (!row && list) {
      row = document.createElement("li");
      row.dataset.conversation = event.conversation;
      const a = document.createElement("a");
      a.href = "?c=" + event.conversation;
      a.textContent = "Người dân #" + event.conversation;
      const badge = document.createElement("span");
      badge.className = "badge unread";
      const where = document.createElement("small");
      where.className = "muted";
      where.textContent = event.unit_name || "";
      row.append(a, " ", badge, " ", where);
      const empty = list.querySelector(".empty");
      if (empty) empty.remove();
    }
    if (!row) return;
    list.prepend(row);
    if (event.message && event.message.text) {
      let preview = row.querySelector(".preview");
      if (!preview) {
        preview = document.createElement("p");
        preview.className = "preview";
        row.append(preview);
      }
      const text = event.message.text;
      preview.textContent = (event.message.direction === "out" ? "Đơn vị: " : "") +
        (text.length > 80 ? text.slice(0, 79) + "…" : text);
    }
    if (event.urgent) row.classList.add("urgent");
    const badge = row.querySelector(".unread");
    if (badge && String(event.conversation) !== selected) {
      badge.textContent = event.unread;
      badge.hidden = !event.unread;
    }
  }

  function onEvent(event) {
    if (event.kind === "urgent") alarm(event);
    if (event.kind === "assign" && me && String(event.assignee) === me) assigned(event);
    if (String(event.conversation) === selected) {
      if (event.kind === "message") addMessage(event.message);
      if (event.kind === "delivery") {
        const el = thread && thread.querySelector('[data-message="' + event.message_id + '"] .delivery');
        if (el) el.textContent = (labels[event.delivery] || event.delivery) + (event.note ? " — " + event.note : "");
      }
    }
    if (event.kind === "message") touchRow(event);
  }

  function connect(delay) {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(proto + location.host + "/ws/inbox/");
    ws.onopen = function () {
      status.textContent = "Đang cập nhật trực tiếp.";
      status.dataset.live = "1";
      delay = 1000;
    };
    ws.onmessage = function (e) { onEvent(JSON.parse(e.data)); };
    // The server closes with a code when the socket is not (or no longer) allowed: say why,
    // and do not retry in a loop.
    const refusals = {
      4401: "Phiên đăng nhập đã kết thúc. Hãy đăng nhập lại để nhận tin trực tiếp.",
      4403: "Vai trò của bạn không nhận tin nhắn của người dân trực tiếp.",
      4428: "Cần xác thực hai bước trước khi nhận tin trực tiếp.",
    };
    ws.onclose = function (e) {
      status.dataset.live = "";
      if (refusals[e.code]) {
        status.textContent = refusals[e.code];
        status.className = "alert error";
        return;
      }
      status.textContent = "Mất kết nối trực tiếp, đang thử lại…";
      setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    };
  }
  if ("WebSocket" in window) connect(1000);
  if ("Notification" in window && Notification.permission === "default") {
    document.addEventListener("click", function ask() {
      Notification.requestPermission();
      document.removeEventListener("click", ask);
    });
  }

  const use = document.getElementById("use-suggestion");
  if (use) use.addEventListener("click", function () {
    document.getElementById("reply-text").value = use.dataset.text;
  });

  const canned = document.getElementById("canned-reply");
  if (canned) canned.addEventListener("change", function () {
    if (canned.value) document.getElementById("reply-text").value = canned.value;
  });

  if (form) form.addEventListener("submit", async function (e) {
    const action = e.submitter ? e.submitter.value : "reply";
    if (action !== "reply") return; // notes, status, case: the plain form
    e.preventDefault();
    const text = document.getElementById("reply-text");
    const error = document.getElementById("reply-error");
    const response = await fetch("/api/v1/inbox/conversations/" + form.dataset.conversation + "/messages", {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      credentials: "same-origin",
      body: JSON.stringify({text: text.value}),
    });
    const data = await response.json();
    if (!response.ok) {
      error.textContent = data.detail || "Không gửi được.";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    text.value = "";
    addMessage(data);
  });
})();
