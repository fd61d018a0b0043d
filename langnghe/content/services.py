"""Every write of the content app: one function per state change (STYLE.md §2).

States: draft → scheduled → published → archived (draft → published directly too). Each
transition checks the role (editor, supervisor or admin of the post's unit or of a unit above
it), runs in one transaction with its audit entry, and sends side effects after commit.
"""

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.apps import apps
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from langnghe.accounts.selectors import has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.core.text import slugify_vi
from langnghe.units import pagecache
from langnghe.units.models import Unit
from langnghe.units.pagecache import unit_page_changed
from langnghe.units.selectors import subtree

from .images import body_image_store, cover_delete, cover_store
from .models import (
    BroadcastRequest,
    DailySalt,
    Post,
    PostAudienceUnit,
    PostCounterDelta,
    PostView,
)
from .rendering import body_render
from .sanitize import plain_text

PUBLISH_ROLES = ("admin", "supervisor", "editor")
MAX_TAGS = 10
MAX_VIDEO_BYTES = 200 * 1024 * 1024  # [U] a local limit, not Zalo's
FLUSH_INTERVAL = timedelta(seconds=60)

# Zalo broadcast limits for a verified OA (zalo-oa-api.md §4: FD 64000264665, official but
# marked "not updated" [U]): followers receive at most 1 broadcast a day and 4 a month.
BROADCAST_PER_DAY = 1
BROADCAST_PER_MONTH = 4

SHARE_TARGETS = {
    "facebook": PostCounterDelta.Metric.SHARE_FACEBOOK,
    "zalo": PostCounterDelta.Metric.SHARE_ZALO,
}


# --- checks -------------------------------------------------------------------------------------


def _require_publisher(user, unit: Unit) -> None:
    """Editors (and supervisors, admins) of the unit or of a unit above it publish for it."""
    if user is None:  # the system (publish_due) acts for whoever scheduled the post
        return
    if not has_role(user, unit, PUBLISH_ROLES):
        raise PermissionDenied(
            f"Bạn không có quyền đăng bài cho {unit.name}: cần vai trò biên tập viên của đơn vị "
            "này hoặc đơn vị cấp trên.",
            code="not_publisher",
        )


def publisher_check(user, unit: Unit) -> None:
    """PermissionDenied unless ``user`` may write posts for ``unit`` (a picker, a preview)."""
    _require_publisher(user, unit)


def audience_resolve(*, unit: Unit, cross_post) -> tuple[str, list[Unit]]:
    """``"none"`` | ``"descendants"`` | a list of unit codes strictly below ``unit``."""
    if cross_post in (None, "", Post.Audience.NONE):
        return Post.Audience.NONE, []
    if cross_post == Post.Audience.DESCENDANTS:
        return Post.Audience.DESCENDANTS, []
    if isinstance(cross_post, str) or not isinstance(cross_post, Iterable):
        raise ApplicationError(
            "cross_post phải là “none”, “descendants” hoặc danh sách mã đơn vị cấp dưới.",
            code="invalid_cross_post",
            field="cross_post",
        )
    codes = sorted({str(c).strip().upper() for c in cross_post if str(c).strip()})
    if not codes:
        return Post.Audience.NONE, []
    if len(codes) > 500:
        raise ApplicationError("Tối đa 500 đơn vị.", code="invalid_cross_post", field="cross_post")
    below = subtree(unit, include_self=False).filter(code__in=codes, is_active=True)
    found = {u.code: u for u in below}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ApplicationError(
            f"Không thể đăng chéo tới {', '.join(missing[:10])}: chỉ đăng được tới các đơn vị "
            f"cấp dưới của {unit.name}.",
            code="cross_post_outside_subtree",
            field="cross_post",
        )
    return Post.Audience.UNITS, [found[c] for c in codes]


def _clean_text(value: str, *, field: str, label: str, max_length: int, required=False) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ApplicationError(f"Vui lòng nhập {label}.", code="required", field=field)
    if len(value) > max_length:
        raise ApplicationError(
            f"{label.capitalize()} dài quá {max_length} ký tự.", code="too_long", field=field
        )
    return value


def _clean_tags(tags) -> list[str]:
    cleaned: list[str] = []
    for tag in tags or []:
        tag = " ".join(str(tag).split())[:40]
        if tag and tag.lower() not in {t.lower() for t in cleaned}:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ApplicationError(f"Tối đa {MAX_TAGS} thẻ.", code="too_many_tags", field="tags")
    return cleaned


