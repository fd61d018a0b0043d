// Web chat on a unit page: the signed token lives in localStorage (no cookie), so a reload
// resumes the conversation; each answer renews it, and the server stops honouring a token
// unused for the idle period (the page then starts a new thread). Polls for answers every few
// seconds while the page is visible.
(function () {
  "use strict";
  const box = document.getElementById("webchat");
  if (!box || !box.dataset.unit) return;
  const key = "langnghe.webchat." + box.dataset.unit;
  const form = document.getElementById("webchat-form");
  const list = document.getElementById("webchat-thread");
  const error = document.getElementById("webchat-error");
  const forget = document.getElementById("webchat-forget");
  const anonymous = document.getElementById("webchat-anonymous");
  const identity = document.getElementById("webchat-identity");
  const api = box.dataset.api;
  const POLL_MS = 4000;
  let shown = "";

  function store(token) {
    try {
      if (token) localStorage.setItem(key, token); else localStorage.removeItem(key);
    } catch (e) { /* private mode: the thread lasts while the page is open */ }
    forget.hidden = !token;
  }
  function stored() {
    try { return localStorage.getItem(key) || ""; } catch (e) { return ""; }
  }

  function render(messages) {
    const signature = JSON.stringify(messages.map(function (m) { return m.id; }));
    if (signature === shown) return;
    shown = signature;
    list.textContent = "";
    for (const m of messages) {
      const li = document.createElement("li");
      // The citizen's own messages on the right ("out" from their side), the desk's on the left.
      li.className = "msg " + (m.direction === "in" ? "out" : "in") + (m.automatic ? " auto" : "");
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = m.text;
      const meta = document.createElement("small");
      meta.className = "muted";
      meta.textContent = m.author + " · " + m.time;
      li.append(text, meta);
      list.append(li);
    }
    list.scrollTop = list.scrollHeight;
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  async function load() {
    const token = stored();
    if (!token || document.hidden) return;
    let response;
    try {
      response = await fetch(api + "?token=" + encodeURIComponent(token));
    } catch (e) { return; }
    if (!response.ok) return;
    const data = await response.json();
    store(data.token);  // "" when the token expired: a new thread starts with the next message
    render(data.messages);
  }

  anonymous.addEventListener("change", function () {
    identity.hidden = anonymous.checked;
  });

  forget.addEventListener("click", function () {
    store("");
    shown = "";
    list.textContent = "";
  });

  form.addEventListener("submit", async function (e) {
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const body = {
      text: form.text.value,
      name: anonymous.checked ? "" : form.name.value,
      phone: anonymous.checked ? "" : form.phone.value,
      anonymous: anonymous.checked,
      token: stored(),
    };
    button.disabled = true;
    let response;
    try {
      response = await fetch(api, {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body)});
    } catch (err) {
      showError("Mất kết nối. Tin nhắn chưa gửi, hãy thử lại.");
      button.disabled = false;
      form.text.focus();
      return;
    }
    button.disabled = false;
    // The disabled button lost the focus (to the top of the page): give it back to the message
    // box, so a keyboard or screen reader user writes the next message where they were.
    form.text.focus();
    let data = {};
    try { data = await response.json(); } catch (err) { /* not JSON */ }
    if (!response.ok) {
      showError(data.detail || "Không gửi được tin nhắn, hãy thử lại.");
      return;
    }
    showError("");
    store(data.token);
    form.text.value = "";
    render(data.messages);
  });

  forget.hidden = !stored();
  load();
  setInterval(load, POLL_MS);
  document.addEventListener("visibilitychange", load);
})();
