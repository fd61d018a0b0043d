"""A post's states after drafting: scheduled, published (now or when due), archived, pinned."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError
from langnghe.units.pagecache import unit_page_changed

from ..models import Post
from .access import _require_publisher
from .broadcasts import broadcast_request
from .posts import _locked


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
    if jobs.can_defer("content.publish_due"):
        jobs.enqueue("content.publish_due", run_after=when)


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
