"""Background steps of the connector; they take ids and are safe to run twice."""

from django_tasks import task


@task()
def webhook_events_drain_task() -> int:
    from .services import webhook_events_drain

    return webhook_events_drain()


@task()
def outbound_send_task(outbound_id: int) -> str:
    from .services import outbound_send

    return outbound_send(outbound_id=outbound_id)
