"""Aggregates for the dashboards: per unit per day (and per month) counters of every figure,
kept by the materializer in ``materialize.py`` from the other apps' rows.

A summary of a subtree is a sum over (units × months) + (units × days at the ends of the
range) rows, never a scan of cases, conversations or posts (DESIGN.md "National scale").
"""

import uuid

from django.conf import settings
from django.db import models


class UnitDayStat(models.Model):
    """``value`` of ``metric`` for a unit on a local day (Asia/Ho_Chi_Minh). Metrics are named
    ``<area>.<name>``: ``cases.received``, ``inbox.frt.h3`` (a histogram bucket), …"""

    # The unique index (unit, day, metric) serves the subtree reads; no separate unit index.
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    metric = models.CharField(max_length=80)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "metric"], name="insights_day_cell")
        ]
        verbose_name = "số liệu theo ngày"
        verbose_name_plural = "số liệu theo ngày"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.metric}={self.value}"


class UnitMonthStat(models.Model):
    """The same counters per calendar month (``month`` = its first day), rewritten from the day
    rows whenever a day of that month is recomputed."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    metric = models.CharField(max_length=80)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "metric"], name="insights_month_cell")
        ]
        verbose_name = "số liệu theo tháng"
        verbose_name_plural = "số liệu theo tháng"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.metric}={self.value}"


class UnitState(models.Model):
    """Point-in-time figures of a unit that are not sums over days (followers now)."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="+")
    followers = models.IntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.followers}"


class RefreshState(models.Model):
    """The watermark of one source of the materializer. The refresh locks this row (SELECT …
    FOR UPDATE) for the duration of a run, so two runs at once take turns and never write the
    same buckets concurrently."""

    source = models.CharField(max_length=40, primary_key=True)
    watermark_at = models.DateTimeField(null=True, blank=True)
    watermark_id = models.BigIntegerField(default=0)
    swept_at = models.DateTimeField(null=True, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)
    buckets = models.BigIntegerField(default=0)  # buckets recomputed by the last run

    def __str__(self) -> str:
        return f"{self.source} @ {self.watermark_at}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Xong"
    FAILED = "failed", "Lỗi"


class Report(models.Model):
    """A monthly (or any period) report of a subtree, made in the background. The file is
    small (a few pages, one sheet per area) and is kept in the database, so any web process can
    serve it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=4)  # pdf | xlsx
    # The document number "Số: 05/BC-CAP" of a PDF report (NĐ 30/2020/NĐ-CP Điều 15): the
    # unit's next number of the year it was requested, from ReportSequence. A spreadsheet is a
    # working file, not a document, and takes none.
    number = models.PositiveIntegerField("số báo cáo", null=True, blank=True)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"

    def __str__(self) -> str:
        return f"{self.format} {self.unit_id} {self.start}–{self.end} {self.status}"


class ReportSequence(models.Model):
    """The last report number a unit used in a year. Numbers run from 01 on 1 January to 31
    December of each year (NĐ 30/2020/NĐ-CP Điều 15 khoản 1) and are never reused: the row is
    locked (SELECT … FOR UPDATE) while the next one is taken, so two requests at once get two
    numbers."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="insights_report_sequence")
        ]
        verbose_name = "số báo cáo đã cấp"
        verbose_name_plural = "số báo cáo đã cấp"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.last_number}"
