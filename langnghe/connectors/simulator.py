"""A Zalo OA Open API simulator: a real HTTP server (stdlib only, no Django) for the demo and
the tests, with Zalo's request checks, error codes and response shapes
(../shared/reference/zalo-oa-api.md).

Serves ``POST /v3.0/oa/message/cs``, ``POST /v4/oa/access_token`` (OAuth v4: refresh and code
exchange), ``GET /v3.0/oa/user/detail``, ``POST /v2.0/article/create|verify``,
``POST /v2.0/oa/message`` (article broadcast), and for people and tests: ``GET /`` (a page to
chat as a Zalo user: it signs events and posts them to the webhook), ``GET /_sim/sent``,
``POST /_sim/user_send``, ``POST /_sim/expire_token``, ``POST /_sim/fail``.

    sim = ZaloSimulator(app_id="1", secret_key="s", access_token="t", webhook=url).start()
    sim.url; sim.sent; sim.user_send_text("u1", "xin chào"); sim.stop()
"""

import datetime as dt
import hashlib
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_TEXT = 2000
RATE_PER_MINUTE = 4000
WINDOW = dt.timedelta(days=7)  # replies allowed within 7 days of the user's last interaction


def mac(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    return hashlib.sha256(
        app_id.encode() + body + str(timestamp).encode() + secret_key.encode()
    ).hexdigest()


def _error(code: int, message: str) -> dict:
    return {"error": code, "message": message}


class ZaloSimulator:
    def __init__(
        self,
        *,
        app_id: str,
        secret_key: str,
        access_token: str,
        refresh_token: str = "",
        app_secret: str = "",
        oa_id: str = "sim-oa",
        webhook: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        auto_receipts: bool = False,
    ):
        self.app_id = app_id
        self.secret_key = secret_key
        self.app_secret = app_secret or secret_key
        self.oa_id = oa_id
        self.access_token = access_token
        self.refresh_token = refresh_token or f"rt-{secrets.token_hex(8)}"
        self.expired_tokens: set[str] = set()
        self.used_refresh_tokens: set[str] = set()
        self.webhook = webhook
        self.auto_receipts = auto_receipts
        self.users: dict[str, dict] = {}
        self.sent: list[dict] = []
        self.events: list[dict] = []  # what the simulated users sent (for the chat page)
        self.articles: dict[str, dict] = {}
        self.article_tokens: dict[str, str] = {}
        self.broadcasts: list[dict] = []
        self.refresh_count = 0
        self.fail_queue: list[int] = []
        self.pkce: dict[str, str] = {}  # code → challenge
        # Fault injection: when set, a sent message is recorded and then the answer is held
        # back until ``release`` is set (or the timeout), as when a worker dies mid-send.
        self.stall_after_record = threading.Event()
        self.release = threading.Event()
        self._rate: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- life cycle ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ZaloSimulator":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- helpers for tests and the page ----------------------------------------------------
    def user(self, user_id: str, *, display_name: str = "", follower: bool = True) -> dict:
        with self._lock:
            record = self.users.setdefault(
                user_id,
                {
                    "user_id": user_id,
                    "display_name": display_name or f"Người dùng {user_id[-4:]}",
                    "is_follower": follower,
                    "last_interaction": dt.datetime.now(dt.UTC),
                },
            )
            if display_name:
                record["display_name"] = display_name
            return record

    def expire_access_token(self) -> None:
        with self._lock:
            self.expired_tokens.add(self.access_token)

    def signed(self, event: dict) -> tuple[bytes, dict]:
        """Body bytes and headers of a webhook delivery, signed like Zalo does."""
        event = {"app_id": self.app_id, "timestamp": str(int(time.time() * 1000)), **event}
        body = json.dumps(event, ensure_ascii=False).encode()
        sig = mac(self.app_id, body, event["timestamp"], self.secret_key)
        return body, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={sig}"}

    def text_event(self, user_id: str, text: str, *, msg_id: str = "") -> dict:
        return {
            "event_name": "user_send_text",
            "user_id_by_app": f"app-{user_id}",
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
            "message": {"msg_id": msg_id or secrets.token_hex(16), "text": text},
        }

    def post_event(self, event: dict, *, body: bytes | None = None, headers=None):
        """Deliver an event to the webhook; returns (HTTP status, response text)."""
        if not self.webhook:
            raise RuntimeError("simulator has no --webhook")
        if body is None:
            body, headers = self.signed(event)
        req = urllib.request.Request(self.webhook, data=body, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def user_send_text(self, user_id: str, text: str, *, display_name: str = "", msg_id=""):
        self.user(user_id, display_name=display_name)["last_interaction"] = dt.datetime.now(dt.UTC)
        event = self.text_event(user_id, text, msg_id=msg_id)
        with self._lock:
            self.events.append({"user_id": user_id, "text": text, "at": time.time()})
        return self.post_event(event)

    # --- API behaviour --------------------------------------------------------------------
    def _token_error(self, token: str) -> dict | None:
        if not token:
            return _error(-216, "Access token is invalid")
        if token in self.expired_tokens:
            return _error(-220, "Access token has expired or been removed")
        if token != self.access_token:
            return _error(-216, "Access token is invalid")
        return None

    def _rate_ok(self) -> bool:
        minute = time.strftime("%Y%m%d%H%M")
        with self._lock:
            self._rate[minute] = self._rate.get(minute, 0) + 1
            return self._rate[minute] <= RATE_PER_MINUTE

    def send_cs(self, token: str, body: dict) -> dict:
        if err := self._token_error(token):
            return err
        if not self._rate_ok():
            return _error(-32, "Request exceeded the rate limit")
        with self._lock:
            if self.fail_queue:
                code = self.fail_queue.pop(0)
                return _error(code, f"Simulated error {code}")
        recipient = body.get("recipient") if isinstance(body.get("recipient"), dict) else {}
        message = body.get("message") if isinstance(body.get("message"), dict) else {}
        user_id = str(recipient.get("user_id", ""))
        text = message.get("text")
        if not user_id:
            return _error(-201, "recipient.user_id is invalid")
        if not message or (text is None and "attachment" not in message):
            return _error(-201, "message is invalid")
        if text is not None and (not isinstance(text, str) or not 0 < len(text) <= MAX_TEXT):
            return _error(-201, "message.text is invalid (1–2000 characters)")
        user = self.users.get(user_id)
        if user is None or not user["is_follower"]:
            return _error(-213, "User has not followed OA")
        if dt.datetime.now(dt.UTC) - user["last_interaction"] > WINDOW:
            return _error(-230, "User has not interacted with the OA in the last 7 days")
        with self._lock:
            message_id = f"sim-{next(self._ids)}-{secrets.token_hex(4)}"
            sent_time = str(int(time.time() * 1000))
            self.sent.append(
                {
                    "message_id": message_id,
                    "user_id": user_id,
                    "text": text,
                    "message": message,
                    "access_token": token,
                    "sent_time": sent_time,
                }
            )
        if self.auto_receipts and self.webhook:
            threading.Thread(target=self._receipt, args=(user_id, message_id), daemon=True).start()
        if self.stall_after_record.is_set():
            self.release.wait(timeout=30)
        return {
            "data": {
                "message_id": message_id,
                "user_id": user_id,
                "sent_time": sent_time,
                "quota": {"quota_type": "reply", "remain": 999, "total": 1000},
            },
            "error": 0,
            "message": "Success",
        }

    def _receipt(self, user_id: str, message_id: str) -> None:
        time.sleep(0.3)
        try:
            self.post_event(
                {
                    "event_name": "user_received_message",
                    "sender": {"id": user_id},
                    "recipient": {"id": self.oa_id},
                    "message": {"msg_id": message_id},
                }
            )
        except OSError:
            pass

    def oauth_token(self, headers, form: dict) -> dict:
        if headers.get("secret_key") != self.app_secret:
            return {"error": -14002, "error_name": "Invalid secret key", "message": "secret_key"}
        if form.get("app_id") != self.app_id:
            return {"error": -14001, "error_name": "Invalid app_id", "message": "app_id"}
        grant = form.get("grant_type")
        with self._lock:
            if grant == "refresh_token":
                given = form.get("refresh_token", "")
                if given in self.used_refresh_tokens:
                    return {"error": -14020, "error_name": "Refresh token has been used"}
                if given != self.refresh_token:
                    return {"error": -14014, "error_name": "Invalid refresh token"}
                self.used_refresh_tokens.add(given)
            elif grant == "authorization_code":
                challenge = self.pkce.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                import base64

                expected = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .decode()
                    .rstrip("=")
                )
                if challenge is None or expected != challenge:
                    return {"error": -14019, "error_name": "Invalid code or code_verifier"}
            else:
                return {"error": -14003, "error_name": "Invalid grant_type"}
            self.expired_tokens.add(self.access_token)
            self.access_token = f"at-{secrets.token_hex(12)}"
            self.refresh_token = f"rt-{secrets.token_hex(12)}"
            self.refresh_count += 1
            return {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }

    def user_detail(self, token: str, params: dict) -> dict:
        if err := self._token_error(token):
            return err
        try:
            data = json.loads(params.get("data", "{}"))
        except ValueError:
            return _error(-201, "data is invalid")
        user = self.users.get(str(data.get("user_id", "")))
        if user is None:
            return _error(-201, "user_id is invalid")
        return {
            "data": {
                "user_id": user["user_id"],
                "user_id_by_app": f"app-{user['user_id']}",
                "display_name": user["display_name"],
                "avatar": "",
                "avatars": {"120": "", "240": ""},
                "user_is_follower": user["is_follower"],
                "user_last_interaction_date": user["last_interaction"].strftime("%d/%m/%Y"),
                "tags_and_notes_info": {"tag_names": [], "notes": []},
                "shared_info": {},
            },
            "error": 0,
            "message": "Success",
        }

    def article_create(self, token: str, body: dict) -> dict:
        if err := self._token_error(token):
            return err
        kind = body.get("type")
        limits = {"title": 150, "author": 50, "description": 300}
        if kind not in ("normal", "video"):
            return _error(-201, "type is invalid")
        if not body.get("title"):
            return _error(-201, "title is required")
        for field, limit in limits.items():
            if len(str(body.get(field, ""))) > limit:
                return _error(-201, f"{field} is too long (max {limit})")
        if kind == "normal" and (not body.get("body") or not isinstance(body["body"], list)):
            return _error(-201, "body is required")
        if kind == "normal" and not isinstance(body.get("cover"), dict):
            return _error(-201, "cover is required")
        if kind == "video" and not body.get("video_id"):
            return _error(-201, "video_id is required")
        create_token = secrets.token_hex(12)
        with self._lock:
            article_id = secrets.token_hex(8)
            self.article_tokens[create_token] = article_id
            self.articles[article_id] = {**body, "status": body.get("status", "hide")}
        return {"data": {"token": create_token}, "error": 0, "message": "Success"}

    def article_verify(self, token: str, body: dict) -> dict:
        if err := self._token_error(token):
            return err
        article_id = self.article_tokens.get(str(body.get("token", "")))
        if article_id is None:
            return _error(-201, "token is invalid")
        return {"data": {"id": article_id}, "error": 0, "message": "Success"}

    def broadcast(self, token: str, body: dict) -> dict:
        if err := self._token_error(token):
            return err
        try:
            target = body["recipient"]["target"]
            element = body["message"]["attachment"]["payload"]["elements"][0]
        except (KeyError, IndexError, TypeError):
            return _error(-201, "recipient.target and an article attachment are required")
        if element.get("media_type") != "article" or element.get("attachment_id") not in (
            self.articles
        ):
            return _error(-201, "Only articles can be broadcast")
        with self._lock:
            self.broadcasts.append({"target": target, "article": element["attachment_id"]})
        return {"data": {"message_id": secrets.token_hex(8)}, "error": 0, "message": "Success"}

    # --- HTTP ---------------------------------------------------------------------------
    def _handler(self):
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, data, content_type="application/json; charset=utf-8"):
                raw = data if isinstance(data, bytes) else json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("X-RateLimit-Limit", str(RATE_PER_MINUTE))
                self.end_headers()
                self.wfile.write(raw)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _json(self, raw: bytes) -> dict | None:
                try:
                    data = json.loads(raw or b"{}")
                except ValueError:
                    return None
                return data if isinstance(data, dict) else None

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                token = self.headers.get("access_token", "")
                if url.path == "/":
                    return self._send(200, PAGE.encode(), "text/html; charset=utf-8")
                if url.path == "/_sim/sent":
                    return self._send(200, {"sent": sim.sent, "refresh_count": sim.refresh_count})
                if url.path == "/_sim/thread":
                    user_id = params.get("user_id", "")
                    mine = [
                        {"from": "user", "text": e["text"], "at": e["at"]}
                        for e in sim.events
                        if e["user_id"] == user_id
                    ]
                    oa = [
                        {"from": "oa", "text": s["text"], "at": int(s["sent_time"]) / 1000}
                        for s in sim.sent
                        if s["user_id"] == user_id
                    ]
                    return self._send(200, {"messages": sorted(mine + oa, key=lambda m: m["at"])})
                if url.path == "/v3.0/oa/user/detail":
                    return self._send(200, sim.user_detail(token, params))
                if url.path == "/v4/oa/permission":
                    code = secrets.token_hex(8)
                    sim.pkce[code] = params.get("code_challenge", "")
                    target = params.get("redirect_uri", "")
                    query = urllib.parse.urlencode(
                        {"code": code, "oa_id": sim.oa_id, "state": params.get("state", "")}
                    )
                    self.send_response(302)
                    self.send_header("Location", f"{target}?{query}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(404, _error(-404, "Not found"))

            def do_POST(self):
                url = urllib.parse.urlparse(self.path)
                raw = self._body()
                token = self.headers.get("access_token", "")
                if url.path == "/v4/oa/access_token":
                    form = dict(urllib.parse.parse_qsl(raw.decode()))
                    return self._send(200, sim.oauth_token(self.headers, form))
                body = self._json(raw)
                if body is None:
                    return self._send(200, _error(-201, "Body is not valid JSON"))
                routes = {
                    "/v3.0/oa/message/cs": sim.send_cs,
                    "/v2.0/article/create": sim.article_create,
                    "/v2.0/article/verify": sim.article_verify,
                    "/v2.0/oa/message": sim.broadcast,
                }
                if url.path in routes:
                    return self._send(200, routes[url.path](token, body))
                if url.path == "/_sim/user_send":
                    user_id = str(body.get("user_id") or "sim-user-1")[:40]
                    text = str(body.get("text", ""))[:MAX_TEXT]
                    try:
                        status, reply = sim.user_send_text(
                            user_id, text, display_name=str(body.get("display_name", ""))
                        )
                    except (RuntimeError, OSError) as exc:
                        return self._send(502, {"error": str(exc)})
                    return self._send(200, {"webhook_status": status, "webhook_reply": reply})
                if url.path == "/_sim/expire_token":
                    sim.expire_access_token()
                    return self._send(200, {"ok": True})
                if url.path == "/_sim/fail":
                    sim.fail_queue.extend(int(c) for c in body.get("errors", []))
                    return self._send(200, {"queued": sim.fail_queue})
                return self._send(404, _error(-404, "Not found"))

        return Handler


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Giả lập Zalo</title>
<style>body{font-family:system-ui,sans-serif;max-width:480px;margin:0 auto;padding:12px}
#thread{border:1px solid #ccc;border-radius:8px;min-height:300px;padding:8px;margin:8px 0;
overflow-y:auto;max-height:60vh}.m{margin:6px 0;padding:8px 10px;border-radius:12px;
max-width:80%}.user{background:#0068ff;color:#fff;margin-left:auto}.oa{background:#eef}
label{display:block;margin-top:6px}input,textarea,button{font:inherit;width:100%;
box-sizing:border-box;padding:8px}button{margin-top:8px;min-height:44px}</style></head>
<body><h1>Giả lập Zalo: chat với OA</h1>
<label>Mã người dùng (user_id) <input id="uid" value="sim-user-1"></label>
<label>Tên hiển thị <input id="name" value="Nguyễn Văn A"></label>
<div id="thread" aria-live="polite"></div>
<form id="f"><label for="text">Tin nhắn</label><textarea id="text" rows="2" required></textarea>
<button type="submit">Gửi (ký và đẩy sự kiện user_send_text tới webhook)</button></form>
<p id="status"></p>
<script>
const $ = (id) => document.getElementById(id);
async function load() {
  const r = await fetch("/_sim/thread?user_id=" + encodeURIComponent($("uid").value));
  const data = await r.json();
  $("thread").innerHTML = "";
  for (const m of data.messages) {
    const d = document.createElement("div"); d.className = "m " + m.from;
    d.textContent = m.text; $("thread").appendChild(d);
  }
}
$("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await fetch("/_sim/user_send", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({user_id: $("uid").value, display_name: $("name").value, text: $("text").value})});
  const data = await r.json();
  $("status").textContent = "Webhook: " + (data.webhook_status || data.error);
  $("text").value = ""; load();
});
setInterval(load, 2000); load();
</script></body></html>"""
