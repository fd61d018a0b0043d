"""Satisfaction surveys: versioned templates, responses, and per-unit per-day counters.

Every result — a commune, a district, the whole province — is a sum over (units × days) counter
rows (``DailyCount``, ``MonthlyCount``) and never a scan of the responses (DESIGN.md "National
scale"). A response is stored with a ``PendingCount`` row in the same statement; the counters
take it in batches (``services.counters_fold``: every second, and before any read of them), so
a read is exact and the hot path of a QR campaign writes two small rows, not twenty-four.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class QuestionType(models.TextChoices):
    SINGLE = "single", "Chọn một"
    MULTIPLE = "multiple", "Chọn nhiều"
    SCALE = "scale", "Thang mức độ hài lòng"
    TEXT = "text", "Trả lời tự do"


class Element(models.TextChoices):
    """The 5 elements of SIPAS (Đề án 2640/QĐ-BNV 2017; method QĐ 1001/QĐ-BNV 2023) plus the
    overall question. A question tagged with an element is counted in that element's index,
    whatever template it belongs to."""

    ACCESS = "access", "Tiếp cận dịch vụ hành chính công"
    PROCEDURE = "procedure", "Thủ tục hành chính"
    STAFF = "staff", "Công chức trực tiếp giải quyết công việc"
    RESULT = "result", "Kết quả cung ứng dịch vụ"
    FEEDBACK = "feedback", "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị"
    OVERALL = "overall", "Hài lòng chung"


class SurveyTemplate(models.Model):
    """One version of a questionnaire. Versions are immutable once published: a change makes a
    new version with the same ``code`` and moves ``is_current`` to it, so old responses keep
    pointing at the questions they answered."""

    code = models.SlugField("mã mẫu phiếu", max_length=64)
    version = models.PositiveIntegerField("phiên bản", default=1)
    name = models.CharField("tên mẫu phiếu", max_length=200)
    description = models.TextField("mô tả", blank=True)
    # None = a built-in template every unit may use; else the unit that made it (custom).
    owner = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_templates",
    )
    is_builtin = models.BooleanField(default=False)
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="survey_template_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="survey_template_one_current"
            ),
        ]
        verbose_name = "mẫu phiếu khảo sát"
        verbose_name_plural = "mẫu phiếu khảo sát"

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Question(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    # Stable across versions (answers are keyed by it): "staff", "overall", "q3".
    key = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    type = models.CharField(max_length=10, choices=QuestionType.choices)
    text = models.CharField("câu hỏi", max_length=500)
    required = models.BooleanField("bắt buộc", default=True)
    element = models.CharField("yếu tố SIPAS", max_length=12, choices=Element.choices, blank=True)
    # [{"value": "5", "label": "Rất hài lòng"}, ...]; empty for text questions.
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="survey_question_key")
        ]
        verbose_name = "câu hỏi"
        verbose_name_plural = "câu hỏi"

    def __str__(self) -> str:
        return self.text

    def choice_values(self) -> list[str]:
        return [c["value"] for c in self.choices]


class SurveyAssignment(models.Model):
    """The template a unit uses (by template code, so new versions apply at once). A unit
    without one inherits the nearest ancestor's; the root falls back to the SIPAS default."""

    unit = models.OneToOneField(
        "units.Unit", on_delete=models.CASCADE, related_name="survey_assignment"
    )
    template_code = models.SlugField(max_length=64)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "mẫu phiếu của đơn vị"
        verbose_name_plural = "mẫu phiếu của đơn vị"

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.template_code}"


class Source(models.TextChoices):
    QR = "qr", "Mã QR của đơn vị"
    SHARED = "shared", "Mã QR chung"
    API = "api", "Ứng dụng / kiosk"


