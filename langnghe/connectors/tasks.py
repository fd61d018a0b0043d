"""Background steps of the connector; they take ids and are safe to run twice."""

from django_tasks import task

# Citizens' incoming messages before anything else queued (outbound retries, exports): the
# duty desk sees them first.
DRAIN_PRIORITY = 50


@task(priority=DRAIN_PRIORITY)
def webhook_events_drain_task() -> int:
    from .services import webhook_events_drain  # cycle: services enqueue these tasks

    return webhook_events_drain()


@task()
def outbound_send_task(outbound_id: int) -> str:
    from .services import outbound_send  # cycle: services enqueue these tasks

    return outbound_send(outbound_id=outbound_id)


@task()
def outbound_send_many_task(outbound_ids: list[int]) -> dict:
    """The automatic answers of one drain batch, or a batch's retries: one task for all of
    them, sent in order."""
    from .services import outbound_send_many  # cycle: services enqueue these tasks

    return outbound_send_many(outbound_ids=outbound_ids)
