"""Background jobs of the content app: small, idempotent, take ids."""

from datetime import timedelta

from django.utils import timezone

from langnghe.core import jobs

from .services import broadcast_send, counters_flush, posts_publish_due


@jobs.job("content.publish_due")
def publish_due() -> int:
    """Publish scheduled posts whose time has come (also run by ``langnghe publish_due``)."""
    return posts_publish_due()


@jobs.job("content.flush_counters")
def flush_counters() -> int:
    """Move buffered view/share counts into the posts' totals (``langnghe flush_counters``)."""
    return counters_flush()


@jobs.job("content.broadcast_send")
def broadcast_send_task(broadcast_id: int) -> str:
    """Send one Zalo broadcast; while Zalo is unreachable, try again later with backoff."""
    broadcast = broadcast_send(broadcast_id=broadcast_id)
    if broadcast.status == "pending" and jobs.can_defer("content.broadcast_send"):
        delay = timedelta(minutes=2**broadcast.attempts)
        jobs.enqueue("content.broadcast_send", broadcast_id, run_after=timezone.now() + delay)
    return broadcast.status