class HashSalt(models.Model):
    """The random secret of one day that keys ``ip_hash`` and ``device_hash``
    (``surveys.security.keyed_hash``). Deleted once its day is over (the job
    ``surveys.hash_salts_purge``), so a past day's hashes can no longer be tested against
    candidate addresses — not even with SECRET_KEY and a copy of the database (Luật Bảo vệ dữ
    liệu cá nhân 91/2025/QH15: keep personal data no longer than the purpose needs)."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.day.isoformat()


class SurveyResponse(models.Model):
    """One filled form. Anonymous: no name, no raw IP, no user agent. ``ip_hash`` and
    ``device_hash`` are HMACs keyed with the day's random salt (``HashSalt``, deleted after the
    day), so they only link responses of the same day (enough for rate limits and bursts) and
    cannot be reversed to an address."""

    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    # No index of its own: (unit, submitted_at) below serves every read by unit, and each
    # index is one more write per response in a QR campaign.
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="survey_responses", db_index=False
    )
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="responses")
    answers = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    dossier_code = models.CharField("mã hồ sơ", max_length=40, blank=True)
    # Lowest 1–5 rating given (None when no rated question was answered): comments with the
    # worst ratings are read first.
    lowest_score = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.QR)
    submitted_at = models.DateTimeField(db_index=True)
    day = models.DateField()  # local date (Asia/Ho_Chi_Minh): the counter bucket
    ip_hash = models.CharField(max_length=32, blank=True)
    device_hash = models.CharField(max_length=32, blank=True)
    is_flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One rating per dossier per unit (the optional mã hồ sơ).
            models.UniqueConstraint(
                fields=["unit", "dossier_code"],
                condition=~Q(dossier_code=""),
                name="survey_one_rating_per_dossier",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "submitted_at"]),
            models.Index(fields=["ip_hash", "submitted_at"]),
            models.Index(fields=["device_hash", "submitted_at"]),
        ]
        verbose_name = "phiếu khảo sát"
        verbose_name_plural = "phiếu khảo sát"

    def __str__(self) -> str:
        return f"Phiếu {self.pk} ({self.day})"

    @property
    def flag_reason_label(self) -> str:
        """Why it was flagged, in words (``flag_reason`` keeps a short code)."""
        return FLAG_REASONS.get(self.flag_reason, "Lý do khác" if self.flag_reason else "")


# What ``SurveyResponse.flag_reason`` codes mean (services._abuse_verdict, response_flag_set).
FLAG_REASONS = {
    "device_burst": "Nhiều phiếu dồn dập từ một thiết bị",
    "ip_burst": "Nhiều phiếu dồn dập từ một địa chỉ mạng",
    "unit_burst": "Nhiều phiếu dồn dập tại đơn vị",
    "manual": "Cán bộ gắn cờ",
}


class PendingCount(models.Model):
    """A stored response not yet added to the counters. Written in the same statement as the
    response; deleted by the fold that adds it (``services.counters_fold``). No foreign-key
    constraint: the row is written in the response's own statement, and a check per response
    would cost a lookup of the row just inserted."""

    response = models.OneToOneField(
        SurveyResponse,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = "phiếu chờ cộng vào bộ đếm"
        verbose_name_plural = "phiếu chờ cộng vào bộ đếm"

    def __str__(self) -> str:
        return f"Phiếu {self.response_id} chờ cộng"


class DailyCount(models.Model):
    """Counter: how many answers ``value`` to ``metric`` a unit got on ``day``.

    ``metric`` is "responses" (value ""), a SIPAS element code (value "1"–"5") so that every
    template counts in the same index, or "<template code>.<question key>" for other choice
    questions. Flagged responses are counted apart (``flagged``) so the index leaves them out
    and an admin can still see them.
    """

    # No separate index on unit: the unique index (unit, day, …) serves subtree reads, and a
    # plain unit index tempts PostgreSQL into reading every day of every unit.
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    metric = models.CharField(max_length=110)
    value = models.CharField(max_length=40, blank=True)
    flagged = models.BooleanField(default=False)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "metric", "value", "flagged"], name="survey_daily_count_cell"
            ),
        ]
        verbose_name = "bộ đếm theo ngày"
        verbose_name_plural = "bộ đếm theo ngày"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.metric}={self.value}: {self.count}"


class MonthlyCount(models.Model):
    """The same counters per calendar month (``month`` = its first day), updated together with
    ``DailyCount``: a year of results reads 12 rows per cell instead of 365, and only the
    partial months at the ends of a range are read from the daily rows."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    metric = models.CharField(max_length=110)
    value = models.CharField(max_length=40, blank=True)
    flagged = models.BooleanField(default=False)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "metric", "value", "flagged"],
                name="survey_monthly_count_cell",
            ),
        ]
        verbose_name = "bộ đếm theo tháng"
        verbose_name_plural = "bộ đếm theo tháng"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.metric}={self.value}: {self.count}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Xong"
    FAILED = "failed", "Lỗi"
    EXPIRED = "expired", "Đã xoá (hết hạn lưu)"


class SurveyExport(models.Model):
    """An export of results with the filters the officer set; large ones run in the background
    and report ``progress`` (0–100)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=4)  # xlsx | pdf
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "tệp xuất kết quả"
        verbose_name_plural = "tệp xuất kết quả"

    def __str__(self) -> str:
        return f"{self.format} {self.unit_id} {self.status}"
