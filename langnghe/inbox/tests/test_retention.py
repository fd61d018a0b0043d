"""Retention of duty-desk conversations: past the period, messages, notes and the citizen's
identity go; the row stays for the statistics."""

import datetime as dt

import pytest
from django.utils import timezone

from langnghe.audit.models import AuditEntry
from langnghe.inbox import retention, services
from langnghe.inbox.models import Conversation, ConversationStatus, Message, Note

pytestmark = pytest.mark.django_db

THO_XUONG = "BG-X07201"
CITIZEN = "w-retention-1"


@pytest.fixture
def desk(unit):
    u = unit(THO_XUONG)
    u.office_hours = "trực ban 24/7"  # no out-of-hours answers: the tests do not hang on the hour
    u.save(update_fields=["office_hours"])
    return u


@pytest.fixture
def officer(make_staff):
    return make_staff(THO_XUONG, "duty_officer")


def _chat(desk, citizen=CITIZEN, text="Nhà hàng xóm mở nhạc to sau 23 giờ."):
    return services.message_receive(
        unit=desk,
        channel="web",
        external_id=citizen,
        text=text,
        citizen_name="Nguyễn Văn A",
        citizen_phone="0912345678",
    ).conversation


def _age(conversation, days: int) -> None:
    """Move the conversation's whole history ``days`` into the past."""
    delta = dt.timedelta(days=days)
    c = Conversation.objects.get(pk=conversation.pk)
    Conversation.objects.filter(pk=c.pk).update(
        created_at=c.created_at - delta,
        last_message_at=c.last_message_at and c.last_message_at - delta,
        last_incoming_at=c.last_incoming_at and c.last_incoming_at - delta,
        first_response_at=c.first_response_at and c.first_response_at - delta,
        resolved_at=c.resolved_at and c.resolved_at - delta,
    )
    for note in Note.objects.filter(conversation=c):
        Note.objects.filter(pk=note.pk).update(created_at=note.created_at - delta)


def _resolved_old_chat(desk, officer, citizen=CITIZEN, days=400):
    conversation = _chat(desk, citizen)
    services.message_reply(conversation=conversation, by=officer, text="Đơn vị đã ghi nhận.")
    services.note_add(conversation=conversation, by=officer, text="Đã cử tổ tuần tra.")
    services.conversation_status_set(
        conversation=conversation, status=ConversationStatus.RESOLVED, by=officer
    )
    _age(conversation, days)
    return Conversation.objects.get(pk=conversation.pk)


def test_old_resolved_conversation_is_purged_and_row_kept(desk, officer):
    old = _resolved_old_chat(desk, officer)
    assert old.has_identity and old.identity_sealed
    assert old.first_response_at and old.resolved_at
    recent = _chat(desk, citizen="w-retention-recent")

    assert retention.conversations_purge() == 1

    purged = Conversation.objects.get(pk=old.pk)
    assert purged.purged_at is not None
    assert not Message.objects.filter(conversation=purged).exists()
    assert not Note.objects.filter(conversation=purged).exists()
    assert purged.identity_sealed == "" and purged.has_identity is False
    assert purged.external_id == f"purged-{purged.pk}"
    # What the response-time statistics need stays.
    assert purged.created_at == old.created_at
    assert purged.first_response_at == old.first_response_at
    assert purged.resolved_at == old.resolved_at
    assert purged.status == ConversationStatus.RESOLVED

    kept = Conversation.objects.get(pk=recent.pk)
    assert kept.purged_at is None and kept.has_identity and kept.external_id == "w-retention-recent"
    assert kept.messages.exists()

    entry = AuditEntry.objects.filter(action="conversation.purge").latest("id")
    assert entry.data == {"conversations": 1} and entry.actor is None


