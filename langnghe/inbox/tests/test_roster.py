"""The duty roster (lịch trực ban): who plans it, what it refuses, and what it changes at the
desk — who is on duty, the out-of-hours answer, and where an emergency goes."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import CITY, THO_XUONG, TRAN_NGUYEN_HAN, YEN_THE
from langnghe.audit.models import AuditEntry
from langnghe.core.exceptions import ApplicationError
from langnghe.inbox import rules, selectors, services
from langnghe.inbox.models import Conversation, DutyShift, Note

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def closed_desk(unit):
    """Thọ Xương's office hours leave it closed nearly all the time, so only the roster can
    staff its desk."""
    desk = unit(THO_XUONG)
    desk.office_hours = "Thứ Hai – Thứ Bảy 7:00–7:01"
    desk.save(update_fields=["office_hours"])
    return desk


@pytest.fixture
def team(make_staff):
    return {
        "chief": make_staff(THO_XUONG, "supervisor", "chief"),
        "lead": make_staff(THO_XUONG, "duty_officer", "lead"),
        "second": make_staff(CITY, "duty_officer", "second"),  # the city's: may sit any desk below
    }


def _shift(desk, officer, by, start=-HOUR, length=8 * HOUR, lead=False):
    now = timezone.now()
    return services.duty_shift_create(
        unit=desk,
        officer=officer,
        starts_at=now + start,
        ends_at=now + start + length,
        is_lead=lead,
        by=by,
    )


def test_a_running_shift_staffs_a_closed_desk(closed_desk, team):
    now = timezone.now()
    assert selectors.roster_now(closed_desk, now) == (None, [])  # no roster: office hours decide
    shift = _shift(closed_desk, team["lead"], team["chief"])
    assert rules.is_on_duty(closed_desk)
    staffed, running = selectors.roster_now(closed_desk)
    assert staffed is True and [s.pk for s in running] == [shift.pk]
    entry = AuditEntry.objects.get(action="duty_shift.create", target_id=str(shift.pk))
    assert entry.actor == team["chief"] and entry.data["officer"] == team["lead"].pk
    conversation = services.message_receive(
        unit=closed_desk, channel="web", external_id="w-1", text="Cho hỏi giờ làm việc"
    ).conversation
    # Someone is there: no out-of-hours notice, a short acknowledgement (once) instead.
    [ack] = conversation.messages.filter(is_automatic=True)
    assert "Trực ban đã nhận tin nhắn" in ack.text and "ngoài giờ" not in ack.text
    # Later the same day nobody is on shift: the roster says closed, whatever the hours say.
    assert not rules.is_on_duty(closed_desk, shift.ends_at + HOUR)


def test_an_emergency_goes_to_the_lead_and_its_note_names_who_is_on_duty(closed_desk, team):
    _shift(closed_desk, team["second"], team["chief"], start=-2 * HOUR)
    _shift(closed_desk, team["lead"], team["chief"], lead=True)
    conversation = services.message_receive(
        unit=closed_desk, channel="web", external_id="w-2", text="Cứu với, nhà tôi đang cháy"
    ).conversation
    conversation.refresh_from_db()
    assert conversation.is_urgent and conversation.assignee == team["lead"]
    note = Note.objects.get(conversation=conversation)
    assert "Đang trực: lead (trực chính), second." in note.text
    entry = AuditEntry.objects.get(action="conversation.assign", target_id=str(conversation.pk))
    assert entry.actor is None and entry.data == {"assignee": team["lead"].pk, "by": "duty_roster"}


def test_an_emergency_in_a_batch_goes_to_the_officer_on_duty(closed_desk, team):
    held = Conversation.objects.create(
        unit=closed_desk, channel="web", external_id="z-held", assignee=team["chief"]
    )
    _shift(closed_desk, team["second"], team["chief"])
    services.messages_receive(  # the Zalo drain's bulk path, on the web channel here
        unit=closed_desk,
        channel="web",
        items=[
            services.Incoming(external_id="z-1", text="Có người đang cướp xe máy ở chợ"),
            services.Incoming(external_id="z-held", text="Cứu với, có kẻ cầm dao"),
            services.Incoming(external_id="z-3", text="Cho hỏi thủ tục làm căn cước"),
        ],
    )
    first = Conversation.objects.get(unit=closed_desk, external_id="z-1")
    assert first.is_urgent and first.assignee == team["second"]
    held.refresh_from_db()
    assert held.is_urgent and held.assignee == team["chief"]  # already held: left as it was
    assert Conversation.objects.get(unit=closed_desk, external_id="z-3").assignee is None
    assert "Đang trực: second." in Note.objects.get(conversation=first).text


def test_a_roster_with_nobody_now_says_so_in_the_emergency_note(closed_desk, team):
    shift = _shift(closed_desk, team["lead"], team["chief"], start=-3 * HOUR)
    assert services.duty_shift_cancel(shift=shift, by=team["chief"]) == "ended"
    shift.refresh_from_db()
    assert shift.ends_at <= timezone.now()  # the part served stays on record
    assert selectors.roster_now(closed_desk) == (False, [])
    conversation = services.message_receive(
        unit=closed_desk, channel="web", external_id="w-3", text="Có người bất tỉnh giữa đường"
    ).conversation
    conversation.refresh_from_db()
    assert conversation.assignee is None
    assert "Lịch trực không có ai lúc này" in Note.objects.get(conversation=conversation).text
    # Out of hours by the roster: the citizen is told so at once.
    other = services.message_receive(
        unit=closed_desk, channel="web", external_id="w-4", text="Xin chào"
    ).conversation
    assert other.messages.filter(is_automatic=True).exists()


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("viewer plans", "forbidden"),
        ("officer without a desk role", "bad_officer"),
        ("officer of another district", "bad_officer"),
        ("end before start", "bad_times"),
        ("over 24 hours", "shift_too_long"),
        ("already over", "shift_past"),
        ("too far ahead", "too_far"),
        ("overlaps a shift elsewhere", "shift_overlap"),
        ("note too long", "too_long"),
    ],
)
def test_refused_shifts_change_nothing(unit, closed_desk, team, make_staff, case, code):
    other_desk = unit(TRAN_NGUYEN_HAN)
    _shift(other_desk, team["second"], make_staff(CITY, "supervisor"))
    now = timezone.now()
    args = {
        "unit": closed_desk,
        "officer": team["lead"],
        "starts_at": now + HOUR,
        "ends_at": now + 9 * HOUR,
        "by": team["chief"],
    }
    if case == "viewer plans":
        args["by"] = make_staff(THO_XUONG, "viewer")
    elif case == "officer without a desk role":
        args["officer"] = make_staff(THO_XUONG, "viewer")
    elif case == "officer of another district":
        args["officer"] = make_staff(YEN_THE, "duty_officer")
    elif case == "end before start":
        args["ends_at"] = now
    elif case == "over 24 hours":
        args["ends_at"] = now + 26 * HOUR
    elif case == "already over":
        args["starts_at"], args["ends_at"] = now - 9 * HOUR, now - HOUR
    elif case == "too far ahead":
        args["starts_at"], args["ends_at"] = (
            now + dt.timedelta(days=100),
            now + dt.timedelta(days=100, hours=8),
        )
    elif case == "overlaps a shift elsewhere":
        args["officer"] = team["second"]
    elif case == "note too long":
        args["note"] = "x" * 201
    shifts, entries = DutyShift.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.duty_shift_create(**args)
    assert refused.value.code == code
    assert refused.value.message  # a sentence for the officer, in Vietnamese
    assert (DutyShift.objects.count(), AuditEntry.objects.count()) == (shifts, entries)


def test_the_officers_offered_for_a_roster_hold_a_desk_role_on_it_or_above(
    closed_desk, team, make_staff
):
    viewer = make_staff(THO_XUONG, "viewer")
    elsewhere = make_staff(YEN_THE, "duty_officer")
    gone = make_staff(THO_XUONG, "duty_officer", "gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    offered = selectors.roster_officers(closed_desk)
    assert {team["chief"], team["lead"], team["second"]} <= set(offered)
    assert not {viewer, elsewhere, gone} & set(offered)
    assert len(offered) == len(set(offered))  # a member of several units is offered once


def test_cancel_deletes_a_coming_shift_and_refuses_a_past_one(closed_desk, team, make_staff):
    coming = _shift(closed_desk, team["lead"], team["chief"], start=2 * HOUR)
    with pytest.raises(ApplicationError):
        services.duty_shift_cancel(shift=coming, by=make_staff(THO_XUONG, "duty_officer"))
    assert services.duty_shift_cancel(shift=coming, by=team["chief"]) == "deleted"
    assert not DutyShift.objects.filter(pk=coming.pk).exists()
    assert AuditEntry.objects.filter(action="duty_shift.delete").count() == 1
    past = DutyShift.objects.create(
        unit=closed_desk,
        officer=team["lead"],
        starts_at=timezone.now() - 10 * HOUR,
        ends_at=timezone.now() - 2 * HOUR,
    )
    with pytest.raises(ApplicationError) as refused:
        services.duty_shift_cancel(shift=past, by=team["chief"])
    assert refused.value.status == 409 and DutyShift.objects.filter(pk=past.pk).exists()


def test_copying_last_week_repeats_it_and_skips_what_cannot_be(closed_desk, team):
    monday = selectors.week_start(timezone.localdate()) + dt.timedelta(days=7)
    begin = timezone.make_aware(dt.datetime.combine(monday, dt.time(7, 30)))
    last_week = [begin - dt.timedelta(days=7 - d) for d in range(3)]
    for start in last_week:
        DutyShift.objects.create(
            unit=closed_desk, officer=team["lead"], starts_at=start, ends_at=start + 24 * HOUR
        )
    # The lead already has a shift on Tuesday of the new week: that day is skipped.
    DutyShift.objects.create(
        unit=closed_desk,
        officer=team["lead"],
        starts_at=last_week[1] + dt.timedelta(days=7, hours=2),
        ends_at=last_week[1] + dt.timedelta(days=7, hours=4),
    )
    copied, skipped = services.duty_week_copy(unit=closed_desk, week_start=monday, by=team["chief"])
    assert (copied, skipped) == (2, 1)
    _, week = selectors.roster_week(user=team["chief"], unit=THO_XUONG, start=monday)
    assert sorted(s.starts_at for s in week if s.ends_at - s.starts_at == 24 * HOUR) == [
        last_week[0] + dt.timedelta(days=7),
        last_week[2] + dt.timedelta(days=7),
    ]


# --- API ------------------------------------------------------------------------------------


def test_roster_api_plans_lists_and_cancels_within_scope(closed_desk, team, api_client, make_staff):
    chief = api_client(team["chief"])
    start = timezone.localtime() + HOUR
    made = chief.post(
        "/api/v1/inbox/roster",
        {
            "unit": THO_XUONG,
            "officer": team["lead"].pk,
            "starts_at": start.replace(tzinfo=None).isoformat(),  # local time, no zone
            "ends_at": (start + 8 * HOUR).isoformat(),
            "lead": True,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["officer_name"] == "lead" and body["lead"] is True
    shift = DutyShift.objects.get(pk=body["id"])
    assert abs((shift.starts_at - start).total_seconds()) < 1  # naive read as local time
    week = chief.get(f"/api/v1/inbox/roster?unit={THO_XUONG}&start={start.date()}&days=2")
    assert [s["id"] for s in week.json()] == [shift.pk]
    duty = chief.get(f"/api/v1/inbox/on-duty?unit={THO_XUONG}").json()
    assert duty["by_roster"] is True and duty["shifts"] == []
    clash = chief.post(
        "/api/v1/inbox/roster",
        {
            "unit": THO_XUONG,
            "officer": team["lead"].pk,
            "starts_at": (start + HOUR).isoformat(),
            "ends_at": (start + 2 * HOUR).isoformat(),
        },
        content_type="application/json",
    )
    assert clash.status_code == 409 and clash.json()["code"] == "shift_overlap"
    outsider = api_client(make_staff(YEN_THE, "supervisor"))
    assert outsider.get(f"/api/v1/inbox/roster?unit={THO_XUONG}").status_code == 404
    assert outsider.post(f"/api/v1/inbox/roster/{shift.pk}/cancel").status_code == 404
    assert DutyShift.objects.filter(pk=shift.pk).exists()
    cancelled = chief.post(f"/api/v1/inbox/roster/{shift.pk}/cancel")
    assert cancelled.json() == {"id": shift.pk, "result": "deleted"}
    bad = chief.get(f"/api/v1/inbox/roster?unit={THO_XUONG}&days=99")
    assert bad.status_code == 422
    far = chief.get(f"/api/v1/inbox/roster?unit={THO_XUONG}&start=9999-12-31&days=31")
    assert far.status_code == 400 and far.json()["code"] == "bad_date"
    for when in ("0001-01-01T00:00:00", "9999-12-31T23:00:00"):
        odd = chief.post(
            "/api/v1/inbox/roster",
            {"unit": THO_XUONG, "officer": team["lead"].pk, "starts_at": when, "ends_at": when},
            content_type="application/json",
        )
        assert odd.status_code in (400, 409, 422), odd.content
    assert not DutyShift.objects.exists()


def test_roster_api_copies_last_week(closed_desk, team, api_client, make_staff):
    monday = selectors.week_start(timezone.localdate()) + dt.timedelta(days=7)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time(7, 30))) - 7 * 24 * HOUR
    DutyShift.objects.create(
        unit=closed_desk, officer=team["lead"], starts_at=start, ends_at=start + 24 * HOUR
    )
    body = {"unit": THO_XUONG, "week_start": monday.isoformat()}
    viewer = api_client(make_staff(THO_XUONG, "viewer"))
    refused = viewer.post("/api/v1/inbox/roster/copy-week", body, content_type="application/json")
    assert refused.status_code == 403 and DutyShift.objects.count() == 1
    chief = api_client(team["chief"])
    tuesday = {**body, "week_start": (monday + dt.timedelta(days=1)).isoformat()}
    not_monday = chief.post(
        "/api/v1/inbox/roster/copy-week", tuesday, content_type="application/json"
    )
    assert not_monday.status_code == 400 and not_monday.json()["code"] == "bad_date"
    done = chief.post("/api/v1/inbox/roster/copy-week", body, content_type="application/json")
    assert done.json() == {"copied": 1, "skipped": 0}
    again = chief.post("/api/v1/inbox/roster/copy-week", body, content_type="application/json")
    assert again.json() == {"copied": 0, "skipped": 1}  # the same shift again would overlap
    assert DutyShift.objects.count() == 2


# --- Console --------------------------------------------------------------------------------


def test_console_roster_page_adds_an_overnight_shift_and_shows_who_is_on_duty(
    client, closed_desk, team
):
    client.force_login(team["chief"])
    page = client.get("/staff/inbox/lich-truc/")
    assert page.status_code == 200
    assert "Đơn vị chưa dùng lịch trực" in page.content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    added = client.post(
        "/staff/inbox/lich-truc/",
        {"officer": team["lead"].pk, "day": tomorrow, "start": "19:00", "end": "07:00"},
    )
    assert added.status_code == 302
    shift = DutyShift.objects.get()
    assert timezone.localtime(shift.ends_at).date() == tomorrow + dt.timedelta(days=1)
    assert shift.ends_at - shift.starts_at == 12 * HOUR
    refused = client.post(
        "/staff/inbox/lich-truc/",
        {"officer": team["lead"].pk, "day": "hôm qua", "start": "19:00", "end": "07:00"},
        follow=True,
    )
    assert "Hãy chọn ngày" in refused.content.decode() and DutyShift.objects.count() == 1
    for day in ("9999-12-31", "0001-01-01"):  # no date arithmetic overflows: clear refusals
        odd = client.post(
            "/staff/inbox/lich-truc/",
            {"officer": team["lead"].pk, "day": day, "start": "19:00", "end": "07:00"},
            follow=True,
        )
        assert odd.status_code == 200 and DutyShift.objects.count() == 1
        assert client.get(f"/staff/inbox/lich-truc/?tuan={day}").status_code == 200
    _shift(closed_desk, team["second"], team["chief"], lead=True)
    desk = client.get("/staff/inbox/").content.decode()
    assert "Đang trực: <strong>second</strong> (trực chính)" in desk
    week = client.get(f"/staff/inbox/lich-truc/?tuan={tomorrow}").content.decode()
    assert "19:00 – 07:00" in week and "Hủy ca" in week


def test_console_roster_page_is_read_only_for_a_duty_officer(client, closed_desk, team):
    _shift(closed_desk, team["lead"], team["chief"])
    client.force_login(team["lead"])
    page = client.get("/staff/inbox/lich-truc/").content.decode()
    assert "lead" in page and "Thêm ca trực" not in page and "Kết thúc ca" not in page
    client.post("/staff/inbox/lich-truc/", {"cancel": DutyShift.objects.get().pk})
    assert DutyShift.objects.get().ends_at > timezone.now()  # refused: still running
