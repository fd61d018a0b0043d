"""The unit tree: province → (departments, districts) → communes, or province → communes.

The tree is kept as a materialized path (``path`` = the ids from the root, fixed width), so a
subtree is one indexed ``path LIKE 'prefix%'`` and the ancestors are read off the path itself:
both stay cheap at the ~3,400 units of the whole country.
"""

import re

from django.db import models
from django.db.models.functions import Upper

PATH_STEP = 8  # digits per level: ids up to 99,999,999


class UnitKind(models.Model):
    """A level of the tree. Kinds are data, so a 2-level tree (after the 2025 reform) works too."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField("tên cấp", max_length=100)
    rank = models.PositiveSmallIntegerField("thứ bậc", default=0, help_text="0 = cao nhất")

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = "cấp đơn vị"
        verbose_name_plural = "cấp đơn vị"

    def __str__(self) -> str:
        return self.name


# A department's short name as the Ministry numbers it: PC06, PA08, PX03, PK02…
DEPARTMENT_CODE = re.compile(r"P[A-Z]\d{2}")


class Unit(models.Model):
    code = models.CharField("mã đơn vị", max_length=32, unique=True)
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("tên chính thức", max_length=200)
    short_name = models.CharField("tên ngắn", max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    division_code = models.CharField("mã đơn vị hành chính", max_length=16, blank=True)
    division_name = models.CharField("địa bàn", max_length=200, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    hotline = models.CharField("đường dây nóng", max_length=40, blank=True)
    duty_phone = models.CharField("điện thoại trực ban", max_length=40, blank=True)
    office_hours = models.CharField("giờ làm việc", max_length=200, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    # Folded (no diacritics, lower case) name, short name, area and code, for directory search.
    search_text = models.CharField(max_length=600, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    # Where the unit's commune or ward is (WGS 84), for "the nearest unit" by location.
    latitude = models.FloatField("vĩ độ", null=True, blank=True)
    longitude = models.FloatField("kinh độ", null=True, blank=True)
    # A unit that ends (a merger, the 2025 reform) is closed into its successor, never deleted:
    # its history stays its own and rolls up to the successor; its page and QR codes lead there.
    closed_at = models.DateTimeField("ngày kết thúc", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        # Codes are looked up case-insensitively (code__iexact is UPPER(code) = UPPER(%s) on
        # PostgreSQL): without this index every lookup by code read the whole table.
        indexes = [models.Index(Upper("code"), name="unit_code_upper")]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/don-vi/{self.slug}/"

    @property
    def label(self) -> str:
        """The name a list shows: the short name ("CA phường Thọ Xương"), except that a
        department's short name is its code (PC06), which says nothing to a reader — then the
        full name with the code: "Phòng Cảnh sát quản lý hành chính về trật tự xã hội (PC06)"."""
        short = self.short_name.strip()
        if not short:
            return self.name
        if DEPARTMENT_CODE.fullmatch(short):
            return f"{self.name} ({short})"
        return short

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read off the path (no query)."""
        ids = [int(self.path[i : i + PATH_STEP]) for i in range(0, len(self.path), PATH_STEP)]
        return ids[:-1]