def _clean_video_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ApplicationError(
            "Đường dẫn video phải bắt đầu bằng https://",
            code="invalid_video_url",
            field="video_url",
        )
    if len(url) > 500:
        raise ApplicationError("Đường dẫn video quá dài.", code="too_long", field="video_url")
    return url


def _check_video_file(upload) -> None:
    if upload is None:
        return
    if upload.size > MAX_VIDEO_BYTES:
        raise ApplicationError("Tệp video quá lớn: tối đa 200 MB.", code="video_too_large",
                               field="video_file")  # fmt: skip
    head = upload.read(16)
    upload.seek(0)
    # MP4/MOV carry "ftyp" at byte 4; WebM starts with the EBML magic.
    if head[4:8] != b"ftyp" and not head.startswith(b"\x1a\x45\xdf\xa3"):
        raise ApplicationError(
            "Tệp video phải là MP4 hoặc WebM.", code="video_not_video", field="video_file"
        )


def _apply_fields(post: Post, fields: dict) -> list[str]:
    """Validate and set editable fields; returns the names changed (no personal data)."""
    changed = []
    if "kind" in fields:
        if fields["kind"] not in Post.Kind.values:
            raise ApplicationError(
                "Loại bài phải là article, video hoặc notice.", code="invalid_kind", field="kind"
            )
        post.kind = fields["kind"]
        changed.append("kind")
    if "title" in fields:
        post.title = _clean_text(
            fields["title"], field="title", label="tiêu đề", max_length=200, required=True
        )
        post.slug = slugify_vi(post.title)[:80].strip("-") or "bai-viet"
        changed.append("title")
    if "summary" in fields:
        post.summary = _clean_text(fields["summary"], field="summary", label="tóm tắt",
                                   max_length=300)  # fmt: skip
        changed.append("summary")
    if "body" in fields:
        source = fields["body"] or ""
        if len(source) > 200_000:
            raise ApplicationError("Nội dung quá dài.", code="too_long", field="body")
        body_format = fields.get("body_format") or Post.BodyFormat.HTML
        if body_format not in Post.BodyFormat.values:
            raise ApplicationError("Định dạng nội dung phải là markdown hoặc html.",
                                   code="invalid_body_format", field="body")  # fmt: skip
        # The same function renders the console's preview (content.rendering.body_render).
        post.body = body_render(source, body_format)
        post.body_format = body_format
        post.body_source = source if body_format == Post.BodyFormat.MARKDOWN else ""
        changed.append("body")
    if "field" in fields:
        if fields["field"] and fields["field"] not in Post.Field.values:
            raise ApplicationError(
                "Lĩnh vực không hợp lệ. Các lĩnh vực: " + ", ".join(Post.Field.values) + ".",
                code="invalid_field",
                field="field",
            )
        post.field = fields["field"] or ""
        changed.append("field")
    if "tags" in fields:
        post.tags = _clean_tags(fields["tags"])
        changed.append("tags")
    if "cover_alt" in fields:
        post.cover_alt = _clean_text(fields["cover_alt"], field="cover_alt", label="mô tả ảnh",
                                     max_length=200)  # fmt: skip
        changed.append("cover_alt")
    if "video_url" in fields:
        post.video_url = _clean_video_url(fields["video_url"])
        changed.append("video_url")
    if "is_pinned" in fields:
        post.is_pinned = bool(fields["is_pinned"])
        changed.append("is_pinned")
    if post.is_pinned and post.kind != Post.Kind.NOTICE:
        raise ApplicationError("Chỉ thông báo mới được ghim.", code="pin_not_notice",
                               field="is_pinned")  # fmt: skip
    if not post.summary and post.body:
        post.summary = plain_text(post.body)[:297].rsplit(" ", 1)[0] + "…"
    return changed


def _set_audience(post: Post, audience: str, units: list[Unit]) -> None:
    """Replace the audience (the post is saved, locked, inside the caller's transaction)."""
    if post.audience != audience:
        post.audience = audience
        post.save(update_fields=["audience", "updated_at"])
    PostAudienceUnit.objects.filter(post=post).delete()
    PostAudienceUnit.objects.bulk_create([PostAudienceUnit(post=post, unit=u) for u in units])


# --- lifecycle ----------------------------------------------------------------------------------


