"""Background jobs of the content app: small, idempotent, take ids."""

from django_tasks import task


@task()
def publish_due() -> int:
    """Publish scheduled posts whose time has come (also run by ``langnghe publish_due``)."""
    from .services import posts_publish_due  # cycle: services enqueue these tasks

    return posts_publish_due()


@task()
def flush_counters() -> int:
    """Move buffered view/share counts into the posts' totals (``langnghe flush_counters``)."""
    from .services import counters_flush  # cycle: services enqueue these tasks

    return counters_flush()


@task()
def broadcast_send_task(broadcast_id: int) -> str:
    """Send one Zalo broadcast; while Zalo is unreachable, try again later with backoff."""
    from datetime import timedelta

    from django.utils import timezone

    from .services import broadcast_send  # cycle: services enqueue these tasks

    broadcast = broadcast_send(broadcast_id=broadcast_id)
    if broadcast.status == "pending" and broadcast_send_task.get_backend().supports_defer:
        delay = timedelta(minutes=2**broadcast.attempts)
        broadcast_send_task.using(run_after=timezone.now() + delay).enqueue(broadcast_id)
    return broadcast.status
