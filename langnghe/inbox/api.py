"""The duty desk API: conversations of the units in the caller's scope, and replies."""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from langnghe.accounts.auth import staff_auth
from langnghe.accounts.selectors import visible_unit_get
from langnghe.core.exceptions import ApplicationError
from langnghe.core.pagination import Pages

from . import rules, selectors, services, webchat
from .models import Message

router = Router(tags=["inbox"], auth=staff_auth)


class ConversationOut(Schema):
    """A conversation as the desk's list shows it: no name or phone (those are sealed and read
    one conversation at a time, audited), the first words of its last message."""

    id: int
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    channel: str
    display_name: str
    anonymous: bool = Field(alias="is_anonymous")
    has_identity: bool
    status: str
    assignee: int | None = Field(None, alias="assignee_id")
    labels: list[str]
    urgent: bool = Field(alias="is_urgent")
    unread: int = Field(alias="unread_count")
    preview: str = ""
    created_at: dt.datetime
    last_message_at: dt.datetime | None
    last_incoming_at: dt.datetime | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    first_response_seconds: int | None
    resolution_seconds: int | None
    case_id: int | None

    @staticmethod
    def resolve_preview(obj) -> str:
        return getattr(obj, "preview", None) or ""


class MessageOut(Schema):
    id: int
    direction: str
    kind: str
    text: str
    sent_at: dt.datetime
    delivery: str
    delivery_note: str
    automatic: bool = Field(alias="is_automatic")


class NoteOut(Schema):
    id: int
    text: str
    author: str | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj) -> str | None:
        return str(obj.author) if obj.author else None


class ConversationDetail(ConversationOut):
    citizen_name: str = Field("", description="tên người dân đã cho (đọc được ghi nhật ký)")
    citizen_phone: str = Field("", description="điện thoại người dân đã cho")
    messages: list[MessageOut]
    notes: list[NoteOut]
    suggestion: dict | None = None

    @staticmethod
    def resolve_citizen_name(obj) -> str:
        return obj.identity.get("name", "")

    @staticmethod
    def resolve_citizen_phone(obj) -> str:
        return obj.identity.get("phone", "")

    @staticmethod
    def resolve_messages(obj) -> list:
        return list(obj.messages.all())

    @staticmethod
    def resolve_notes(obj) -> list:
        return list(obj.notes.all())

    @staticmethod
    def resolve_suggestion(obj) -> dict | None:
        return selectors.procedure_suggestion(obj)


class ConversationFilter(Schema):
    unit: str | None = Field(None, description="mã đơn vị (gồm cả đơn vị cấp dưới)")
    status: str | None = Field(None, pattern="^(open|waiting|resolved)$")
    assignee: str | None = Field(None, description="id cán bộ, hoặc me / none")


class TextIn(Schema):
    text: str = Field(..., max_length=20000)


class StatusIn(Schema):
    status: str = Field(..., pattern="^(open|waiting|resolved)$")


class AssignIn(Schema):
    assignee: int | None = None


class UnitCount(Schema):
    unit: str
    name: str
    unread: int
    conversations: int
    urgent: int


READ, ANSWER = selectors.DeskAction.READ, selectors.DeskAction.ANSWER


