"""Sealing personal data at rest: AES-256-GCM with a keyring, so keys can be rotated.

Keys come from ``LANGNGHE_DATA_KEYS`` = ``"kid2:<base64 32 bytes>,kid1:<base64 32 bytes>"``
(first = current key for new data; the others still open old data). Without it, the embedded
default (development, the demo) generates one key once and keeps it under ``var/data_keys``
(created exclusively, 0600, ``langnghe.core.keyfiles``) like SECRET_KEY — never in the
repository; in production ``langnghe serve`` refuses to start without it in the environment.
A sealed value reads ``v1.<kid>.<base64url(nonce ‖ ciphertext)>`` and is bound to its case and
field by the associated data, so values cannot be swapped between rows.
``langnghe cases_reseal`` re-encrypts everything under the current key.
"""

import base64
import json
import os
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from langnghe.core.exceptions import ApplicationError
from langnghe.core.keyfiles import key_file

VERSION = "v1"


def _parse_keyring(text: str) -> list[tuple[str, bytes]]:
    ring = []
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item:
            continue
        kid, _, b64 = item.partition(":")
        key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        if not kid or len(key) != 32:
            raise ValueError("LANGNGHE_DATA_KEYS: mỗi khóa có dạng id:base64(32 byte)")
        ring.append((kid, key))
    if not ring:
        raise ValueError("LANGNGHE_DATA_KEYS is empty")
    return ring


def _default_keyring_text() -> str:
    """Development and the demo only: `langnghe serve` refuses production without
    LANGNGHE_DATA_KEYS, as a generated keyring differs per machine."""
    return key_file(settings.VAR_DIR / "data_keys", _new_keyring_text)


def _new_keyring_text() -> str:
    return "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@lru_cache(maxsize=1)
def keyring() -> tuple[str, dict[str, bytes]]:
    """(current key id, {key id: key})."""
    text = os.environ.get("LANGNGHE_DATA_KEYS") or _default_keyring_text()
    ring = _parse_keyring(text)
    return ring[0][0], dict(ring)


def seal_bytes(data: bytes, *, context: str) -> bytes:
    kid, keys = keyring()
    nonce = secrets.token_bytes(12)
    return kid.encode() + b"." + nonce + AESGCM(keys[kid]).encrypt(nonce, data, context.encode())


def unseal_bytes(blob: bytes, *, context: str) -> bytes:
    kid, _, rest = blob.partition(b".")
    key = keyring()[1].get(kid.decode())
    if key is None:
        raise ApplicationError(
            "Không có khóa để giải mã dữ liệu này.", code="key_missing", status=500
        )
    return AESGCM(key).decrypt(rest[:12], rest[12:], context.encode())


def seal(text: str, *, context: str) -> str:
    if not text:
        return ""
    kid, keys = keyring()
    nonce = secrets.token_bytes(12)
    body = nonce + AESGCM(keys[kid]).encrypt(nonce, text.encode(), context.encode())
    return f"{VERSION}.{kid}.{base64.urlsafe_b64encode(body).decode()}"


def unseal(token: str, *, context: str) -> str:
    if not token:
        return ""
    _version, kid, b64 = token.split(".", 2)
    key = keyring()[1].get(kid)
    if key is None:
        raise ApplicationError(
            "Không có khóa để giải mã dữ liệu này.", code="key_missing", status=500
        )
    body = base64.urlsafe_b64decode(b64)
    return AESGCM(key).decrypt(body[:12], body[12:], context.encode()).decode()


def seal_json(value: dict | None, *, context: str) -> str:
    return seal(json.dumps(value, ensure_ascii=False), context=context) if value else ""


def unseal_json(token: str, *, context: str) -> dict:
    return json.loads(unseal(token, context=context)) if token else {}


def is_current(token: str) -> bool:
    return not token or token.split(".", 2)[1] == keyring()[0]
