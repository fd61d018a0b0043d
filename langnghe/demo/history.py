"""A year of demo history: twelve months of plausible activity before today, so trends,
rankings and monthly reports have something to show.

``history_plan(today)`` is a pure function of the date and ``SEED``: the same plan every run
(relative to today). ``history_load()`` plays it in time order through the real services —
case intake and workflow (so the law's deadlines, met and missed, come from ``cases``' own
policies and holiday calendar), the duty desk, posts — with the clock set to each event's
moment, so every timestamp and every audit entry is honest (in the past, in order). Survey
responses, which are anonymous and not audited, take the responses' bulk path (rows plus their
pending counts, folded into the counters the same way the QR form's are).

History is the past: the after-commit side effects of those services (live events, the
notification tasks, the Zalo outbox) are dropped, not sent now. The history's Zalo replies are
stored as delivered and seen.

Idempotent: nothing is loaded when the history's marker cases exist. Called by
``langnghe ensure_demo`` (``make run``) and ``load_demo --history``; the plain ``load_demo``
(used by the tests' demo network) does not pay for it.
"""

import datetime as dt
import heapq
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from langnghe.surveys.models import PendingCount, SurveyResponse
from langnghe.surveys.selectors import form_config
from langnghe.surveys.services import _response_build, counters_fold
from langnghe.units.models import Unit

SEED = 2021  # the year the Bắc Giang network opened its pages
MONTHS = 12  # whole months before the current one, which also has its first days
MARKER = "history-"  # channel_ref of the history's cases; its presence means "loaded"
NAMESPACE = uuid.UUID("0b6f8a8e-3d0e-4c1f-9a3b-6a1f2c9d4e27")

# Monthly rhythm (index = month - 1). Surveys: the Tết rush for citizen ID cards and residence
# (January–February) brings queues and lower satisfaction; it recovers from spring on.
SURVEY_VOLUME = [1.5, 1.4, 1.1, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1]
SATISFACTION = [0.62, 0.58, 0.72, 0.80, 0.84, 0.86, 0.87, 0.88, 0.88, 0.89, 0.88, 0.85]
CASE_VOLUME = [1.2, 1.1, 0.9, 0.9, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.2]
CONVERSATION_VOLUME = [1.5, 1.4, 1.0, 0.9, 0.9, 1.0, 1.1, 1.0, 1.0, 0.9, 0.9, 1.1]
WEEKDAY = [1.0, 1.0, 1.0, 1.0, 0.95, 0.5, 0.3]  # Monday … Sunday

# Per day, at full scale (× the rhythms above).
CASES_PER_DAY = 1.2
CONVERSATIONS_PER_DAY = 1.8
RESPONSES_PER_DAY = 9.0
POSTS_PER_MONTH = 8

# Obviously invented people: "(demo)" in every name, phone numbers of the 0900 000 xxx block.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi"]
GIVEN = ["Văn Mẫu", "Thị Thử", "Văn Demo", "Thị Mẫu", "Minh Thử", "Thu Demo"]

CASE_TEXTS = {
    "crime_report": [
        "Có nhóm người lạ thường xuyên tụ tập, nghi mua bán ma túy ở bãi đất trống cuối xóm.",
        "Nhà tôi bị mất trộm xe máy đêm qua, khóa cổng bị cắt.",
        "Tôi bị một tài khoản giả danh ngân hàng lừa chuyển tiền để cập nhật sinh trắc học.",
        "Có người cho vay lãi nặng, đến nhà đe dọa, ném chất bẩn vào cổng.",
    ],
    "public_order": [
        "Quán karaoke hát to sau 23 giờ nhiều đêm liền, ảnh hưởng cả khu dân cư.",
        "Nhóm thanh niên đua xe, nẹt pô trên đường tỉnh vào tối cuối tuần.",
        "Xe tải đỗ chiếm lòng đường trước chợ, gây ùn tắc giờ tan học.",
        "Có người đốt rác, khói bay vào khu nhà trẻ mỗi buổi chiều.",
    ],
    "service_feedback": [
        "Hồ sơ cấp căn cước của tôi đã quá hẹn mà chưa có kết quả.",
        "Bộ phận một cửa hướng dẫn thiếu giấy tờ, tôi phải đi lại nhiều lần.",
        "Đăng ký thường trú trực tuyến báo lỗi, không nộp được hồ sơ.",
    ],
    "other": [
        "Tôi nhặt được ví có giấy tờ, muốn gửi lại cho người mất.",
        "Đề nghị lắp thêm biển báo giảm tốc gần trường tiểu học.",
    ],
}
CASE_MIX = [
    ("crime_report", 0.25),
    ("public_order", 0.4),
    ("service_feedback", 0.25),
    ("other", 0.1),
]

