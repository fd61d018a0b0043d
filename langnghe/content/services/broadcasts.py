"""Posts sent to a unit's Zalo OA followers as articles, within Zalo's broadcast limits."""

from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.connectors.models import ZaloConnection
from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.units.models import Unit

from .. import zalo
from ..models import BroadcastRequest, Post
from .access import _require_publisher

# Zalo broadcast limits for a verified OA (zalo-oa-api.md §4: FD 64000264665, official but
# marked "not updated" [U]): followers receive at most 1 broadcast a day and 4 a month.
BROADCAST_PER_DAY = 1
BROADCAST_PER_MONTH = 4


def _zalo_connection(unit: Unit, *, lock: bool = False):
    if not apps.is_installed("langnghe.connectors"):
        return None
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

    jobs.enqueue("content.broadcast_send", broadcast.pk, on_commit=True)
    return broadcast


def broadcast_send(*, broadcast_id: int) -> BroadcastRequest:
    """Create the article on Zalo, verify it and broadcast it. Idempotent: a sent or failed
    request is left alone. The HTTP part is ``content.zalo.article_broadcast``."""

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
