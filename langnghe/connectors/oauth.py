"""Connecting a unit's Zalo OA from the console: OAuth v4 with PKCE (reference §3).

The admin starts the flow (app id and app secret), is sent to Zalo's permission page, and comes
back with a one-time ``code``; the exchange proves possession of the ``code_verifier`` made
here. What must survive the round trip is kept in the session, the app secret sealed.
"""

import base64
import hashlib
import secrets
import urllib.parse

from langnghe.accounts.models import Role
from langnghe.accounts.selectors import has_role  # noqa: F401 — also used by the views
from langnghe.cases import crypto
from langnghe.core.exceptions import ApplicationError, PermissionDenied
from langnghe.units.models import Unit

from . import zalo
from .models import ZaloConnection
from .services import sandbox_address, zalo_connect

SESSION_KEY = "zalo_oauth"
CONNECT_ROLES = {Role.ADMIN}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def oauth_start(
    *,
    session,
    user,
    unit: Unit,
    app_id: str,
    app_secret: str,
    redirect_uri: str,
    webhook_secret: str = "",
    oauth_base: str = "",
) -> str:
    """Remember the flow in the session and return the Zalo permission URL to send the admin."""
    if not has_role(user, unit, CONNECT_ROLES):
        raise PermissionDenied("Chỉ quản trị viên của đơn vị mới kết nối được Zalo OA.")
    app_id, app_secret = (app_id or "").strip(), (app_secret or "").strip()
    if not app_id.isdigit():
        raise ApplicationError("App ID của Zalo gồm các chữ số.", code="bad_app_id", field="app_id")
    if len(app_secret) < 8:
        raise ApplicationError(
            "Thiếu khóa bí mật (secret key) của ứng dụng Zalo.",
            code="bad_secret",
            field="app_secret",
        )
    # Zalo's OAuth host; the simulator's only in a declared sandbox (the form hides the field
    # otherwise, and a value posted anyway is refused here).
    base = sandbox_address(oauth_base, field="oauth_base" if zalo.sandbox() else None)
    base = base or zalo.OAUTH_BASE
    verifier = secrets.token_urlsafe(64)
    state = secrets.token_urlsafe(24)
    session[SESSION_KEY] = {
        "state": state,
        "unit": unit.code,
        "app_id": app_id,
        "app_secret": crypto.seal(app_secret, context=f"zalo-oauth:{state}"),
        # The OA secret key signs webhook events; Zalo shows it beside the app secret.
        "webhook_secret": crypto.seal(
            (webhook_secret or "").strip() or app_secret, context=f"zalo-oauth:{state}:webhook"
        ),
        "verifier": verifier,
        "base": base,
    }
    query = urllib.parse.urlencode(
        {
            "app_id": app_id,
            "redirect_uri": redirect_uri,
            "code_challenge": _challenge(verifier),
            "state": state,
        }
    )
    return f"{base}/v4/oa/permission?{query}"


def oauth_finish(*, session, user, code: str, state: str, oa_id: str) -> ZaloConnection:
    """Exchange the code for tokens and connect the unit. The flow is single-use."""
    flow = session.pop(SESSION_KEY, None)
    if not flow or not state or not secrets.compare_digest(flow["state"], state):
        raise ApplicationError(
            "Phiên kết nối Zalo không hợp lệ hoặc đã hết hạn. Hãy bắt đầu lại.", code="bad_state"
        )
    unit = Unit.objects.get(code=flow["unit"])
    if not has_role(user, unit, CONNECT_ROLES):
        raise PermissionDenied("Chỉ quản trị viên của đơn vị mới kết nối được Zalo OA.")
    app_secret = crypto.unseal(flow["app_secret"], context=f"zalo-oauth:{flow['state']}")
    try:
        answer = zalo.token_from_code(
            flow["base"],
            app_id=flow["app_id"],
            app_secret=app_secret,
            code=code or "",
            code_verifier=flow["verifier"],
        )
    except zalo.ZaloUnavailable as exc:
        raise ApplicationError(
            "Không liên lạc được với Zalo. Hãy thử lại sau ít phút.",
            code="zalo_unavailable",
            status=503,
        ) from exc
    if answer.get("error") or not answer.get("access_token"):
        raise ApplicationError(
            f"Zalo từ chối kết nối (mã lỗi {answer.get('error')}). Hãy bắt đầu lại.",
            code="zalo_refused",
        )
    api_base = "" if flow["base"] == zalo.OAUTH_BASE else flow["base"]
    return zalo_connect(
        unit=unit,
        app_id=flow["app_id"],
        oa_id=(oa_id or "").strip() or "unknown",
        secret_key=crypto.unseal(
            flow["webhook_secret"], context=f"zalo-oauth:{flow['state']}:webhook"
        ),
        app_secret=app_secret,
        access_token=answer["access_token"],
        refresh_token=answer.get("refresh_token", ""),
        expires_in=int(answer.get("expires_in") or 90000),
        api_base=api_base,
        by=user,
    )
