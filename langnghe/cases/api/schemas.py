"""What the cases API takes in and gives back."""

import datetime as dt

from ninja import Field, Schema


class CaseReporterIn(Schema):
    name: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=300)
    address: str | None = Field(None, max_length=300)
    id_number: str | None = Field(None, max_length=300)
    email: str | None = Field(None, max_length=300)


class CaseLocationIn(Schema):
    lat: float
    long: float


class CaseCreateIn(Schema):
    category: str = Field(
        "",
        description="crime_report, public_order, service_feedback, complaint, denunciation, "
        "other; để trống thì hệ thống tự phân loại theo nội dung",
    )
    unit: str | None = Field(None, description="mã đơn vị nhận (nếu người gửi chọn)")
    address: str | None = Field(
        None, description="địa chỉ nơi xảy ra, ví dụ “Phường Thọ Xương, Thành phố Bắc Giang”"
    )
    description: str = ""
    anonymous: bool = False
    reporter: CaseReporterIn | None = None
    location: CaseLocationIn | None = None


class CaseUnitRef(Schema):
    code: str
    name: str


class CaseDeadlineOut(Schema):
    step: str
    label: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    law: str
    state: str
    extensions_used: int


class CaseCreatedOut(Schema):
    id: int
    tracking_code: str
    status: str
    category: str
    unit: CaseUnitRef
    routed_by: str
    deadlines: list[CaseDeadlineOut]
    status_url: str
    receipt: str | None = Field(None, description="chỉ với tin ẩn danh; hiển thị một lần")
    urgent: bool = Field(False, description="nội dung cho thấy nguy hiểm đang xảy ra")
    hotline: str | None = Field(None, description="số khẩn cấp nên gọi ngay: 113, 114, 115")


class CaseCategoryOut(Schema):
    code: str
    name: str
    description: str
    allows_anonymous: bool
    legal_basis: str
    deadline_policy: list[dict]


class CaseReceiptIn(Schema):
    receipt: str = Field(..., max_length=40)


class CaseReporterMessageIn(CaseReceiptIn):
    body: str = ""


class CaseMessageOut(Schema):
    at: dt.datetime
    from_reporter: bool
    kind: str
    body: str


class CaseTrackOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    open311_status: str
    category: str
    unit: CaseUnitRef
    received_at: dt.datetime
    status_note: str
    messages: list[CaseMessageOut]


class CaseListOut(Schema):
    id: int
    tracking_code: str
    category: str
    status: str
    unit: CaseUnitRef
    is_urgent: bool
    is_anonymous: bool
    channel: str
    received_at: dt.datetime
    next_due_at: dt.datetime | None
    overdue: bool
    assignee: str | None


class CaseEntryOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    actor: str | None
    from_reporter: bool
    visible_to_reporter: bool
    body: str
    data: dict


class CaseAttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    from_reporter: bool
    created_at: dt.datetime


class CaseDetailOut(CaseListOut):
    description: str | None
    address: str | None
    location: dict | None
    routed_by: str
    status_note: str
    public_summary: str = Field(description="nội dung cán bộ đánh dấu công khai")
    decline_guidance: str
    has_reporter_identity: bool
    merged_into: str | None
    deadlines: list[CaseDeadlineOut]
    timeline: list[CaseEntryOut]
    attachments: list[CaseAttachmentOut]


class CaseFilter(Schema):
    category: str | None = None
    status: str | None = Field(None, description="open, closed hoặc một trạng thái cụ thể")
    overdue: bool | None = None
    due_soon: bool | None = Field(None, description="còn dưới 48 giờ")
    unit: str | None = Field(None, description="mã đơn vị: chỉ cây đơn vị này")
    assignee: str | None = None
    q: str | None = Field(None, max_length=16, description="mã tra cứu")


class CaseIntakeIn(Schema):
    unit: str
    category: str
    description: str = ""
    channel: str = Field("phone", description="phone hoặc walk_in")
    anonymous: bool = False
    refusal_reason: str = Field("", max_length=500)
    urgent: bool = False
    address: str = ""
    reporter: CaseReporterIn | None = None


class CaseClassifyIn(Schema):
    category: str | None = None
    urgent: bool | None = None


class CaseAssignIn(Schema):
    assignee: str


class CaseBulkAssignIn(Schema):
    ids: list[int] = Field(..., max_length=200)
    assignee: str


class CaseResolveIn(Schema):
    result: str = ""
    public: bool = Field(
        False,
        description="công khai kết quả trên trang tra cứu và Open311 (mặc định: chỉ người "
        "báo tin đọc được)",
    )


class CaseTransferIn(Schema):
    to_unit: str
    reason: str = ""


class CaseDeclineIn(Schema):
    reason: str = ""
    guidance: str = ""
    public: bool = Field(False, description="công khai hướng dẫn trên trang tra cứu và Open311")


class CaseMergeIn(Schema):
    into: int


class CaseBodyIn(Schema):
    body: str = ""


class CaseReasonIn(Schema):
    reason: str = ""


class RevealDecisionIn(Schema):
    approve: bool


class RevealRequestOut(Schema):
    id: int
    case_id: int
    status: str
    reason: str
    requested_by: str
    created_at: dt.datetime


class ReporterIdentityOut(Schema):
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    id_number: str | None = None
    email: str | None = None


class CaseOnTimeOut(Schema):
    on_time: int
    late: int
    open_overdue: int
    rate: float | None


class CasePageOut(Schema):
    items: list[CaseListOut]
    count: int