QUESTIONS = [
    ("Cho hỏi làm căn cước cho con 14 tuổi cần mang giấy tờ gì?", "procedure"),
    ("Đăng ký tạm trú cho người thuê trọ thì làm ở đâu, có mất phí không?", "procedure"),
    ("Tôi mất căn cước, làm lại có phải về quê không?", "procedure"),
    ("Xóm tôi có người lạ hỏi mua chó, nghi trộm chó, nhờ công an để ý.", "report"),
    ("Tối nào cũng có nhóm thanh niên tụ tập uống rượu gây ồn ở nhà văn hóa.", "report"),
    ("Tôi nhận cuộc gọi tự xưng công an yêu cầu chuyển tiền, có phải lừa đảo không?", "report"),
    ("Khi nào có kết quả cấp hộ chiếu nộp tuần trước?", "procedure"),
]
ANSWERS = {
    "procedure": "Chào anh/chị, anh/chị mang căn cước (hoặc giấy khai sinh của cháu) đến bộ "
    "phận một cửa, hoặc nộp trực tuyến trên Cổng dịch vụ công. Cần thêm thông tin xin nhắn lại.",
    "report": "Cảm ơn anh/chị đã báo tin. Công an đã ghi nhận và sẽ cử cán bộ kiểm tra, xác minh.",
}
THANKS = "Cảm ơn cán bộ đã hướng dẫn."

# (unit, role, username, full name): the history's editors, of the province, the city and a ward.
EDITORS = [
    ("BG", "editor", "bientap.tinh", "Biên tập Công an tỉnh (demo)"),
    ("BG-H213", "editor", "bientap.tpbg", "Biên tập CA TP Bắc Giang (demo)"),
    ("BG-X07201", "editor", "bientap.thoxuong", "Biên tập CA phường Thọ Xương (demo)"),
]

POST_TOPICS = [
    ("thu-tuc-hanh-chinh", "Hướng dẫn làm căn cước cho trẻ dưới 14 tuổi"),
    ("canh-bao-lua-dao", "Cảnh giác thủ đoạn giả danh công an gọi điện yêu cầu chuyển tiền"),
    ("an-toan-giao-thong", "Tuyên truyền an toàn giao thông cho học sinh"),
    ("an-ninh-trat-tu", "Kết quả tuần tra, kiểm soát bảo đảm an ninh trật tự"),
    ("phong-chay-chua-chay", "Phòng cháy, chữa cháy nhà ở kết hợp kinh doanh"),
    ("thu-tuc-hanh-chinh", "Đăng ký cư trú trực tuyến: các bước nộp hồ sơ"),
    ("canh-bao-lua-dao", "Cảnh giác lừa đảo việc làm online, đầu tư tiền ảo"),
    ("an-ninh-trat-tu", "Vận động người dân giao nộp vũ khí, vật liệu nổ"),
]


@dataclass
class Event:
    at: dt.datetime
    kind: str
    spec: dict = field(default_factory=dict)