def post_create(
    *,
    by,
    unit: Unit,
    title: str,
    kind: str = Post.Kind.ARTICLE,
    body: str = "",
    body_format: str = Post.BodyFormat.HTML,
    summary: str = "",
    field: str = "",
    tags=(),
    cover=None,
    cover_alt: str = "",
    video_file=None,
    video_url: str = "",
    cross_post="none",
    is_pinned: bool = False,
) -> Post:
    """A draft post of ``unit``. Nothing is stored when any field is refused. ``body`` is
    Markdown when ``body_format`` is "markdown" (the console), HTML otherwise (the API)."""
    _require_publisher(by, unit)
    audience, audience_units = audience_resolve(unit=unit, cross_post=cross_post)
    post = Post(unit=unit, author=by if by is not None else None)
    _apply_fields(
        post,
        {
            "kind": kind, "title": title, "summary": summary, "body": body,
            "body_format": body_format, "field": field,
            "tags": tags, "cover_alt": cover_alt, "video_url": video_url, "is_pinned": is_pinned,
        },
    )  # fmt: skip
    _check_video_file(video_file)
    variants = cover_store(cover) if cover is not None else {}
    try:
        with transaction.atomic():
            post.cover_variants = variants
            if video_file is not None:
                post.video_file = video_file
            post.save()
            _set_audience(post, audience, audience_units)
            audit_record(
                actor=by,
                action="post.create",
                target=post,
                unit=unit,
                data={"kind": post.kind, "audience": audience, "units": len(audience_units)},
            )
    except Exception:
        cover_delete(variants)
        raise
    return post


def post_image_upload(*, by, unit: Unit, upload) -> str:
    """Store an image to be shown in the body of a post of ``unit`` (checked by Pillow, its
    metadata dropped, a random name); returns its URL. The editor inserts it as Markdown."""
    _require_publisher(by, unit)
    name = body_image_store(upload)
    try:
        with transaction.atomic():
            audit_record(actor=by, action="post.image_upload", unit=unit,
                         target_type="content.image", target_id=name.rsplit("/", 1)[-1])  # fmt: skip
    except Exception:
        default_storage.delete(name)
        raise
    return default_storage.url(name)


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("unit").get(pk=post.pk)


def post_update(*, post: Post, by, cover=None, cross_post=None, **fields) -> Post:
    """Edit a post that is not archived; a published post stays published."""
    _require_publisher(by, post.unit)
    unknown = set(fields) - {
        "kind", "title", "summary", "body", "body_format", "field", "tags", "cover_alt",
        "video_url", "is_pinned",
    }  # fmt: skip
    if unknown:
        raise ApplicationError(f"Không sửa được: {', '.join(sorted(unknown))}.", code="invalid")
    audience = audience_resolve(unit=post.unit, cross_post=cross_post) if cross_post else None
    variants = cover_store(cover) if cover is not None else None
    try:
        with transaction.atomic():
            post = _locked(post)
            if post.state == Post.State.ARCHIVED:
                raise ApplicationError("Bài đã lưu trữ, không sửa được.", code="archived",
                                       status=409)  # fmt: skip
            changed = _apply_fields(post, fields)
            old_variants = post.cover_variants
            if variants is not None:
                post.cover_variants = variants
                changed.append("cover")
            post.save()
            if audience is not None:
                _set_audience(post, *audience)
                changed.append("audience")
            audit_record(actor=by, action="post.update", target=post, unit=post.unit,
                         data={"fields": changed})  # fmt: skip
            transaction.on_commit(partial(unit_page_changed, post.unit_id))
    except Exception:
        if variants:
            cover_delete(variants)
        raise
    if variants is not None and old_variants:
        transaction.on_commit(lambda: cover_delete(old_variants))
    return post


def post_schedule(*, post: Post, by, publish_at: datetime, now: datetime | None = None) -> Post:
    """Draft (or scheduled) → scheduled at a future time; ``publish_due`` publishes it."""
    _require_publisher(by, post.unit)
    now = now or timezone.now()
    if publish_at is None or timezone.is_naive(publish_at):
        raise ApplicationError("Thời điểm hẹn đăng cần có múi giờ.", code="invalid_publish_at",
                               field="publish_at")  # fmt: skip
    if publish_at <= now:
        raise ApplicationError(
            "Thời điểm hẹn đăng đã qua. Hãy chọn một thời điểm trong tương lai.",
            code="publish_at_in_past",
            field="publish_at",
        )
    with transaction.atomic():
        post = _locked(post)
        if post.state not in (Post.State.DRAFT, Post.State.SCHEDULED):
            raise ApplicationError("Chỉ hẹn giờ được bài nháp.", code="invalid_state", status=409)
        post.state, post.publish_at = Post.State.SCHEDULED, publish_at
        post.save(update_fields=["state", "publish_at", "updated_at"])
        audit_record(actor=by, action="post.schedule", target=post, unit=post.unit,
                     data={"publish_at": publish_at.isoformat()})  # fmt: skip
    transaction.on_commit(lambda: _publish_due_at(publish_at))
    return post


