"""No internal value shows on a page a person reads (issue #27): the main console pages and the
public status and receipt pages, rendered with the demo data and a case in every state, must
not show a raw state value ("→ received"), a unit code without the unit's name, or a template
code ("sipas v1")."""

import html
import io
import re

import pytest
from django.core.management import call_command

from langnghe.cases import services as case_services
from langnghe.cases.models import Case, EntryKind
from langnghe.cases.models import Channel as CaseChannel
from langnghe.cases.models import Status as CaseStatus
from langnghe.cases.policies import DEFAULT_CATEGORIES
from langnghe.content.models import Post
from langnghe.inbox.models import Conversation, ConversationStatus, Delivery, ReplySignature
from langnghe.surveys.models import Element
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG, YEN_THE = "BG", "BG-H213", "BG-X07201", "BG-H215"

# Values a page must never print as words. "web" is left out: it is also a Vietnamese word
# ("Trang web", the label of that very channel).
RAW_VALUES = (
    set(CaseStatus.values)
    | set(EntryKind.values)
    | (set(CaseChannel.values) - {"web", "api"})
    | set(ConversationStatus.values)
    | set(Delivery.values)
    | set(ReplySignature.values)
    | {"police", "fire", "ambulance", "device_burst", "ip_burst", "unit_burst", "manual"}
    | {"admin", "supervisor", "editor", "duty_officer", "investigator", "viewer"}
    | {"due_soon", "overdue", "late", "cancelled", "province", "address"}  # badges, routing
    | {c["code"] for c in DEFAULT_CATEGORIES}  # case categories
    | set(Element.values)  # survey elements (SIPAS)
    | set(Post.State.values)
    | {"article", "notice"}  # posts ("Video" is its own label)
    | {"minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months"}
)
WORD = re.compile(
    r"(?<![\w./:-])(" + "|".join(sorted(map(re.escape, RAW_VALUES), key=len, reverse=True)) + r")"
    r"(?![\w/:-])"
)
UNIT_CODE = re.compile(r"\bBG-[XH]\d+\b")


