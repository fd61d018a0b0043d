"""Zalo OA Open API over HTTPS (httpx): signatures, sending, token refresh.

Facts in ../shared/reference/zalo-oa-api.md: the webhook MAC is a plain SHA-256 (not HMAC) of
app_id + raw body + timestamp + OA secret key; sends use the ``access_token`` header (not
Bearer); Zalo answers most errors with HTTP 200 and a negative ``error``.

Every request goes to Zalo's own hosts over https, whatever a connection row says: the app
secret and the access token travel in the headers, so another address would receive them (and
a free address would let the server call internal hosts). Only an operator who declares a
sandbox (``LANGNGHE_ZALO_SANDBOX=1``: the demo, the simulator, the tests) may point a
connection elsewhere.

One ``httpx.Client`` per process (``client()``) keeps its connections to Zalo open between
sends: a drain of the outbox pays the TLS handshake once, not per message. Redirects are not
followed (the headers carry secrets; Zalo's API does not redirect).
"""

import hashlib
import hmac
import json
import os
import threading
import urllib.parse

import httpx
from django.conf import settings

TIMEOUT = httpx.Timeout(10.0, connect=5.0)

API_BASE = "https://openapi.zalo.me"  # Open API: messages, articles (reference §2, §4)
OAUTH_BASE = "https://oauth.zaloapp.com"  # OAuth v4: permission page, tokens (reference §3)
OFFICIAL_HOSTS = frozenset({"openapi.zalo.me", "oauth.zaloapp.com"})

SEND_PATH = "/v3.0/oa/message/cs"
TOKEN_PATH = "/v4/oa/access_token"

# Error codes (reference §2).
RATE_LIMITED = -32
FIELD_INVALID = -201
NOT_FOLLOWER = -213
TOKEN_INVALID = -216
TOKEN_EXPIRED = -220
OUTSIDE_WINDOW = (-230, -232)


class ZaloUnavailable(Exception):
    """Zalo could not be reached or answered with an HTTP error: try again later."""


class ZaloAddressRefused(ZaloUnavailable):
    """The address is not Zalo's (https on an official host) and no sandbox is declared:
    nothing was sent. A ``ZaloUnavailable`` so that every caller already handles it."""


def sandbox() -> bool:
    """The operator declared a sandbox (``LANGNGHE_ZALO_SANDBOX=1``): any http(s) address."""
    return bool(getattr(settings, "LANGNGHE_ZALO_SANDBOX", False))


def address_allowed(url: str) -> bool:
    """Zalo's own hosts over https on the default port, no user part; in a sandbox, any
    http(s) address."""
    try:
        parts = urllib.parse.urlsplit(url or "")
        port = parts.port
    except ValueError:
        return False
    if sandbox():
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    return (
        parts.scheme == "https"
        and parts.hostname in OFFICIAL_HOSTS
        and port in (None, 443)
        and not parts.username
        and not parts.password
    )


def mac(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    data = app_id.encode() + body + str(timestamp).encode() + secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def signature_valid(header: str, *, app_id: str, body: bytes, timestamp: str, secret_key: str):
    """Constant-time check of ``X-ZEvent-Signature: mac=<hex>``."""
    given = (header or "").strip()
    if given.startswith("mac="):
        given = given[4:]
    expected = mac(app_id, body, timestamp, secret_key)
    return hmac.compare_digest(given.encode(), expected.encode())


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def client() -> httpx.Client:
    """The process's shared client (thread-safe; made at first use, so after a fork)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    return _client


def _forget_client() -> None:
    """A forked child must not share its parent's open sockets."""
    global _client
    _client = None


os.register_at_fork(after_in_child=_forget_client)


def _request(method: str, url: str, **kwargs) -> dict:
    if not address_allowed(url):
        raise ZaloAddressRefused(
            "Địa chỉ không phải máy chủ Zalo chính thức (https://openapi.zalo.me, "
            "https://oauth.zaloapp.com); chưa khai báo môi trường thử nghiệm "
            "(LANGNGHE_ZALO_SANDBOX): không gửi."
        )
    try:
        response = client().request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ZaloUnavailable(str(exc)[:200] or type(exc).__name__) from exc
    if not response.is_success:
        raise ZaloUnavailable(f"HTTP {response.status_code}")
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise ZaloUnavailable("phản hồi không phải JSON") from exc
    if not isinstance(data, dict):
        raise ZaloUnavailable("phản hồi không hợp lệ")
    return data


def post_json(url: str, payload: dict, *, headers: dict) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return _request(
        "POST", url, content=body, headers={"Content-Type": "application/json", **headers}
    )


def get_json(url: str, params: dict, *, headers: dict) -> dict:
    return _request("GET", url, params=params, headers=headers)


def send_consultation(api_base: str, *, access_token: str, user_id: str, message: dict) -> dict:
    return post_json(
        api_base.rstrip("/") + SEND_PATH,
        {"recipient": {"user_id": user_id}, "message": message},
        headers={"access_token": access_token},
    )


def token_refresh(oauth_base: str, *, app_id: str, app_secret: str, refresh_token: str) -> dict:
    return _request(
        "POST",
        oauth_base.rstrip("/") + TOKEN_PATH,
        data={"refresh_token": refresh_token, "app_id": app_id, "grant_type": "refresh_token"},
        headers={"secret_key": app_secret},
    )


def token_from_code(
    oauth_base: str, *, app_id: str, app_secret: str, code: str, code_verifier: str
) -> dict:
    """OAuth v4 with PKCE: exchange the authorization code for the OA's tokens (reference §3)."""
    return _request(
        "POST",
        oauth_base.rstrip("/") + TOKEN_PATH,
        data={
            "code": code,
            "app_id": app_id,
            "grant_type": "authorization_code",
            "code_verifier": code_verifier,
        },
        headers={"secret_key": app_secret},
    )
