"""Retention of stored webhook events: processed ones go after the period, waiting ones never."""

import datetime as dt

import pytest
from django.utils import timezone

from langnghe.audit.models import AuditEntry
from langnghe.connectors.models import WebhookEvent
from langnghe.connectors.retention import webhook_events_purge

pytestmark = pytest.mark.django_db

Status = WebhookEvent.Status


@pytest.fixture
def event(unit):
    desk = unit("BG-X07201")
    counter = {"n": 0}

    def make(status: str, processed_days_ago: float | None) -> WebhookEvent:
        counter["n"] += 1
        processed_at = (
            None
            if processed_days_ago is None
            else timezone.now() - dt.timedelta(days=processed_days_ago)
        )
        return WebhookEvent.objects.create(
            unit=desk,
            event_name="user_send_text",
            event_key=f"retention-{counter['n']}",
            body_sealed="sealed",
            status=status,
            processed_at=processed_at,
        )

    return make


def test_old_processed_events_go_the_rest_stays(event):
    old = [event(Status.PROCESSED, 31), event(Status.IGNORED, 40), event(Status.FAILED, 90)]
    recent = event(Status.PROCESSED, 29)
    waiting = event(Status.RECEIVED, None)
    WebhookEvent.objects.filter(pk=waiting.pk).update(
        received_at=timezone.now() - dt.timedelta(days=365)
    )

    assert webhook_events_purge() == 3

    remaining = set(WebhookEvent.objects.values_list("pk", flat=True))
    assert not remaining & {e.pk for e in old}
    assert {recent.pk, waiting.pk} <= remaining
    entry = AuditEntry.objects.filter(action="webhook_event.purge").latest("id")
    assert entry.data == {"events": 3}


def test_unprocessed_events_are_never_deleted(event):
    waiting = event(Status.RECEIVED, None)
    assert webhook_events_purge(now=timezone.now() + dt.timedelta(days=3650)) == 0
    assert WebhookEvent.objects.filter(pk=waiting.pk).exists()


def test_idempotent_and_period_from_settings(event, settings):
    done = event(Status.PROCESSED, 10)
    assert webhook_events_purge() == 0
    settings.LANGNGHE_WEBHOOK_EVENT_RETENTION_DAYS = 7
    assert webhook_events_purge() == 1
    assert webhook_events_purge() == 0
    assert not WebhookEvent.objects.filter(pk=done.pk).exists()


def test_periodic_job_is_registered():
    from langnghe.discovery import periodic_jobs

    jobs = {name: every for name, every, _job in periodic_jobs()}
    assert jobs["connectors.retention"] == 86400