def visible_text(page: str) -> str:
    """What a person reads: no scripts, styles, tags or attribute values."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def problems(page: str, names: dict[str, str]) -> list[str]:
    text = visible_text(page)
    found = [
        f"raw value {m.group(1)!r} in …{text[max(0, m.start() - 40) : m.end() + 20]}…"
        for m in WORD.finditer(text)
    ]
    for m in UNIT_CODE.finditer(text):
        around = text[max(0, m.start() - 160) : m.end() + 160]
        if names.get(m.group(0), "\0") not in around:
            found.append(f"unit code {m.group(0)} without its name: …{around}…")
    if re.search(r"(?i)sipas v\d|mot-cua v\d", text):
        found.append("template code and version")
    return found


def _cases(commander, investigator) -> dict[str, Case]:
    """One case in each state, brought there through the services (a transfer, a merge and a
    decline leave their own entries in the timeline)."""

    def new(text="Trộm xe máy trước chợ"):
        case, _ = case_services.case_create(
            category_code="crime_report", description=text, unit_code=CITY, is_anonymous=True
        )
        return case

    by = commander
    cases = {CaseStatus.RECEIVED: new()}
    cases[CaseStatus.CLASSIFIED] = case_services.case_classify(case=new(), by=by)
    assigned = case_services.case_assign(
        case=case_services.case_classify(case=new(), by=by), by=by, assignee=investigator
    )
    cases[CaseStatus.ASSIGNED] = assigned
    verifying = case_services.case_verify_start(
        case=case_services.case_assign(case=new(), by=by, assignee=investigator), by=by
    )
    case_services.case_note_add(case=verifying, by=by, body="Đã mời người làm chứng")
    cases[CaseStatus.VERIFYING] = verifying
    cases[CaseStatus.TRANSFERRED] = case_services.case_transfer(
        case=new(), by=by, to_unit=Unit.objects.get(code=YEN_THE), reason="Xảy ra ở Yên Thế"
    )
    resolved = case_services.case_assign(case=new(), by=by, assignee=investigator)
    case_services.case_reply(case=resolved, by=by, body="Cảm ơn, chúng tôi đang xác minh.")
    cases[CaseStatus.RESOLVED] = case_services.case_resolve(case=resolved, by=by, result="Đã xử lý")
    cases[CaseStatus.DECLINED] = case_services.case_decline(
        case=new(), by=by, reason="Tranh chấp dân sự", guidance="Tòa án nhân dân thành phố"
    )
    cases[CaseStatus.MERGED] = case_services.case_merge(
        case=new("Cùng vụ trộm xe"), by=by, into=cases[CaseStatus.ASSIGNED]
    )
    return cases


@pytest.fixture
def demo(tmp_path, settings, make_staff):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    call_command("load_demo", stdout=io.StringIO())
    commander = make_staff(PROVINCE, "supervisor")
    investigator = make_staff(CITY, "investigator")
    return commander, _cases(commander, investigator)


def test_console_and_public_pages_show_no_internal_value(client, demo):
    commander, cases = demo
    names = dict(Unit.objects.values_list("code", "name"))
    # An emergency at the demo desk: its automatic answer and the officers' note.
    from langnghe.inbox import services as inbox_services

    unit = Unit.objects.get(code=THO_XUONG)
    inbox_services.message_receive(
        unit=unit, channel="web", external_id="t-urgent", text="co nguoi dang cuop xe may o cho"
    )
    conversations = list(Conversation.objects.filter(unit=unit).values_list("pk", flat=True))
    assert conversations

    client.force_login(commander)
    pages = [
        "/staff/",
        "/staff/cases/",
        f"/staff/cases/?unit={CITY}",
        "/staff/inbox/",
        "/staff/inbox/lich-truc/",
        "/staff/inbox/mau-tra-loi/",
        "/staff/content/",
        "/staff/cases/identity-requests/",
        f"/staff/surveys/?unit={PROVINCE}",
        f"/staff/surveys/?unit={THO_XUONG}",
        "/staff/surveys/templates/",
        "/staff/surveys/flagged/",
        "/staff/insights/",
        f"/staff/insights/?unit={CITY}",
    ]
    pages += [f"/staff/cases/{case.pk}/" for case in cases.values()]
    pages += [f"/staff/inbox/?c={pk}" for pk in conversations]
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if issues := problems(response.content.decode(), names):
            found[url] = issues

    client.logout()
    for case in cases.values():
        url = f"/phan-anh/tra-cuu/?ma={case.tracking_code}"
        response = client.get(url)
        assert response.status_code == 200, url
        if issues := problems(response.content.decode(), names):
            found[url] = issues
    # The reporter's mailbox, opened with the receipt, after a reply and a transfer.
    case, receipt = case_services.case_create(
        category_code="crime_report",
        description="Bị lừa qua mạng",
        unit_code=CITY,
        is_anonymous=True,
    )
    case_services.case_reply(case=case, by=commander, body="Đã nhận, đang xác minh.")
    case_services.case_transfer(
        case=case, by=commander, to_unit=Unit.objects.get(code=YEN_THE), reason="Địa bàn"
    )
    mailbox = client.post("/phan-anh/bien-nhan/", {"receipt": receipt, "action": "view"})
    assert mailbox.status_code == 200
    if issues := problems(mailbox.content.decode(), names):
        found["/phan-anh/bien-nhan/"] = issues
    assert not found, "\n".join(
        f"{url}: {issue}" for url, issues in found.items() for issue in issues
    )


def test_the_check_finds_what_it_looks_for():
    """The scanner itself: it catches the faults of issue #27 and leaves Vietnamese alone."""
    names = {THO_XUONG: "Công an phường Thọ Xương"}
    assert problems("<li>Đổi trạng thái → received</li>", names)
    assert problems("<p>KHẨN CẤP tại BG-X07201</p>", names)
    assert problems("<summary>Phiếu (5 yếu tố) · sipas v1</summary>", names)
    assert problems("<td>ip_burst</td>", names)
    assert not problems('<option value="received">Đã tiếp nhận</option>', names)
    assert not problems("<p>Công an phường Thọ Xương (BG-X07201) · Trang web</p>", names)
    assert not problems('<a href="/staff/cases/?status=merged">Đã gộp</a>', names)
