"""What the citizen's chat answers by itself: the out-of-hours notice, the acknowledgement
when an officer is on duty by the roster, and a procedure answer whose link is given once."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import THO_XUONG
from langnghe.inbox import services
from langnghe.inbox.models import Conversation

pytestmark = pytest.mark.django_db

TRAN_PHU = "BG-X07213"
CLOSED = "Thứ Hai – Thứ Bảy 7:00–7:01"  # closed nearly all the time (a Sunday night)
HOUR = dt.timedelta(hours=1)


def _closed(unit, code):
    desk = unit(code)
    desk.office_hours = CLOSED
    desk.save(update_fields=["office_hours"])
    return desk


def _automatic(external_id):
    conversation = Conversation.objects.get(external_id=external_id)
    return list(conversation.messages.filter(is_automatic=True).order_by("id"))


def test_the_procedure_answer_gives_its_link_once(unit, monkeypatch):
    from dataclasses import replace

    from langnghe.inbox.services import receive
    from langnghe.procedures.services import procedure_catalogue_load_bundled
    from langnghe.triage.selectors import triage_text

    procedure_catalogue_load_bundled()
    # Answers are kept per process for 30 s: another test may have asked the same question
    # of another catalogue just before.
    from langnghe.procedures import selectors as procedure_selectors

    procedure_selectors._answers.clear()
    procedure_selectors._quoted.clear()
    procedure_selectors.search_index_invalidate()
    # What is tested is the answer's link, not the classifier: the message is read as a
    # procedure question whatever model another test left loaded in this process.
    monkeypatch.setattr(
        receive,
        "triage_text",
        lambda text: replace(triage_text(text), category="procedure_question"),
    )
    desk = _closed(unit, TRAN_PHU)
    services.message_receive(
        unit=desk, channel="web", external_id="p1", text="cho em hỏi làm thẻ căn cước cần gì ạ"
    )
    [auto] = _automatic("p1")
    assert "cap-the-can-cuoc" in auto.text or "/thu-tuc/" in auto.text
    assert auto.text.count("Chi tiết:") == 1
    assert auto.text.count("/thu-tuc/") == 1


def test_a_rostered_desk_acknowledges_once_and_an_unstaffed_one_gives_the_notice(unit, make_staff):
    tho_xuong = _closed(unit, THO_XUONG)
    tran_phu = _closed(unit, TRAN_PHU)
    chief = make_staff(THO_XUONG, "supervisor", "chief")
    officer = make_staff(THO_XUONG, "duty_officer", "night")
    now = timezone.now()
    services.duty_shift_create(
        unit=tho_xuong, officer=officer, starts_at=now - HOUR, ends_at=now + 8 * HOUR, by=chief
    )

    services.message_receive(unit=tran_phu, channel="web", external_id="tp", text="Cho hỏi")
    [notice] = _automatic("tp")
    assert "ngoài giờ" in notice.text and "113" in notice.text

    services.message_receive(unit=tho_xuong, channel="web", external_id="tx", text="Cho hỏi")
    [ack] = _automatic("tx")
    assert "Trực ban đã nhận tin nhắn" in ack.text and "ngoài giờ" not in ack.text
    services.message_receive(unit=tho_xuong, channel="web", external_id="tx", text="Cảm ơn")
    assert len(_automatic("tx")) == 1  # once per conversation


def test_the_batch_intake_acknowledges_too(unit, make_staff):
    tho_xuong = _closed(unit, THO_XUONG)
    chief = make_staff(THO_XUONG, "supervisor", "chief")
    officer = make_staff(THO_XUONG, "duty_officer", "night")
    now = timezone.now()
    services.duty_shift_create(
        unit=tho_xuong, officer=officer, starts_at=now - HOUR, ends_at=now + 8 * HOUR, by=chief
    )
    services.messages_receive(
        unit=tho_xuong,
        channel="web",
        items=[
            services.Incoming(external_id="z1", text="Chào"),
            services.Incoming(external_id="z1", text="Cho hỏi"),
        ],
    )
    [ack] = _automatic("z1")
    assert "Trực ban đã nhận tin nhắn" in ack.text
