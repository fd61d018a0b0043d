"""Playing the plan through the real services, the clock set to each event's moment: staff,
cases and their workflow, conversations at the duty desk, posts."""

import datetime as dt
import heapq
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from langnghe.accounts.demo import DEMO_PASSWORD
from langnghe.accounts.models import User
from langnghe.accounts.services import membership_add
from langnghe.audit.services import audit_batch, audit_record
from langnghe.cases import services as case_services
from langnghe.cases.models import Case
from langnghe.cases.services import cases_escalate_overdue
from langnghe.content import services as content_services
from langnghe.inbox import rules
from langnghe.inbox import services as inbox_services
from langnghe.inbox.models import Conversation, Delivery, Message
from langnghe.insights.materialize import insights_refresh
from langnghe.units.models import Unit

from .plan import ANSWERS, EDITORS, MARKER, THANKS, Event, history_plan
from .surveys import _responses_store


@contextmanager
def _clock() -> Iterator[Callable[[dt.datetime], None]]:
    """Sets the time every service and model field reads (``django.utils.timezone.now``) to the
    moment being played."""
    current = {"at": timezone.now()}
    with mock.patch("django.utils.timezone.now", lambda: current["at"]):
        yield lambda at: current.__setitem__("at", at)


@contextmanager
def _no_outbox() -> Iterator[None]:
    """The history's Zalo replies were delivered back then: nothing is queued to send now."""
    with (
        mock.patch("langnghe.connectors.services.outbound_enqueue", lambda *, message: None),
        mock.patch("langnghe.connectors.services.outbound_enqueue_many", lambda messages: []),
    ):
        yield


def history_exists() -> bool:
    return Case.objects.filter(channel_ref__startswith=MARKER).exists()