def _publish_due_at(when: datetime) -> None:
    from .tasks import publish_due  # cycle: the tasks call these services

    if publish_due.get_backend().supports_defer:
        publish_due.using(run_after=when).enqueue()


def post_publish(*, post: Post, by, zalo_broadcast: bool = False, now=None) -> Post:
    """Draft or scheduled → published. With ``zalo_broadcast`` the Zalo limits are checked
    first; if refused, nothing is published (one transaction)."""
    _require_publisher(by, post.unit)
    now = now or timezone.now()
    with transaction.atomic():
        post = _locked(post)
        if post.state not in (Post.State.DRAFT, Post.State.SCHEDULED):
            raise ApplicationError(
                f"Bài đang ở trạng thái “{post.get_state_display()}”, không đăng được.",
                code="invalid_state",
                status=409,
            )
        post.state, post.published_at = Post.State.PUBLISHED, now
        post.save(update_fields=["state", "published_at", "updated_at"])
        audit_record(actor=by, action="post.publish", target=post, unit=post.unit,
                     data={"audience": post.audience, "zalo": zalo_broadcast})  # fmt: skip
        transaction.on_commit(partial(unit_page_changed, post.unit_id))
        if zalo_broadcast:
            broadcast_request(post=post, by=by, now=now)
    return post


def post_archive(*, post: Post, by) -> Post:
    _require_publisher(by, post.unit)
    with transaction.atomic():
        post = _locked(post)
        if post.state == Post.State.ARCHIVED:
            raise ApplicationError("Bài đã được lưu trữ.", code="invalid_state", status=409)
        previous = post.state
        post.state, post.archived_at, post.is_pinned = Post.State.ARCHIVED, timezone.now(), False
        post.save(update_fields=["state", "archived_at", "is_pinned", "updated_at"])
        audit_record(actor=by, action="post.archive", target=post, unit=post.unit,
                     data={"from": previous})  # fmt: skip
        transaction.on_commit(partial(unit_page_changed, post.unit_id))
    return post


def post_pin(*, post: Post, by, pinned: bool) -> Post:
    """Pin a notice on top of the unit's page (and the pages it is cross-posted to)."""
    _require_publisher(by, post.unit)
    with transaction.atomic():
        post = _locked(post)
        if pinned and post.kind != Post.Kind.NOTICE:
            raise ApplicationError("Chỉ thông báo mới được ghim.", code="pin_not_notice")
        if post.state == Post.State.ARCHIVED:
            raise ApplicationError("Bài đã lưu trữ.", code="invalid_state", status=409)
        post.is_pinned = pinned
        post.save(update_fields=["is_pinned", "updated_at"])
        audit_record(actor=by, action="post.pin" if pinned else "post.unpin", target=post,
                     unit=post.unit)  # fmt: skip
        transaction.on_commit(partial(unit_page_changed, post.unit_id))
    return post


