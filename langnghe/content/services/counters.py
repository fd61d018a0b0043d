"""Views and shares of the public pages: counted once per visitor per day, batched into the
posts' totals by a background flush."""

import hashlib
import secrets
from collections import Counter
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError
from langnghe.units import pagecache

from ..models import DailySalt, Post, PostCounterDelta, PostView

FLUSH_INTERVAL = timedelta(seconds=60)

SHARE_TARGETS = {
    "facebook": PostCounterDelta.Metric.SHARE_FACEBOOK,
    "zalo": PostCounterDelta.Metric.SHARE_ZALO,
}


def _daily_salt(day) -> str:
    key = f"content:salt:{day.isoformat()}"
    # With the page cache on, this process keeps the day's salt too (it never changes).
    if salt := (pagecache.cached_get(key) if pagecache.enabled() else cache.get(key)):
        return salt
    record = DailySalt.objects.filter(day=day).first()
    if record is None:
        try:
            with transaction.atomic():
                record = DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
        except IntegrityError:
            record = DailySalt.objects.get(day=day)
    cache.set(key, record.salt, 26 * 3600)
    return record.salt


def visitor_hash(*, post_id: int, ip: str, user_agent: str, day) -> str:
    """A visitor of one post on one day, unlinkable once the day's salt is deleted. The IP and
    user agent are only hashed, never stored."""
    material = f"{_daily_salt(day)}|{post_id}|{ip}|{(user_agent or '')[:300]}"
    return hashlib.sha256(material.encode()).hexdigest()


# Visitors this process has already seen today (digests change with the day's salt): a reload
# of a busy post then costs no round trip. Bounded; forgetting only costs a cache read.
_seen: set[str] = set()
SEEN_MAX = 50_000


def _seen_add(digest: str) -> None:
    if len(_seen) >= SEEN_MAX:
        _seen.clear()
    _seen.add(digest)


def post_view_record(*, post: Post, ip: str, user_agent: str, now=None) -> bool:
    """Count a view once per visitor per day. True when this visit was counted."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    digest = visitor_hash(post_id=post.pk, ip=ip, user_agent=user_agent, day=day)
    # A visitor already seen today is the common case on a busy post: a cache read (when the
    # page cache is on), else one INSERT that does nothing (ON CONFLICT, the same syntax on
    # SQLite and PostgreSQL) — no failed insert rolled back to a savepoint. The unique row stays
    # the truth; the cache only skips inserts that would change nothing.
    seen_key = f"content:seen:{digest}"
    remember = pagecache.enabled()
    if remember and (digest in _seen or cache.get(seen_key)):
        _seen_add(digest)
        return False
    with transaction.atomic(), db_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PostView._meta.db_table} (post_id, day, visitor_hash) "  # noqa: S608
            "VALUES (%s, %s, %s) ON CONFLICT (post_id, day, visitor_hash) DO NOTHING RETURNING id",
            [post.pk, day, digest],
        )
        created = cursor.fetchone() is not None
        if created:
            PostCounterDelta.objects.create(post_id=post.pk, metric=PostCounterDelta.Metric.VIEW)
    if remember:
        cache.set(seen_key, 1, 36 * 3600)  # the digest changes with the day's salt
        _seen_add(digest)
    if not created:
        return False
    _flush_soon()
    return True


def post_share_record(*, post: Post, to: str) -> None:
    """Count one click on a share link (zalo or facebook)."""
    metric = SHARE_TARGETS.get(to)
    if metric is None:
        raise ApplicationError("Chỉ chia sẻ được qua zalo hoặc facebook.", code="invalid_share",
                               field="to")  # fmt: skip
    PostCounterDelta.objects.create(post_id=post.pk, metric=metric)
    _flush_soon()


def _flush_soon() -> None:
    """Queue one flush per interval (a cache flag), however many views arrive meanwhile."""
    if not cache.add("content:flush-queued", 1, int(FLUSH_INTERVAL.total_seconds())):
        return

    def enqueue():
        if jobs.can_defer("content.flush_counters"):
            jobs.enqueue("content.flush_counters", run_after=timezone.now() + FLUSH_INTERVAL)

    transaction.on_commit(enqueue)


COLUMNS = {
    PostCounterDelta.Metric.VIEW: "views_count",
    PostCounterDelta.Metric.SHARE_ZALO: "shares_zalo_count",
    PostCounterDelta.Metric.SHARE_FACEBOOK: "shares_facebook_count",
}


def counters_flush(*, batch_size: int = 5000) -> int:
    """Add pending deltas to the posts' totals: one UPDATE per post per batch. Several workers
    may run it at once (SKIP LOCKED on PostgreSQL). Returns the number of deltas applied."""
    applied = 0
    while True:
        with transaction.atomic():
            rows = list(
                PostCounterDelta.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "post_id", "metric")[:batch_size]
            )
            if not rows:
                break
            totals: dict[int, Counter] = {}
            for _pk, post_id, metric in rows:
                totals.setdefault(post_id, Counter())[metric] += 1
            for post_id, counts in totals.items():
                Post.objects.filter(pk=post_id).update(
                    **{COLUMNS[m]: F(COLUMNS[m]) + n for m, n in counts.items()}
                )
            PostCounterDelta.objects.filter(pk__in=[r[0] for r in rows]).delete()
            applied += len(rows)
        if len(rows) < batch_size:
            break
    counters_purge()
    return applied


def counters_purge(*, today=None) -> int:
    """Forget past days: their salts (so old hashes cannot be linked) and their view rows."""
    today = today or timezone.localdate()
    deleted, _ = DailySalt.objects.filter(day__lt=today).delete()
    PostView.objects.filter(day__lt=today).delete()
    return deleted