def test_purge_is_idempotent(desk, officer):
    old = _resolved_old_chat(desk, officer)
    now = timezone.now()
    assert retention.conversations_purge(now=now) == 1
    first = Conversation.objects.get(pk=old.pk)
    audits = AuditEntry.objects.filter(action="conversation.purge").count()

    assert retention.conversations_purge(now=now) == 0
    assert retention.conversations_purge(now=now + dt.timedelta(days=800)) == 0
    again = Conversation.objects.get(pk=old.pk)
    assert again.purged_at == first.purged_at and again.external_id == first.external_id
    assert AuditEntry.objects.filter(action="conversation.purge").count() == audits


def test_activity_inside_the_period_keeps_it(desk, officer):
    conversation = _chat(desk)
    now = timezone.now()
    # Within the period, whatever the status: an open chat is kept.
    assert retention.conversations_purge(now=now + dt.timedelta(days=364)) == 0
    # A note written late counts as activity too.
    _age(conversation, 400)
    services.note_add(
        conversation=Conversation.objects.get(pk=conversation.pk), by=officer, text="Gọi lại."
    )
    assert retention.conversations_purge(now=now) == 0
    assert Conversation.objects.get(pk=conversation.pk).purged_at is None
    # A year and a day after the note, it goes.
    assert retention.conversations_purge(now=now + dt.timedelta(days=366)) == 1


def test_open_conversation_idle_past_the_period_is_purged_and_closed(desk):
    conversation = _chat(desk)
    assert conversation.status == ConversationStatus.OPEN
    purged_now = timezone.now() + dt.timedelta(days=366)
    assert retention.conversations_purge(now=purged_now) == 1
    purged = Conversation.objects.get(pk=conversation.pk)
    assert purged.status == ConversationStatus.RESOLVED
    assert purged.resolved_at is None  # not counted as a resolution in the statistics
    assert purged.unread_count == 0 and purged.purged_at == purged_now


def test_period_comes_from_settings(desk, settings):
    conversation = _chat(desk)
    settings.LANGNGHE_CONVERSATION_RETENTION_DAYS = 30
    now = timezone.now()
    assert retention.conversations_purge(now=now + dt.timedelta(days=29)) == 0
    assert retention.conversations_purge(now=now + dt.timedelta(days=31)) == 1
    assert Conversation.objects.get(pk=conversation.pk).purged_at is not None


def test_conversation_of_an_open_case_is_kept(desk, officer):
    from langnghe.cases.models import Case, Status

    conversation = _chat(desk, text="Tôi muốn tố giác một vụ trộm xe máy tối qua.")
    case = services.conversation_to_case(
        conversation=conversation, by=officer, category="public_order"
    )
    later = timezone.now() + dt.timedelta(days=400)
    # The case's status changes still reach the citizen through this conversation.
    assert retention.conversations_purge(now=later) == 0
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED)
    assert retention.conversations_purge(now=later) == 1


def test_new_message_after_purge_opens_a_new_conversation(desk, officer):
    old = _resolved_old_chat(desk, officer)
    retention.conversations_purge()

    message = services.message_receive(
        unit=desk,
        channel="web",
        external_id=CITIZEN,
        text="Tôi lại muốn phản ánh tiếng ồn.",
        citizen_name="Nguyễn Văn A",
        citizen_phone="0912345678",
    )
    fresh = message.conversation
    assert fresh.pk != old.pk
    assert fresh.external_id == CITIZEN and fresh.purged_at is None and fresh.has_identity
    assert list(fresh.messages.values_list("text", flat=True))[0] == (
        "Tôi lại muốn phản ánh tiếng ồn."
    )
    purged = Conversation.objects.get(pk=old.pk)
    assert purged.purged_at is not None and not purged.messages.exists()


def test_periodic_job_is_registered():
    from langnghe.discovery import periodic_jobs

    jobs = {name: (every, job) for name, every, job in periodic_jobs()}
    assert jobs["inbox.retention"][0] == 86400
    assert jobs["inbox.retention"][1]() == {"purged": 0, "corrections_forgotten": 0}
