"""Cache of the public unit page, invalidated by a per-unit version.

The page (breadcrumb, contact facts, every app's section, the units below) costs about eight
queries and a template. For an anonymous GET without a query string it is stored whole in the
shared cache under a key made of the versions of the unit and of each of its ancestors (the ids
are cached by slug), so a hit is three cache reads and no query.

A service that changes what a page shows calls ``unit_page_changed(unit_id)`` after commit:
posts (published, updated, archived, pinned: a province's post shows on every page below it,
hence the ancestors in the key) and unit edits (the unit and its parent, whose list of units
below shows the name). What no service announces (follower counts, the procedure catalogue) is
at most ``TTL`` seconds old, and so is the slug → ancestors entry after a unit is moved. CSRF
tokens in the page's forms are swapped for this request's token on every hit, so a cached page
never carries someone else's token.

Correct across processes only with a shared cache (Redis: ``REDIS_URL``), which is what
``langnghe serve --workers N`` requires; the local-memory cache of a single process is fine too.
"""

import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token

TTL = 60
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_MARK = "\x00csrf\x00"


def _version_key(unit_id: int) -> str:
    return f"unitpage:v:{unit_id}"


def unit_page_changed(*unit_ids: int) -> None:
    """Forget the versions of ``unit_ids``: their pages (and the pages below them) are built
    again on the next request."""
    cache.delete_many([_version_key(i) for i in unit_ids if i])


def enabled() -> bool:
    return getattr(settings, "LANGNGHE_UNIT_PAGE_CACHE", True)


# A small per-process memo in front of the shared cache, for values that never change under
# their key (a page is keyed by versions, which are always read from the shared cache) or may
# be TTL old anyway (slug → ancestors): a hit then costs one shared-cache round trip, not three.
_memo: dict[str, tuple[float, object]] = {}
MEMO_MAX = 256


def memo_clear() -> None:
    _memo.clear()


def cached_get(key: str):
    """The value under ``key``: this process's memo, else the shared cache (None if absent or
    the cache is off)."""
    if not enabled():
        return None
    hit = _memo.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    value = cache.get(key)
    if value is not None:
        _memo_put(key, value)
    return value


def cached_set(key: str, value, ttl: int = TTL) -> None:
    if enabled():
        cache.set(key, value, ttl)
        _memo_put(key, value, ttl)


def _memo_put(key: str, value, ttl: int = TTL) -> None:
    if len(_memo) >= MEMO_MAX:
        _memo.clear()
    _memo[key] = (time.monotonic() + ttl, value)


def unit_ref(slug: str) -> tuple[int, list[int]] | None:
    """(unit id, ids from the root down to the unit) of a slug, without a query when cached."""
    return cached_get(f"unitpage:slug:{slug}")


def unit_ref_set(slug: str, unit) -> tuple[int, list[int]]:
    ref = (unit.pk, [*unit.ancestor_ids, unit.pk])
    cached_set(f"unitpage:slug:{slug}", ref)
    return ref


def versioned_key(prefix: str, unit_ids: list[int]) -> str:
    """``prefix`` + the current versions of ``unit_ids`` (one cache round trip)."""
    keys = [_version_key(i) for i in unit_ids]
    found = cache.get_many(keys)
    missing = {k: uuid.uuid4().hex[:10] for k in keys if k not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return prefix + ":" + ".".join(found[k] for k in keys)


def page_key(ref: tuple[int, list[int]], language: str) -> str:
    unit_id, ids = ref
    return versioned_key(f"unitpage:page:{unit_id}:{language}", ids)


def page_get(request, key: str) -> str | None:
    html = cached_get(key)
    if html is None:
        return None
    if _MARK in html:
        html = html.replace(_MARK, get_token(request))
    return html


def page_set(key: str, html: str) -> None:
    cached_set(key, _TOKEN.sub(lambda m: m.group(1) + _MARK + m.group(2), html))