@dataclass
class Plan:
    events: list[Event]
    responses: list[dict]

    def counts(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for event in self.events:
            kinds[event.kind] = kinds.get(event.kind, 0) + 1
        return {**kinds, "responses": len(self.responses)}


# --- The plan (pure: seed + today + the network's unit codes) ----------------------------------


def _moment(rng: random.Random, day: dt.date, hours: tuple[int, int] = (6, 22)) -> dt.datetime:
    tz = timezone.get_default_timezone()
    minute = rng.randrange(hours[0] * 60, hours[1] * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60)), tz)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: the small means of a day's activity."""
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _person(rng: random.Random) -> dict:
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} (demo)"
    return {"name": name, "phone": f"0900000{rng.randrange(1000):03d}"}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def history_start(today: dt.date) -> dt.date:
    """The first day of the month ``MONTHS`` months before the current one: the history fills
    twelve whole months, then the current month up to yesterday."""
    month = today.year * 12 + today.month - 1 - MONTHS
    return dt.date(month // 12, month % 12 + 1, 1)


def history_plan(
    today: dt.date, *, units: dict[str, list[str]], scale: float = 1.0, seed: int = SEED
) -> Plan:
    """Every event of the year before ``today``, in time order. ``units``: the network's codes
    by kind ("province", "department", "district", "commune"; districts as "parent:code" pairs
    are not needed — communes are worked by their own staff). Same inputs, same plan."""
    rng = random.Random(seed)
    start, end = history_start(today), today - dt.timedelta(days=1)
    communes = sorted(units.get("commune", []))
    # Some units are busier than others (a city ward, a border market town), some quiet.
    active = sorted(rng.sample(communes, min(len(communes), 45)))
    case_weight = {code: rng.lognormvariate(0, 0.8) for code in active}
    for code in units.get("district", []):
        case_weight[code] = rng.lognormvariate(-0.7, 0.5)
    desk_weight = {code: rng.lognormvariate(0, 0.7) for code in active}
    survey_units = active[:30] + sorted(units.get("department", []))
    survey_weight = {code: rng.lognormvariate(0, 0.6) for code in survey_units}
    # How well each unit keeps its deadlines and how satisfied its citizens are.
    diligence = {code: rng.uniform(0.55, 0.95) for code in case_weight}
    service = {code: rng.uniform(-0.12, 0.08) for code in survey_units}
    present = {code for codes in units.values() for code in codes}
    editors = [code for code, _role, _name, _full in EDITORS if code in present]

    events: list[Event] = []
    responses: list[dict] = []
    day = start
    while day <= end:
        month, weekday = day.month - 1, day.weekday()
        for _ in range(
            _poisson(rng, CASES_PER_DAY * scale * CASE_VOLUME[month] * WEEKDAY[weekday])
        ):
            unit = _weighted(rng, case_weight)
            category = _weighted(rng, dict(CASE_MIX))
            anonymous = category in ("crime_report", "other") and rng.random() < 0.35
            events.append(
                Event(
                    _moment(rng, day),
                    "case",
                    {
                        "unit": unit,
                        "category": category,
                        "text": rng.choice(CASE_TEXTS[category]),
                        "anonymous": anonymous,
                        "reporter": None if anonymous else _person(rng),
                        "channel": rng.choice(["web", "web", "phone", "duty_desk"]),
                        "on_time": rng.random() < diligence[unit],
                        "fate": rng.random(),
                        "delays": [rng.random() for _ in range(6)],
                    },
                )
            )
        mean = CONVERSATIONS_PER_DAY * scale * CONVERSATION_VOLUME[month] * WEEKDAY[weekday]
        for _ in range(_poisson(rng, mean)):
            unit = _weighted(rng, desk_weight)
            text, topic = rng.choice(QUESTIONS)
            at = _moment(rng, day, (5, 24))
            events.append(
                Event(
                    at,
                    "conversation",
                    {
                        "unit": unit,
                        "channel": "zalo" if rng.random() < 0.45 else "web",
                        "text": text,
                        "topic": topic,
                        "name": _person(rng)["name"] if rng.random() < 0.6 else "",
                        "delay": rng.random(),
                        "thanks": rng.random() < 0.4,
                        "answered": rng.random() < 0.97,
                    },
                )
            )
        mean = RESPONSES_PER_DAY * scale * SURVEY_VOLUME[month] * WEEKDAY[weekday]
        if weekday < 6:  # one-stop desks are closed on Sundays
            for _ in range(_poisson(rng, mean)):
                unit = _weighted(rng, survey_weight)
                satisfied = min(0.97, max(0.2, SATISFACTION[month] + service[unit]))
                responses.append(_response(rng, unit, _moment(rng, day, (7, 17)), satisfied))
        if day.day in (3, 10, 17, 24) or (day.day == 28 and rng.random() < 0.5):
            events.append(
                Event(
                    _moment(rng, day, (7, 11)),
                    "post",
                    {"unit": rng.choice(editors), "topic": rng.choice(POST_TOPICS)},
                )
            )
        events.append(Event(_moment(rng, day, (6, 7)), "escalate"))
        day += dt.timedelta(days=1)
    events.sort(key=lambda e: e.at)
    return Plan(events, responses)


def _response(rng: random.Random, unit: str, at: dt.datetime, satisfied: float) -> dict:
    def answer() -> str:
        if rng.random() < satisfied:
            return rng.choice("455")
        return rng.choice("1223")

    answers = {k: answer() for k in ("access", "procedure", "staff", "result", "overall")}
    if rng.random() < 0.5:
        answers["feedback"] = answer()
    unhappy = min(answers.values()) <= "2"
    comment = ""
    if rng.random() < 0.15:
        comment = (
            rng.choice(["Phải chờ lâu, đông người.", "Thiếu chỗ ngồi chờ.", "Hẹn trả chậm."])
            if unhappy
            else rng.choice(["Cán bộ hướng dẫn tận tình.", "Nhanh, gọn.", "Thái độ niềm nở."])
        )
    return {"unit": unit, "at": at, "answers": answers, "comment": comment}


# --- Playing the plan ----------------------------------------------------------------------------


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


def _fit(answers: dict, template) -> dict:
    """The planned answers in the template's questions and scale (the one-stop form has three
    levels: 5, 4, 2)."""
    fitted = {}
    for question in template.questions.all():
        value = answers.get(question.key)
        allowed = [choice["value"] for choice in question.choices]
        if value is None or not allowed:
            continue
        fitted[question.key] = (
            value if value in allowed else min(allowed, key=lambda a: abs(int(a) - int(value)))
        )
    return fitted


def _responses_store(rows: list[dict]) -> None:
    """The responses' bulk path: each answer set checked like the form's (``_response_build``),
    the rows and their pending counts inserted together, then folded into the counters."""
    configs: dict = {}
    built = []
    for n, row in enumerate(rows):
        if row["unit"] not in configs:
            configs[row["unit"]] = form_config(row["unit"])
        unit, template = configs[row["unit"]]
        response = _response_build(
            unit=unit,
            template=template,
            client_uuid=uuid.uuid5(NAMESPACE, f"response-{n}"),
            answers=_fit(row["answers"], template),
            comment=row["comment"],
            dossier_code="",
            key=None,
            require_key=False,
            template_id=None,
        )
        response.source = "qr"
        response.submitted_at = row["at"]
        response.day = timezone.localdate(row["at"])
        built.append(response)
    stored = SurveyResponse.objects.bulk_create(built, batch_size=500)
    PendingCount.objects.bulk_create(
        [PendingCount(response_id=r.pk) for r in stored], batch_size=500
    )
    while counters_fold():
        pass
