"""Cases: crime tips, public-order reports, feedback, complaints, denunciations.

What a list or a statistic needs (category, unit, dates, status, deadlines) is kept in the
clear. What identifies or endangers a person is sealed with AES-GCM (``crypto.seal``): the
reporter's identity, descriptions, locations, message bodies and attachments (NĐ 13/2023:
crime and location data are sensitive; Luật Tố cáo 2018 Điều 56, BLTTHS 2015 Điều 484–486:
the reporter's identity is kept secret).
"""

from django.conf import settings
from django.db import models

from .files import KIND_LABELS, THUMBNAIL_TYPES


class Category(models.Model):
    """A kind of case and its deadline policy (data, citing the law; see ``policies.py``)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=150)
    description = models.TextField("mô tả", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    allows_anonymous = models.BooleanField("nhận tin ẩn danh", default=True)
    # Steps with limits, conditions, what meets them and the law they come from.
    deadline_policy = models.JSONField("chính sách thời hạn", default=list, blank=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    # How long a closed case keeps its sealed content and files after its last activity; then
    # only what statistics need is kept (see retention.py). Per-category defaults are in
    # policies.py and carry their basis; figures without a firm legal source are marked [U].
    retention_days = models.PositiveIntegerField("thời hạn lưu (ngày)", default=2 * 365)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "loại vụ việc"
        verbose_name_plural = "loại vụ việc"

    def __str__(self) -> str:
        return self.name


class UnitCaseProfile(models.Model):
    """Case-work facts about a unit that the unit tree does not carry.

    ``is_remote``: a remote commune forwards urgent crime reports within 48 h instead of 24 h
    (TTLT 01/2017/TTLT-BCA-BQP-BTC-BNN&PTNT-VKSNDTC).
    """

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="case_profile")
    is_remote = models.BooleanField("xã vùng sâu, vùng xa", default=False)

    class Meta:
        verbose_name = "thông tin tiếp nhận của đơn vị"
        verbose_name_plural = "thông tin tiếp nhận của đơn vị"

    def __str__(self) -> str:
        return f"{self.unit} ({'vùng sâu' if self.is_remote else 'thường'})"


class Status(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận"
    CLASSIFIED = "classified", "Đã phân loại"
    ASSIGNED = "assigned", "Đã phân công thụ lý"
    VERIFYING = "verifying", "Đang xác minh"
    TRANSFERRED = "transferred", "Đã chuyển đơn vị, chờ tiếp nhận"
    RESOLVED = "resolved", "Đã giải quyết"
    DECLINED = "declined", "Không thuộc thẩm quyền"
    MERGED = "merged", "Đã gộp vào vụ việc khác"


OPEN_STATUSES = (
    Status.RECEIVED,
    Status.CLASSIFIED,
    Status.ASSIGNED,
    Status.VERIFYING,
    Status.TRANSFERRED,
)
CLOSED_STATUSES = (Status.RESOLVED, Status.DECLINED, Status.MERGED)


class Channel(models.TextChoices):
    WEB = "web", "Trang web"
    API = "api", "API"
    OPEN311 = "open311", "Open311"
    PHONE = "phone", "Điện thoại"
    WALK_IN = "walk_in", "Trực tiếp"
    DUTY_DESK = "duty_desk", "Hội thoại trực ban"


class Case(models.Model):
    tracking_code = models.CharField("mã tra cứu", max_length=16, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    is_urgent = models.BooleanField("khẩn cấp", default=False)
    # What the triage classifier read in the description (langnghe.triage): a suggestion the
    # handler sees beside the category the citizen chose, and the emergency number if urgent.
    triage_category = models.CharField("phân loại gợi ý", max_length=30, blank=True)
    triage_hotline = models.CharField("số khẩn cấp gợi ý", max_length=5, blank=True)
    is_anonymous = models.BooleanField("ẩn danh", default=False)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    # Where to send status changes back (e.g. a conversation id of the duty desk); no secrets.
    channel_ref = models.CharField(max_length=100, blank=True)
    routed_by = models.CharField(max_length=20, blank=True)  # unit | address | province

    # Sealed (AES-GCM, see crypto.py); never shown or searched in the clear.
    description_sealed = models.TextField()
    reporter_sealed = models.TextField(blank=True)
    location_sealed = models.TextField(blank=True)
    address_sealed = models.TextField(blank=True)
    has_reporter_identity = models.BooleanField(default=False)
    has_location = models.BooleanField(default=False)

    # Anonymous receipt: a 4-hex-digit bucket of SHA-256(receipt) to find candidates, and the
    # Argon2id hash that alone proves the receipt (see receipts.py for why both).
    receipt_index = models.CharField(max_length=8, blank=True, db_index=True)
    receipt_hash = models.CharField(max_length=200, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_cases",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    open311_client = models.ForeignKey(
        "Open311Client", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )

    # Public texts (the status page by tracking code, Open311 status_notes): ``status_note`` is
    # written by the system from fixed wording (no personal data); ``public_summary`` is an
    # officer's result or guidance that the officer explicitly marked public (default: nothing).
    # What an officer writes to the reporter otherwise (the result, the guidance) reaches only
    # the reporter: the receipt mailbox (timeline) and the channel it came from (issue #24).
    status_note = models.CharField("ghi chú trạng thái", max_length=500, blank=True)
    public_summary = models.CharField("nội dung công khai", max_length=2000, blank=True)
    decline_guidance = models.TextField("hướng dẫn nơi giải quyết", blank=True)

    received_at = models.DateTimeField(db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The earliest unmet deadline, kept by deadlines.deadlines_sync for the overdue filters.
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Retention (retention.py): when the handler was warned of the coming deletion, and when
    # the sealed content and files were deleted (the row stays for statistics).
    retention_warned_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            # The workload right now (open cases, overdue ones) read for dashboards: a small
            # partial index that answers those counts without visiting the table.
            models.Index(
                fields=["unit", "next_due_at", "received_at"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="case_open_workload",
            ),
        ]
        verbose_name = "vụ việc"
        verbose_name_plural = "vụ việc"

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def sealing_context(self, field: str) -> str:
        """Associated data binding a sealed value to this case and field (no swapping)."""
        return f"case:{self.tracking_code}:{field}"


class CaseDeadline(models.Model):
    """One legal step of a case with its limit; ``met_at`` set when the step is done."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    step = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    law = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    extensions_used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="deadline_unique")]

    def __str__(self) -> str:
        return f"{self.step} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at


