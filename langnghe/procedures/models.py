"""The catalogue of police administrative procedures (thủ tục hành chính, TTHC).

A procedure is public information, owned by no unit: which units handle it is described by
``ProcedureHandler`` rows (a unit kind, plus the department's short name for provincial
departments), so the same catalogue serves every province.
"""

from django.db import models


class Field(models.TextChoices):
    """Lĩnh vực, as grouped in the national procedure catalogue."""

    RESIDENCE = "cu-tru", "Cư trú"
    IDENTITY = "can-cuoc", "Căn cước, định danh điện tử"
    IMMIGRATION = "xuat-nhap-canh", "Xuất nhập cảnh"
    VEHICLE = "dang-ky-xe", "Đăng ký, quản lý phương tiện giao thông"
    DRIVING_LICENCE = "giay-phep-lai-xe", "Giấy phép lái xe"
    PUBLIC_ORDER = "an-ninh-trat-tu", "Quản lý ngành nghề kinh doanh có điều kiện về ANTT"
    WEAPONS = "vu-khi", "Vũ khí, vật liệu nổ, công cụ hỗ trợ"
    SEALS = "con-dau", "Quản lý con dấu"
    FIRE = "pccc", "Phòng cháy, chữa cháy và cứu nạn, cứu hộ"
    CRIMINAL_RECORD = "ly-lich-tu-phap", "Lý lịch tư pháp"
    COMPLAINTS = "khieu-nai-to-cao", "Khiếu nại, tố cáo, tố giác"
    DRUG_REHAB = "cai-nghien-ma-tuy", "Cai nghiện ma túy và quản lý sau cai nghiện"


class HandlerKind(models.TextChoices):
    """Unit kinds (``units.UnitKind.code``) that receive and settle a procedure."""

    COMMUNE = "commune", "Công an cấp xã"
    DEPARTMENT = "department", "Phòng nghiệp vụ Công an tỉnh"
    PROVINCE = "province", "Công an tỉnh"


class Procedure(models.Model):
    code = models.SlugField("mã", max_length=80, unique=True)
    national_code = models.CharField(
        "mã TTHC quốc gia",
        max_length=20,
        blank=True,
        help_text="mã trên Cơ sở dữ liệu quốc gia về TTHC, khi đã biết chắc",
    )
    name = models.CharField("tên thủ tục", max_length=300)
    field = models.CharField("lĩnh vực", max_length=32, choices=Field.choices)
    summary = models.TextField("mô tả ngắn", blank=True)
    processing_time = models.CharField("thời hạn giải quyết", max_length=300)
    fee = models.CharField("phí, lệ phí", max_length=500)
    # [{"text": "...", "until": "2026-12-31"}]: reductions end; pages hide expired ones.
    fee_reductions = models.JSONField("giảm phí", default=list, blank=True)
    documents = models.JSONField("hồ sơ", default=list, blank=True)
    steps = models.JSONField("trình tự", default=list, blank=True)
    online = models.CharField("nộp trực tuyến", max_length=300, blank=True)
    online_url = models.URLField("địa chỉ nộp trực tuyến", blank=True)
    legal_basis = models.TextField("căn cứ pháp lý")
    source = models.TextField("nguồn")
    aliases = models.JSONField("tên gọi khác, viết tắt", default=list, blank=True)
    # Figures not confirmed against an official text; shown on the page with [U].
    uncertain = models.JSONField("số liệu chưa chắc chắn", default=list, blank=True)
    # Static rank for search: the usual procedure of a group wins a tie on a bare topic query.
    search_weight = models.FloatField("trọng số tìm kiếm", default=1.0)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/thu-tuc/{self.code}/"


class ProcedureHandler(models.Model):
    """One kind of unit that handles the procedure; ``department`` is the department's short
    name (PA08, PC06, PC07, PC08) when ``kind`` is department."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="handlers")
    kind = models.CharField(max_length=16, choices=HandlerKind.choices)
    department = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "kind", "department"], name="procedure_handler_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "department"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.department}" if self.department else self.kind