def history_load(*, today: dt.date | None = None, scale: float = 1.0, stdout=None) -> dict:
    """Load the year before ``today`` unless it is there already. Returns the plan's counts
    (empty when skipped). Runs in one transaction: all of it or nothing."""
    if history_exists():
        return {}
    started = time.monotonic()
    today = today or timezone.localdate()
    units = {u.code: u for u in Unit.objects.filter(is_active=True).select_related("kind")}
    codes: dict[str, list[str]] = {}
    for unit in units.values():
        codes.setdefault(unit.kind.code, []).append(unit.code)
    plan = history_plan(today, units=codes, scale=scale)
    if not plan.events:
        return {}
    # A receipt of the history is made and thrown away (no one holds it): hashed with light
    # Argon2id parameters, so a year of anonymous tips costs milliseconds, not a minute.
    light_receipts = override_settings(
        LANGNGHE_RECEIPT_ARGON2={"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    )
    with transaction.atomic(), light_receipts, _no_outbox(), _clock() as set_clock:
        mark = len(connection.run_on_commit)
        with audit_batch() as entries:
            player = _Player(units=units, set_clock=set_clock, entries=entries)
            player.run(plan.events[0].at - dt.timedelta(days=1), player.staff_ensure)
            for event in plan.events:
                player.flush(event.at)
                player.run(event.at, lambda event=event: player.play(event))
            # Steps due after the last midnight have not happened yet: those cases stay open.
            midnight = dt.datetime.combine(today, dt.time(0), timezone.get_default_timezone())
            player.flush(midnight - dt.timedelta(seconds=1))
        Message.objects.filter(
            conversation__external_id__startswith=MARKER,
            conversation__channel="zalo",
            direction="out",
            delivery=Delivery.PENDING,
        ).update(delivery=Delivery.SEEN)
        _responses_store(plan.responses)
        # History is the past: its live events, notification tasks and sends are not replayed.
        del connection.run_on_commit[mark:]
    insights_refresh(rebuild=True)
    made = {**plan.counts(), "seconds": round(time.monotonic() - started, 1)}
    if stdout is not None:
        stdout.write(
            f"Lịch sử 12 tháng: {made.get('case', 0)} vụ việc, {made.get('conversation', 0)} "
            f"hội thoại, {made.get('post', 0)} bài viết, {made['responses']} phiếu khảo sát "
            f"({made['seconds']} giây)"
        )
    return made


class _Player:
    """Plays events and their follow-ups (a case's later steps, a conversation's answer) in
    time order: each with the clock at its moment and its audit entries stamped with it."""

    def __init__(self, *, units: dict, set_clock, entries: list):
        self.units = units
        self.set_clock = set_clock
        self.entries = entries
        self.staff: dict = {}
        self.pending: list = []  # heap of (moment, sequence, step)
        self.sequence = 0
        self.case_count = 0

    def run(self, at: dt.datetime, step: Callable[[], object]) -> None:
        self.set_clock(at)
        before = len(self.entries)
        step()
        for entry in self.entries[before:]:
            entry.at = at

    def later(self, at: dt.datetime, step: Callable[[], object]) -> None:
        self.sequence += 1
        heapq.heappush(self.pending, (at, self.sequence, step))

    def flush(self, now: dt.datetime) -> None:
        while self.pending and self.pending[0][0] <= now:
            at, _sequence, step = heapq.heappop(self.pending)
            self.run(at, step)

    def play(self, event: Event) -> None:
        getattr(self, f"_{event.kind}")(event)

    def staff_ensure(self) -> None:
        """The history's officers: a handler and a duty officer per district (their roles hold
        for the communes below), a handler at the province, the editors. Demo password."""
        wanted = [("BG", "investigator", "thuly.tinh", "Cán bộ thụ lý Công an tỉnh (demo)")]
        for unit in sorted(self.units.values(), key=lambda u: u.code):
            if unit.kind.code == "district":
                short = unit.code.rsplit("-", 1)[-1].lower()
                wanted += [
                    (unit.code, "investigator", f"thuly.{short}", f"Thụ lý {unit.name} (demo)"),
                    (unit.code, "duty_officer", f"trucban.{short}", f"Trực ban {unit.name} (demo)"),
                ]
        # One hash of the demo password for all of them (Argon2 takes a second per account).
        password = make_password(DEMO_PASSWORD)
        for code, role, username, full_name in [*wanted, *EDITORS]:
            if code not in self.units:
                continue
            unit = self.units[code]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(
                    username=username, full_name=full_name, password=password
                )
                audit_record(
                    actor=None,
                    action="staff.create",
                    target=user,
                    unit=unit,
                    data={"role": role, "membership_added": True},
                )
            if not user.memberships.filter(unit=unit, role=role).exists():
                membership_add(user=user, unit=unit, role=role)
            self.staff[(code, role)] = user

    def _handler(self, unit):
        if unit.kind.code == "district":
            return self.staff[(unit.code, "investigator")]
        if unit.kind.code == "commune":
            return self.staff[(self._district(unit).code, "investigator")]
        return self.staff[("BG", "investigator")]

    def _district(self, unit):
        return next(u for u in self.units.values() if u.pk == unit.parent_id)

    def _desk(self, unit):
        district = unit if unit.kind.code == "district" else self._district(unit)
        return self.staff[(district.code, "duty_officer")]

    # --- events

    def _escalate(self, event: Event) -> None:
        cases_escalate_overdue(now=event.at)

    def _case(self, event: Event) -> None:
        spec, t0 = event.spec, event.at
        unit = self.units[spec["unit"]]
        self.case_count += 1
        by_desk = spec["channel"] in ("phone", "duty_desk")
        case, _receipt = case_services.case_create(
            category_code=spec["category"],
            description=spec["text"],
            unit_code=unit.code,
            is_anonymous=spec["anonymous"],
            reporter=spec["reporter"],
            channel=spec["channel"],
            channel_ref=f"{MARKER}{self.case_count}",
            recorded_by=self._desk(unit) if by_desk else None,
            now=t0,
        )
        state = {"case": case}

        def step(action):
            def run():
                result = action(state["case"])
                if result is not None and hasattr(result, "status"):
                    state["case"] = result

            return run

        handler = self._handler(unit)
        on_time, d = spec["on_time"], spec["delays"]
        # A diligent unit classifies within hours and answers within a day; a slow one takes
        # days, and the law's deadlines (cases.policies) are missed.
        hours = dt.timedelta(hours=1)
        classify = hours * (1 + 10 * d[0]) if on_time else hours * (26 + 40 * d[0])
        assign = classify + hours * (1 + 8 * d[1])
        reply = assign + hours * (1 + 12 * d[2])
        work = dt.timedelta(days=2 + 6 * d[3]) if on_time else dt.timedelta(days=12 + 25 * d[3])
        self.later(t0 + classify, step(lambda c: case_services.case_classify(case=c, by=handler)))
        if spec["category"] == "crime_report" and unit.kind.code == "commune":
            # A commune verifies a crime tip first, then sends it to the district
            # (TTLT 01/2017: 7 days, 24 hours when urgent), which decides on it.
            district = self._district(unit)
            chief = self._handler(district)
            forward = classify + (
                dt.timedelta(hours=6 + 60 * d[4]) if on_time else dt.timedelta(days=8 + 6 * d[4])
            )
            self.later(
                t0 + reply, step(lambda c: case_services.case_reply(case=c, by=handler, body=ACK))
            )
            self.later(
                t0 + forward,
                step(
                    lambda c: case_services.case_transfer(
                        case=c, by=handler, to_unit=district, reason=TRANSFER_REASON
                    )
                ),
            )
            taken = forward + hours * (2 + 20 * d[5])
            self.later(
                t0 + taken,
                step(lambda c: case_services.case_assign(case=c, by=chief, assignee=chief)),
            )
            self.later(
                t0 + taken + work,
                step(lambda c: case_services.case_resolve(case=c, by=chief, result=RESULT)),
            )
            return
        self.later(
            t0 + assign,
            step(lambda c: case_services.case_assign(case=c, by=handler, assignee=handler)),
        )
        self.later(
            t0 + reply, step(lambda c: case_services.case_reply(case=c, by=handler, body=ACK))
        )
        if spec["fate"] < 0.35:
            self.later(
                t0 + reply + hours,
                step(lambda c: case_services.case_verify_start(case=c, by=handler)),
            )
        if spec["fate"] < 0.06:
            return  # still being verified, long after
        self.later(
            t0 + work, step(lambda c: case_services.case_resolve(case=c, by=handler, result=RESULT))
        )

    def _conversation(self, event: Event) -> None:
        spec = event.spec
        unit = self.units[spec["unit"]]
        external_id = f"{MARKER}{spec['channel']}-{event.at:%Y%m%d%H%M%S}-{unit.pk}"
        message = inbox_services.message_receive(
            unit=unit,
            channel=spec["channel"],
            external_id=external_id,
            text=spec["text"],
            citizen_name=spec["name"],
        )
        conversation_id = message.conversation_id
        if not spec["answered"]:
            return
        # In office hours the desk answers in minutes; outside them the automatic answer goes
        # first and an officer writes the next working morning.
        delay = dt.timedelta(minutes=2 + 45 * spec["delay"] ** 2)
        if not rules.is_on_duty(unit, event.at):
            delay = _next_morning(event.at) - event.at + dt.timedelta(minutes=90 * spec["delay"])
        officer = self._desk(unit)

        def reply():
            conversation = Conversation.objects.get(pk=conversation_id)
            inbox_services.message_reply(
                conversation=conversation, by=officer, text=ANSWERS[spec["topic"]]
            )

        def thanks():
            inbox_services.message_receive(
                unit=unit, channel=spec["channel"], external_id=external_id, text=THANKS
            )

        def close():
            conversation = Conversation.objects.get(pk=conversation_id)
            inbox_services.conversation_status_set(
                conversation=conversation, status="resolved", by=officer
            )

        answered = event.at + delay
        self.later(answered, reply)
        if spec["thanks"]:
            self.later(answered + dt.timedelta(minutes=7), thanks)
        self.later(answered + dt.timedelta(minutes=15), close)

    def _post(self, event: Event) -> None:
        code = event.spec["unit"]
        unit = self.units[code]
        field_code, title = event.spec["topic"]
        by = self.staff[(code, "editor")]
        post = content_services.post_create(
            by=by,
            unit=unit,
            kind="article",
            title=f"{title} ({event.at:%m/%Y})",
            summary=f"{unit.name} thông tin tới người dân.",
            body=f"<p>{title}.</p><p>Mọi thắc mắc xin liên hệ trực ban {unit.name}.</p>",
            field=field_code,
        )
        content_services.post_publish(post=post, by=by, now=event.at)


ACK = "Công an đã tiếp nhận tin của anh/chị và đang xem xét, xác minh."
RESULT = "Đã xác minh, xử lý theo quy định và thông báo kết quả cho người báo tin."
TRANSFER_REASON = "Chuyển Công an cấp huyện giải quyết theo thẩm quyền."


def _next_morning(at: dt.datetime) -> dt.datetime:
    local = timezone.localtime(at)
    day = local.date() + dt.timedelta(days=0 if local.hour < 7 else 1)
    while day.weekday() == 6:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(7, 40), local.tzinfo)