def posts_publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled post whose time has come. Safe to run from several workers: a
    post being published elsewhere is skipped (SKIP LOCKED), and a published one is no longer
    scheduled."""
    now = now or timezone.now()
    published = 0
    due = Post.objects.filter(state=Post.State.SCHEDULED, publish_at__lte=now)
    for post_id in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            post = (
                Post.objects.select_for_update(skip_locked=True)
                .filter(pk=post_id, state=Post.State.SCHEDULED)
                .first()
            )
            if post is None:
                continue
            post_publish(post=post, by=None, now=now)
            published += 1
    return published


# --- counting -----------------------------------------------------------------------------------


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
    from .tasks import flush_counters  # cycle: the tasks call these services

    def enqueue():
        if flush_counters.get_backend().supports_defer:
            flush_counters.using(run_after=timezone.now() + FLUSH_INTERVAL).enqueue()

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


# --- Zalo ---------------------------------------------------------------------------------------


def _zalo_connection(unit: Unit, *, lock: bool = False):
    if not apps.is_installed("langnghe.connectors"):
        return None
    from langnghe.connectors.models import ZaloConnection

    qs = ZaloConnection.objects.filter(unit=unit, is_active=True)
    return (qs.select_for_update() if lock else qs).first()


def broadcast_request(*, post: Post, by, now: datetime | None = None) -> BroadcastRequest:
    """Record a Zalo article + broadcast for a published post, refusing it BEFORE anything is
    sent when the OA's limits are reached. Must run inside the caller's transaction or its own.
    """
    _require_publisher(by, post.unit)
    now = now or timezone.now()
    with transaction.atomic():
        connection = _zalo_connection(post.unit, lock=True)  # serialises checks per OA
        if connection is None:
            raise ApplicationError(
                f"{post.unit.name} chưa kết nối Zalo OA nên không gửi được tin truyền thông.",
                code="zalo_not_connected",
            )
        if post.state != Post.State.PUBLISHED:
            raise ApplicationError("Chỉ gửi được bài đã đăng.", code="invalid_state", status=409)
        if not post.cover_variants:
            raise ApplicationError(
                "Zalo yêu cầu bài viết có ảnh bìa: hãy thêm ảnh bìa trước khi gửi tin truyền thông.",
                code="zalo_cover_required",
                field="cover",
            )
        local = timezone.localtime(now)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        month_start = day_start.replace(day=1)
        counted = BroadcastRequest.objects.filter(
            unit=post.unit,
            status__in=[BroadcastRequest.Status.PENDING, BroadcastRequest.Status.SENT],
            requested_at__lt=day_start + timedelta(days=1),
        )
        if counted.filter(requested_at__gte=day_start).count() >= BROADCAST_PER_DAY:
            raise ApplicationError(
                f"Hôm nay Zalo OA của {post.unit.name} đã gửi {BROADCAST_PER_DAY} tin truyền "
                "thông — giới hạn của Zalo là 1 tin/ngày. Bài vẫn chưa được gửi; hãy gửi lại vào "
                "ngày mai.",
                code="zalo_daily_limit",
                status=429,
            )
        if counted.filter(requested_at__gte=month_start).count() >= BROADCAST_PER_MONTH:
            raise ApplicationError(
                f"Tháng này Zalo OA của {post.unit.name} đã gửi đủ {BROADCAST_PER_MONTH} tin "
                "truyền thông — giới hạn của Zalo là 4 tin/tháng (tính lại từ ngày 1).",
                code="zalo_monthly_limit",
                status=429,
            )
        broadcast = BroadcastRequest.objects.create(
            post=post, unit=post.unit, requested_by=by, requested_at=now
        )
        audit_record(actor=by, action="post.zalo_broadcast_request", target=post, unit=post.unit,
                     data={"broadcast": broadcast.pk})  # fmt: skip

    def enqueue():
        from .tasks import broadcast_send_task  # cycle: the tasks call these services

        broadcast_send_task.enqueue(broadcast.pk)

    transaction.on_commit(enqueue)
    return broadcast


def broadcast_send(*, broadcast_id: int) -> BroadcastRequest:
    """Create the article on Zalo, verify it and broadcast it. Idempotent: a sent or failed
    request is left alone. The HTTP part is ``content.zalo.article_broadcast``."""
    from . import zalo

    with transaction.atomic():
        broadcast = (
            BroadcastRequest.objects.select_for_update(skip_locked=True)
            .select_related("post", "unit")
            .filter(pk=broadcast_id)
            .first()
        )
        if broadcast is None:
            raise NotFound("Không có yêu cầu gửi này.")
        if broadcast.status != BroadcastRequest.Status.PENDING:
            return broadcast
        connection = _zalo_connection(broadcast.unit)
        broadcast.attempts += 1
        try:
            if connection is None:
                raise zalo.ZaloRefused("Đơn vị chưa kết nối Zalo OA.")
            result = zalo.article_broadcast(connection=connection, post=broadcast.post)
        except zalo.ZaloRefused as exc:
            broadcast.status, broadcast.last_error = BroadcastRequest.Status.FAILED, str(exc)[:300]
        except zalo.ZaloUnavailable as exc:
            broadcast.last_error = str(exc)[:300]
            if broadcast.attempts >= 5:
                broadcast.status = BroadcastRequest.Status.FAILED
        else:
            broadcast.status, broadcast.sent_at = BroadcastRequest.Status.SENT, timezone.now()
            broadcast.article_id = result.get("article_id", "")
            broadcast.zalo_message_id = result.get("message_id", "")
        broadcast.save()
        audit_record(actor=None, action="post.zalo_broadcast_" + broadcast.status,
                     target=broadcast.post, unit=broadcast.unit,
                     data={"broadcast": broadcast.pk, "attempts": broadcast.attempts})  # fmt: skip
    return broadcast