class EntryKind(models.TextChoices):
    STATUS = "status", "Đổi trạng thái"
    NOTE = "note", "Ghi chú nội bộ"
    MESSAGE_IN = "message_in", "Người báo tin gửi"
    MESSAGE_OUT = "message_out", "Trả lời người báo tin"
    TRANSFER = "transfer", "Chuyển đơn vị"
    ATTACHMENT = "attachment", "Tệp đính kèm"
    DEADLINE = "deadline", "Thời hạn"
    IDENTITY = "identity", "Danh tính người báo tin"
    ESCALATION = "escalation", "Báo cáo cấp trên"
    RETENTION = "retention", "Thời hạn lưu trữ"


class CaseEntry(models.Model):
    """The timeline: every step, note and message. ``data`` holds no personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_reporter = models.BooleanField(default=False)
    visible_to_reporter = models.BooleanField(default=False)
    body_sealed = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseAttachment(models.Model):
    """A file, checked by content, images re-encoded without metadata, stored encrypted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(
        CaseEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    storage_name = models.CharField(max_length=200)
    # A small JPEG for images (files.thumbnail_make), sealed like the file; "" until made.
    thumbnail_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    from_reporter = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.content_type} ({self.size} B)"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.content_type, "Tệp")

    @property
    def has_thumbnail(self) -> bool:
        return self.content_type in THUMBNAIL_TYPES


class RevealStatus(models.TextChoices):
    PENDING = "pending", "Chờ duyệt"
    APPROVED = "approved", "Đã duyệt"
    DENIED = "denied", "Từ chối"


class IdentityRevealRequest(models.Model):
    """A handler's request to see the reporter's identity (Luật Tố cáo 2018 Điều 56)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reveal_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=RevealStatus.choices, default=RevealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reveal #{self.pk} {self.status}"


class CaseEscalation(models.Model):
    """An overdue deadline reported to the supervisors of the unit above (one per deadline)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    deadline = models.OneToOneField(
        CaseDeadline, on_delete=models.CASCADE, related_name="escalation"
    )
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.deadline} → {self.to_unit}"


class Open311Client(models.Model):
    """An application allowed to POST Open311 requests. Only the key's SHA-256 is stored
    (keys are 256-bit random, so a fast hash suffices and lookup is one indexed query)."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
