"""The plan of the year: pure, a function of ``SEED``, today and the network's unit codes —
what happens when (cases, conversations, posts, the daily escalation run) and the survey
responses."""

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

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
