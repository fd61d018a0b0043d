"""A post as a Zalo OA article, broadcast to the OA's followers (zalo-oa-api.md §4).

The HTTP calls go through the connector's client (``langnghe.connectors.zalo``); this module
only shapes the payloads. Create is asynchronous: it returns a token that ``verify`` turns into
the article id, and only articles can be broadcast.
"""

from django.conf import settings

from langnghe.connectors import zalo as client
from langnghe.connectors.services import token_refresh
from langnghe.connectors.zalo import ZaloUnavailable

from .images import cover_url
from .sanitize import plain_text

ARTICLE_CREATE = "/v2.0/article/create"
ARTICLE_VERIFY = "/v2.0/article/verify"
BROADCAST = "/v2.0/oa/message"


class ZaloRefused(Exception):
    """Zalo answered with an error that retrying will not fix."""


def article_payload(post) -> dict:
    """Zalo's limits [SPEC, unverified]: title ≤150, author ≤50, description ≤300."""
    base = settings.LANGNGHE_PUBLIC_URL
    cover = cover_url(post.cover_variants, 1200)
    body = [{"type": "text", "content": plain_text(post.body)[:5000]}]
    body.append({"type": "text", "content": f"Xem đầy đủ: {base}{post.get_absolute_url()}"})
    payload = {
        "type": "normal",
        "title": post.title[:150],
        "author": (post.unit.short_name or post.unit.name)[:50],
        "description": (post.summary or post.title)[:300],
        "body": body,
        "status": "show",
        "comment": "show",
    }
    if cover:
        payload["cover"] = {"cover_type": "photo", "photo_url": base + cover, "status": "show"}
    return payload


TOKEN_ERRORS = (-216, -220)  # invalid / expired access token (reference §2)


def _call(connection, path: str, payload: dict, *, refreshed: bool = False) -> dict:
    token = connection.secret("access_token")
    data = client.post_json(
        connection.api_base.rstrip("/") + path, payload, headers={"access_token": token}
    )
    error = data.get("error", 0)
    if error in TOKEN_ERRORS and not refreshed:
        # The connector owns the single-use refresh token (one refresh at a time, row lock).
        connection = token_refresh(connection_id=connection.pk, stale_token=token)
        return _call(connection, path, payload, refreshed=True)
    if error:
        message = f"Zalo từ chối ({error}): {str(data.get('message', ''))[:200]}"
        if error == getattr(client, "RATE_LIMITED", -32):
            raise ZaloUnavailable(message)
        raise ZaloRefused(message)
    return data.get("data") or {}


def article_broadcast(*, connection, post) -> dict:
    """Create, verify, broadcast. Returns {"article_id", "message_id"}."""
    token = _call(connection, ARTICLE_CREATE, article_payload(post)).get("token", "")
    if not token:
        raise ZaloRefused("Zalo không trả về mã bài viết.")
    article_id = _call(connection, ARTICLE_VERIFY, {"token": token}).get("id", "")
    if not article_id:
        raise ZaloUnavailable("Zalo chưa xác nhận bài viết; sẽ thử lại.")
    message = {
        "recipient": {"target": {}},
        "message": {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "media",
                    "elements": [{"media_type": "article", "attachment_id": article_id}],
                },
            }
        },
    }
    sent = _call(connection, BROADCAST, message)
    return {"article_id": article_id, "message_id": str(sent.get("message_id", ""))}
