"""An officer corrects the triage label of a citizen's message (#26 part 4): only the desk
roles of the message's unit (``inbox.selectors.conversation_for``, ANSWER), and the copy of the
text lives no longer than the conversation it came from."""

import datetime as dt

import pytest
from django.utils import timezone

from langnghe.audit.models import AuditEntry
from langnghe.inbox import retention
from langnghe.inbox.models import Conversation, Message, Note
from langnghe.inbox.services import message_receive
from langnghe.triage.models import TriageCorrection
from langnghe.triage.selectors import correction_training_rows

UNIT = "BG-X07201"
OTHER_UNIT = "BG-X07204"
TEXT = "xe tải đổ trộm bùn đất ra đường làng mỗi đêm"


@pytest.fixture
def message(db, unit):
    return message_receive(unit=unit(UNIT), channel="web", external_id="corr-visitor", text=TEXT)


def url(message) -> str:
    return f"/api/v1/inbox/conversations/{message.conversation_id}/messages/{message.pk}/triage"


def correct(api_client, user, message, **body):
    return api_client(user).post(
        url(message),
        {"category": "public_order", "urgent": False, **body},
        content_type="application/json",
    )


@pytest.mark.parametrize("role", ["duty_officer", "supervisor"])
def test_desk_role_of_the_unit_corrects_stored_audited_trained_on(
    api_client, make_staff, message, role
):
    officer = make_staff(UNIT, role)
    response = correct(api_client, officer, message)
    assert response.status_code == 201, response.content
    correction = TriageCorrection.objects.get(pk=response.json()["id"])
    assert correction.text == TEXT and correction.created_by == officer
    assert correction.unit.code == UNIT
    assert (correction.source_type, correction.source_id) == ("inbox.message", str(message.pk))
    message.refresh_from_db()
    assert message.triage_category == "public_order"
    entry = AuditEntry.objects.get(action="triage.correct", target_id=str(correction.pk))
    assert "bùn" not in str(entry.data)  # the text never goes into the audit trail
    assert correction_training_rows()[-1]["text"] == TEXT


@pytest.mark.parametrize(
    ("unit_code", "role", "status"),
    [
        (OTHER_UNIT, "duty_officer", 404),  # another commune: the conversation is not revealed
        (OTHER_UNIT, "supervisor", 404),
        (UNIT, "investigator", 403),  # the unit's own, but not the desk
        (UNIT, "editor", 403),
        (UNIT, "admin", 403),
        (UNIT, "viewer", 403),
    ],
)
def test_others_are_refused_and_nothing_changes(
    api_client, make_staff, message, unit_code, role, status
):
    before = message.triage_category
    response = correct(api_client, make_staff(unit_code, role), message, category="other")
    assert response.status_code == status
    assert not TriageCorrection.objects.exists()
    assert not AuditEntry.objects.filter(action="triage.correct").exists()
    message.refresh_from_db()
    assert message.triage_category == before


def test_bad_label_anonymous_and_outgoing_message_refused(client, api_client, make_staff, message):
    officer = make_staff(UNIT, "duty_officer")
    assert correct(api_client, officer, message, category="spam").status_code == 400
    assert client.post(
        url(message), {"category": "other"}, content_type="application/json"
    ).status_code in (401, 403)
    reply = Message.objects.create(
        conversation=message.conversation,
        direction="out",
        text="Trực ban đã nhận tin.",
        sent_at=timezone.now(),
        delivery="sent",
    )
    assert correct(api_client, officer, reply).status_code == 404
    assert not TriageCorrection.objects.exists()


def test_old_free_text_endpoint_is_gone(api_client, make_staff):
    officer = make_staff(UNIT, "duty_officer")
    response = api_client(officer).post(
        "/api/v1/triage/corrections",
        {"text": "alo", "category": "other", "unit": UNIT},
        content_type="application/json",
    )
    assert response.status_code in (404, 405)


def test_retention_purge_forgets_the_corrections_text(api_client, make_staff, message, settings):
    officer = make_staff(UNIT, "duty_officer")
    assert correct(api_client, officer, message).status_code == 201
    long_ago = timezone.now() - dt.timedelta(days=400)
    Conversation.objects.filter(pk=message.conversation_id).update(
        created_at=long_ago,
        last_message_at=long_ago,
        last_incoming_at=long_ago,
        first_response_at=None,
        resolved_at=None,
    )

    Note.objects.filter(conversation_id=message.conversation_id).update(created_at=long_ago)
    assert retention.conversations_purge() == 1
    correction = TriageCorrection.objects.get()
    assert correction.text == "" and correction.category == "public_order"  # labels stay
    assert correction_training_rows() == []


def test_deleted_conversation_forgets_the_corrections_text(api_client, make_staff, message):
    officer = make_staff(UNIT, "duty_officer")
    assert correct(api_client, officer, message).status_code == 201
    Conversation.objects.filter(pk=message.conversation_id).delete()
    result = retention.retention_job()
    assert result["corrections_forgotten"] == 1
    assert TriageCorrection.objects.get().text == ""
    assert correction_training_rows() == []