class AuditedPages(Pages):
    """Pages of conversations: the page shown is audited (it holds the citizens' words)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = list(page["items"])
        services.conversations_listed(conversations=page["items"], by=request.auth)
        return page


@router.get(
    "/conversations",
    response=list[ConversationOut],
    summary="Danh sách hội thoại (cán bộ trực ban, chỉ huy)",
)
@paginate(AuditedPages)
def conversation_list(request, filters: Query[ConversationFilter]):
    return selectors.conversation_list(
        user=request.auth, unit=filters.unit, status=filters.status, assignee=filters.assignee
    )


@router.get("/counts", response=list[UnitCount], summary="Số tin mới theo đơn vị")
def unread_counts(request):
    return selectors.unread_counts(user=request.auth)


@router.get(
    "/conversations/{conversation_id}",
    response=ConversationDetail,
    summary="Một hội thoại (đọc được ghi nhật ký)",
)
def conversation_detail(request, conversation_id: int):
    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=READ
    )
    conversation = (
        type(conversation)
        .objects.select_related("unit", "assignee")
        .prefetch_related(
            Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id")),
            "notes__author",
        )
        .get(pk=conversation.pk)
    )
    conversation.identity = services.conversation_read(conversation=conversation, by=request.auth)
    return conversation


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    summary="Trả lời người dân",
)
def message_reply(request, conversation_id: int, payload: TextIn):
    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=ANSWER
    )
    return 201, services.message_reply(
        conversation=conversation, by=request.auth, text=payload.text
    )


class TriageCorrectionIn(Schema):
    category: str = Field(
        ..., description="crime_report, public_order, procedure_question, service_feedback, other"
    )
    urgent: bool = False
    hotline: str | None = Field(None, description="113, 114 hoặc 115 khi khẩn cấp")


class TriageCorrectionOut(Schema):
    id: int
    category: str
    urgent: bool
    hotline: str
    predicted_category: str
    predicted_urgent: bool | None


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/triage",
    response={201: TriageCorrectionOut},
    summary="Sửa nhãn phân loại của một tin nhắn (lưu làm dữ liệu huấn luyện)",
)
def message_triage_correct(
    request, conversation_id: int, message_id: int, payload: TriageCorrectionIn
):
    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=ANSWER
    )
    return 201, services.message_triage_correct(
        conversation=conversation,
        message_id=message_id,
        by=request.auth,
        category=payload.category,
        urgent=payload.urgent,
        hotline=payload.hotline,
    )


@router.post(
    "/conversations/{conversation_id}/notes", response={201: NoteOut}, summary="Ghi chú nội bộ"
)
def note_add(request, conversation_id: int, payload: TextIn):
    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=ANSWER
    )
    return 201, services.note_add(conversation=conversation, by=request.auth, text=payload.text)


@router.post(
    "/conversations/{conversation_id}/status", response=ConversationOut, summary="Đổi trạng thái"
)
def conversation_status(request, conversation_id: int, payload: StatusIn):
    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=ANSWER
    )
    return services.conversation_status_set(
        conversation=conversation, status=payload.status, by=request.auth
    )


@router.post(
    "/conversations/{conversation_id}/assign", response=ConversationOut, summary="Giao cán bộ"
)
def conversation_assign(request, conversation_id: int, payload: AssignIn):
    from django.contrib.auth import get_user_model

    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=ANSWER
    )
    assignee = None
    if payload.assignee is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee, is_active=True).first()
        if assignee is None:
            raise ApplicationError("Không có cán bộ này.", code="bad_assignee", field="assignee")
    return services.conversation_assign(
        conversation=conversation, assignee=assignee, by=request.auth
    )


class ToCaseIn(Schema):
    category: str = Field("", description="để trống: phân loại tự động theo nội dung tin nhắn")
    message_ids: list[int] | None = Field(None, description="chỉ các tin này (mặc định: tất cả)")


class CaseLinkOut(Schema):
    case_id: int
    tracking_code: str
    category: str = Field(alias="category.code")


@router.post(
    "/conversations/{conversation_id}/case",
    response={201: CaseLinkOut},
    summary="Tạo vụ việc từ hội thoại",
)
def conversation_to_case(request, conversation_id: int, payload: ToCaseIn):
    conversation = selectors.conversation_for(
        user=request.auth, conversation_id=conversation_id, action=ANSWER
    )
    case = services.conversation_to_case(
        conversation=conversation,
        by=request.auth,
        message_ids=payload.message_ids,
        category=payload.category,
    )
    case.case_id = case.pk
    return 201, case


# --- Web chat (public, no account) -------------------------------------------------------------


class ChatIn(Schema):
    text: str = Field(..., max_length=5000)
    token: str = Field("", max_length=300)
    name: str = Field("", max_length=150)
    phone: str = Field("", max_length=30)
    anonymous: bool = Field(False, description="gửi ẩn danh: không lấy tên, số điện thoại")


class ChatMessage(Schema):
    id: int
    direction: str
    text: str
    sent_at: str
    time: str = Field(..., description="giờ địa phương, HH:MM dd/mm/yyyy")
    author: str = Field(..., description="Bạn, tên cán bộ hoặc tên bộ phận trực ban")
    automatic: bool


class ChatOut(Schema):
    token: str = Field(..., description="giữ lại để đọc tiếp; rỗng khi mã đã hết hạn")
    messages: list[ChatMessage]


@router.get("/webchat/{unit_code}", response=ChatOut, auth=None, summary="Web chat: đọc tin")
def webchat_read(request, unit_code: str, token: str = Query("", max_length=300)):
    unit = webchat.unit_for_chat(unit_code)
    token = webchat.token_renew(token, unit)
    return {"token": token, "messages": webchat.thread(unit, token)}


@router.post("/webchat/{unit_code}", response=ChatOut, auth=None, summary="Web chat: gửi tin")
def webchat_send(request, unit_code: str, payload: ChatIn):
    unit = webchat.unit_for_chat(unit_code)
    token = webchat.citizen_send(
        request,
        unit=unit,
        token=payload.token,
        text=payload.text,
        name=payload.name,
        phone=payload.phone,
        anonymous=payload.anonymous,
    )
    return {"token": token, "messages": webchat.thread(unit, token)}


# --- Duty roster (lịch trực ban) ---------------------------------------------------------------


class ShiftOut(Schema):
    id: int
    unit: str = Field(alias="unit.code")
    officer: int = Field(alias="officer_id")
    officer_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    lead: bool = Field(alias="is_lead")
    note: str

    @staticmethod
    def resolve_officer_name(obj) -> str:
        return str(obj.officer)


class RosterFilter(Schema):
    unit: str = Field(..., max_length=32, description="mã đơn vị")
    start: dt.date | None = Field(None, description="ngày đầu (mặc định: thứ Hai tuần này)")
    days: int = Field(7, ge=1, le=31)


class ShiftIn(Schema):
    unit: str = Field(..., max_length=32)
    officer: int
    starts_at: dt.datetime = Field(..., description="giờ địa phương nếu không ghi múi giờ")
    ends_at: dt.datetime
    lead: bool = False
    note: str = Field("", max_length=200)


class ShiftCancelOut(Schema):
    id: int
    result: str = Field(..., description="deleted (ca chưa bắt đầu) hoặc ended (ca đang trực)")


class OnDutyOut(Schema):
    unit: str
    staffed: bool = Field(..., description="có người trực lúc này (theo lịch trực, hoặc giờ làm)")
    by_roster: bool = Field(..., description="đơn vị đang dùng lịch trực")
    shifts: list[ShiftOut]


@router.get("/roster", response=list[ShiftOut], summary="Lịch trực của một đơn vị")
def roster(request, filters: Query[RosterFilter]):
    start = filters.start or selectors.week_start(timezone.localdate())
    _, shifts = selectors.roster_week(
        user=request.auth, unit=filters.unit, start=start, days=filters.days
    )
    return shifts


@router.post("/roster", response={201: ShiftOut}, summary="Thêm một ca trực")
def shift_create(request, payload: ShiftIn):
    from django.contrib.auth import get_user_model

    unit = visible_unit_get(user=request.auth, code=payload.unit)
    officer = get_user_model().objects.filter(pk=payload.officer).first()
    return 201, services.duty_shift_create(
        unit=unit,
        officer=officer,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        is_lead=payload.lead,
        note=payload.note,
        by=request.auth,
    )


class WeekCopyIn(Schema):
    unit: str = Field(..., max_length=32)
    week_start: dt.date = Field(..., description="thứ Hai của tuần nhận lịch (chép từ tuần trước)")


class WeekCopyOut(Schema):
    copied: int
    skipped: int = Field(
        ..., description="ca đã qua, trùng ca khác, hoặc cán bộ không còn trực được"
    )


@router.post("/roster/copy-week", response=WeekCopyOut, summary="Chép lịch trực tuần trước")
def roster_copy_week(request, payload: WeekCopyIn):
    unit = visible_unit_get(user=request.auth, code=payload.unit)
    copied, skipped = services.duty_week_copy(
        unit=unit, week_start=payload.week_start, by=request.auth
    )
    return {"copied": copied, "skipped": skipped}


@router.post("/roster/{shift_id}/cancel", response=ShiftCancelOut, summary="Hủy hoặc kết thúc ca")
def shift_cancel(request, shift_id: int):
    shift = selectors.shift_get(user=request.auth, shift_id=shift_id)
    return {"id": shift_id, "result": services.duty_shift_cancel(shift=shift, by=request.auth)}


@router.get("/on-duty", response=OnDutyOut, summary="Ai đang trực ở một đơn vị")
def on_duty(request, unit: str = Query(..., max_length=32)):
    root = visible_unit_get(user=request.auth, code=unit)
    staffed, running = selectors.roster_now(root)
    return {
        "unit": root.code,
        "staffed": rules.in_office_hours(root) if staffed is None else staffed,
        "by_roster": staffed is not None,
        "shifts": running,
    }
