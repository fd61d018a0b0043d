// Web chat on a unit page: the signed token lives in localStorage (no cookie), so a reload
// resumes the conversation. Polls for answers every few seconds while the page is open.
(function () {
  "use strict";
  const box = document.getElementById("webchat");
  if (!box) return;
  const unit = box.dataset.unit;
  const key = "langnghe.webchat." + unit;
  const form = document.getElementById("webchat-form");
  const list = document.getElementById("webchat-thread");
  const error = document.getElementById("webchat-error");
  const api = "/api/v1/inbox/webchat/" + encodeURIComponent(unit);

  function render(messages) {
    list.textContent = "";
    for (const m of messages) {
      const li = document.createElement("li");
      li.className = "msg " + (m.direction === "in" ? "out" : "in");
      li.textContent = m.text;
      list.append(li);
    }
  }

  async function load() {
    const token = localStorage.getItem(key);
    if (!token) return;
    const response = await fetch(api + "?token=" + encodeURIComponent(token));
    if (response.ok) render((await response.json()).messages);
  }

  form.addEventListener("submit", async function (e) {
    e.preventDefault();
    const body = {
      text: form.text.value,
      name: form.name.value,
      phone: form.phone.value,
      token: localStorage.getItem(key) || "",
    };
    let response;
    try {
      response = await fetch(api, {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body)});
    } catch (err) {
      error.textContent = "Mất kết nối. Tin nhắn chưa gửi, hãy thử lại.";
      error.hidden = false;
      return;
    }
    const data = await response.json();
    if (!response.ok) {
      error.textContent = data.detail || "Không gửi được.";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    localStorage.setItem(key, data.token);
    form.text.value = "";
    render(data.messages);
  });
  load();
  setInterval(load, 5000);
})();
