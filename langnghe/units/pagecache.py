"""Whole-page cache of the public pages (a commune's page, a post), served before the stack.

A public page costs a dozen queries and a template; most of its visitors are anonymous and see
the same thing. The view renders it once and marks the response with the ids of the units whose
changes it shows (``mark``) and the versions it saw of them. ``anonymous_page_cache`` (a
middleware near the top of the stack) stores such a response for the path and language; the
next anonymous GET of the path, without a query string and without a session or messages
cookie, is answered from that copy when the versions are still current — one shared-cache
round trip and no query, without the session, CSRF, authentication and 2FA middleware below.

A service that changes what a page shows calls ``unit_page_changed(unit_id)`` after commit:
posts (published, updated, archived, pinned: a province's post shows on every page below it,
hence the ancestors among the ids) and unit edits (the unit and its parent, whose list of units
below shows the name). What no service announces (follower counts, the procedure catalogue) is
at most ``TTL`` seconds old.

The forms on a cached page (the duty desk's chat, the language button) carry this visitor's CSRF
secret: a visitor without a CSRF cookie gets a new one, as Django's CsrfViewMiddleware would
give it, and the token in the page is the secret itself, which Django accepts as a form token.
(Masking defends against BREACH, which needs attacker-chosen text reflected into a compressed
body; a cached page reflects nothing of the request.) A hit may run the view's own hook (a
post's view is still counted).

Correct across processes only with a shared cache (Redis: ``REDIS_URL``), which is what
``langnghe serve --workers N`` requires; the local-memory cache of a single process is fine too.
"""

import logging
import re
import uuid
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from langnghe.core.memo import ProcessMemo

log = logging.getLogger("langnghe.units")

TTL = 60
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_MARK = "\x00csrf\x00"


def _version_key(unit_id: int) -> str:
    return f"unitpage:v:{unit_id}"


def unit_page_changed(*unit_ids: int) -> None:
    """Forget the versions of ``unit_ids``: their pages (and the pages below them) are built
    again on the next request (in this process at once, in the others within VERSION_TTL)."""
    cache.delete_many([_version_key(i) for i in unit_ids if i])
    _checked.clear()


def enabled() -> bool:
    return getattr(settings, "LANGNGHE_UNIT_PAGE_CACHE", True)


# A per-process memo in front of the shared cache. A page copy in it may be older than the one
# in the shared cache; that costs one render in this process, never a stale page, because a copy
# is served only when its versions are current.
MEMO_MAX = 256
_memo = ProcessMemo(TTL, MEMO_MAX)


def memo_clear() -> None:
    _memo.clear()
    _checked.clear()


def cached_get(key: str):
    """The value under ``key``: this process's memo, else the shared cache (None if absent or
    the cache is off)."""
    if not enabled():
        return None
    return _memo.get(key, lambda: cache.get(key))


def cached_set(key: str, value) -> None:
    if enabled():
        cache.set(key, value, TTL)
        _memo.put(key, value)


def _versions(unit_ids: list[int]) -> str:
    """The current versions of ``unit_ids`` (one cache round trip); a unit without one gets one."""
    keys = [_version_key(i) for i in unit_ids]
    found = cache.get_many(keys)
    missing = {k: uuid.uuid4().hex[:10] for k in keys if k not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return ".".join(found[k] for k in keys)


# A hit trusts this process's reading of the versions for VERSION_TTL seconds (a micro-cache):
# a busy page then costs no round trip at all, and a change shows in every process within that
# time (at once in the process that made it).
VERSION_TTL = 1.0
_checked = ProcessMemo(VERSION_TTL, MEMO_MAX)


def _versions_checked(unit_ids: list[int]) -> str:
    return _checked.get(tuple(unit_ids), lambda: _versions(unit_ids))


# --- The middleware ------------------------------------------------------------------------------

CACHED_PREFIXES = ("/don-vi/", "/bai-viet/")


def versions_now(unit_ids: list[int]) -> tuple[list[int], str]:
    """Read before rendering: what ``mark`` needs. A change committed during the render bumps a
    version after this read, so the copy is stored under versions already gone (never served)."""
    return list(unit_ids), _versions(unit_ids)


def mark(response, versions: tuple[list[int], str], *, hit: str = "", hit_arg=None):
    """Let the middleware keep ``response`` (an anonymous visitor's page) until one of the units
    of ``versions`` (from ``versions_now``) changes. ``hit``: dotted path of
    ``f(request, hit_arg)``, run on every hit."""
    response.page_cache = {"ids": versions[0], "versions": versions[1], "hit": hit, "arg": hit_arg}
    return response


def _entry_key(path: str, language: str) -> str:
    return f"pagecache:entry:{language}:{path}"


def _language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _eligible(request) -> bool:
    return (
        enabled()
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and request.path.startswith(CACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _csrf_secret(request, response) -> str:
    """The visitor's CSRF secret from its cookie, or a new one set on ``response``."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(secret) == CSRF_SECRET_LENGTH and all(c in CSRF_ALLOWED_CHARS for c in secret):
        return secret
    secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
    return secret


@memoize
def _hook(path: str):
    return import_string(path)


def _serve(request, entry: dict):
    response = HttpResponse(status=200)
    for name, value in entry["headers"]:
        response.headers[name] = value
    body = entry["body"]
    if _MARK in body:
        body = body.replace(_MARK, _csrf_secret(request, response))
    response.content = body
    response.headers["Content-Length"] = str(len(response.content))
    if entry["hit"]:
        try:
            _hook(entry["hit"])(request, entry["arg"])
        except (OperationalError, InterfaceError):  # the database away: the page still shows
            log.warning("page cache: hit hook skipped, database unavailable")
    return response


def anonymous_page_cache(get_response):
    def middleware(request):
        if not _eligible(request):
            return get_response(request)
        key = _entry_key(request.path, _language(request))
        entry = cached_get(key)
        if entry is not None and _versions_checked(entry["ids"]) == entry["versions"]:
            return _serve(request, entry)
        response = get_response(request)
        meta = getattr(response, "page_cache", None)
        if meta is None or response.status_code != 200 or response.streaming:
            return response
        headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in ("set-cookie", "content-length")
        ]
        body = _TOKEN.sub(lambda m: m.group(1) + _MARK + m.group(2), response.content.decode())
        cached_set(
            key,
            {
                "ids": meta["ids"],
                "versions": meta["versions"],
                "headers": headers,
                "body": body,
                "hit": meta["hit"],
                "arg": meta["arg"],
            },
        )
        return response

    return middleware
