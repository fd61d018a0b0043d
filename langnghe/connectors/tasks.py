"""Background steps of the connector; they take ids and are safe to run twice. The services
queue them by name (``langnghe.core.jobs``)."""

from langnghe.core import jobs

from . import services

# Citizens' incoming messages before anything else queued (outbound retries, exports): the
# duty desk sees them first.
DRAIN_PRIORITY = 50


@jobs.job("connectors.webhook_events_drain", priority=DRAIN_PRIORITY)
def webhook_events_drain_task() -> int:
    return services.webhook_events_drain()


@jobs.job("connectors.outbound_send")
def outbound_send_task(outbound_id: int) -> str:
    return services.outbound_send(outbound_id=outbound_id)


@jobs.job("connectors.outbound_send_many")
def outbound_send_many_task(outbound_ids: list[int]) -> dict:
    """The automatic answers of one drain batch, or a batch's retries: one task for all of
    them, sent in order."""
    return services.outbound_send_many(outbound_ids=outbound_ids)
