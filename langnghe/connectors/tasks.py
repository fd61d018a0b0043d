"""Background steps of the connector; they take ids and are safe to run twice."""

from django_tasks import task


@task()
def webhook_event_process_task(event_id: int) -> str:
    from .services import webhook_event_process

    return webhook_event_process(event_id=event_id)


@task()
def outbound_send_task(outbound_id: int) -> str:
    from .services import outbound_send

    return outbound_send(outbound_id=outbound_id)
