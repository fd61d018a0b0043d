"""Exports of results with the officer's filters: XLSX (openpyxl) and PDF (reportlab).

Small exports are built in the request; large ones by the ``export_build`` task, which writes
its progress to ``SurveyExport`` so the console can show it.

A stored export holds citizens' comments, so it is kept like the other personal data: sealed
at rest with the data keyring (AES-GCM, ``langnghe.cases.crypto``, bound to the export's id),
written 0600 in a 0700 folder when the storage is the local disk, served only through the views
that check the requester and their scope (the API's ``export_file``, the console's
``export_download``), and deleted ``LANGNGHE_EXPORT_RETENTION_HOURS`` (default 24) after it was
made by the job ``surveys.exports_purge`` (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15: kept no
longer than the purpose — one download — needs; the hours are [U]).
"""

import datetime as dt
import io
import logging
from collections.abc import Callable
from datetime import date

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.cases import crypto
from langnghe.core.exceptions import ApplicationError

from .builtin import SATISFIED_VALUES
from .models import ExportStatus, SurveyExport
from .printing import FONT, FONT_BOLD, _register_fonts
from .selectors import DateRange, comment_list, ranking_compute, results_compute

logger = logging.getLogger(__name__)

INLINE_LIMIT = 2000  # comments; above this the console runs the export in the background
PDF_COMMENT_LIMIT = 500
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
SCORE_LABELS = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}


def _filters_text(params: dict) -> str:
    parts = [f"Từ {params['from']} đến {params['to']}"]
    if params.get("negative"):
        parts.append("chỉ ý kiến không hài lòng")
    if params.get("q"):
        parts.append(f"có chữ “{params['q']}”")
    return "; ".join(parts)


def _period(params: dict) -> DateRange:
    return DateRange(date.fromisoformat(params["from"]), date.fromisoformat(params["to"]))


def unit_totals(unit, period: DateRange) -> list[dict]:
    """Each unit of the subtree with its own responses and overall index (one grouped query)."""
    from .selectors import _counter_sets, _sum

    totals: dict[str, dict] = {}
    keys = {
        "code": "unit__code",
        "name": "unit__name",
        "path": "unit__path",
        "m": "metric",
        "v": "value",
    }
    sums = _sum(_counter_sets(unit, period, flagged=False), keys, metrics=["responses", "overall"])
    for (code, name, path, metric, value), n in sums.items():
        entry = totals.setdefault(
            code,
            {
                "code": code,
                "name": name,
                "path": path,
                "responses": 0,
                "answers": 0,
                "satisfied": 0,
            },
        )
        if metric == "responses":
            entry["responses"] += n
        else:
            entry["answers"] += n
            entry["satisfied"] += n if value in SATISFIED_VALUES else 0
    out = sorted(totals.values(), key=lambda e: e["path"])
    for entry in out:
        entry["index"] = (
            round(100 * entry["satisfied"] / entry["answers"], 1) if entry["answers"] else None
        )
    return out


def build(
    unit, params: dict, export_format: str, progress: Callable[[int, int], None] | None = None
) -> tuple[bytes, int]:
    """The file's bytes and the number of comment rows in it."""
    period = _period(params)
    comments = comment_list(
        unit, period, negative_only=bool(params.get("negative")), q=params.get("q", "")
    )
    if export_format == "pdf":
        return _build_pdf(unit, params, period, comments, progress)
    return _build_xlsx(unit, params, period, comments, progress)


def _build_xlsx(unit, params, period, comments, progress) -> tuple[bytes, int]:
    from openpyxl import Workbook

    results = results_compute(unit, period)
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Tổng hợp")
    summary.append([f"Kết quả khảo sát sự hài lòng — {unit.name}"])
    summary.append([_filters_text(params)])
    summary.append(["Số phiếu", results["responses"]])
    summary.append(["Chỉ số hài lòng chung (%)", results["index"]])
    summary.append([])
    summary.append(
        [
            "Yếu tố",
            "Số câu trả lời",
            "Hài lòng + rất hài lòng",
            "Chỉ số (%)",
            *[SCORE_LABELS[int(v)] for v in "54321"],
        ]
    )
    for element in results["elements"].values():
        summary.append(
            [
                element["label"],
                element["answers"],
                element["satisfied"],
                element["index"],
                *element["distribution"].values(),
            ]
        )
    by_unit = workbook.create_sheet("Theo đơn vị")
    by_unit.append(["Mã đơn vị", "Tên đơn vị", "Số phiếu", "Câu trả lời chung", "Chỉ số chung (%)"])
    for entry in unit_totals(unit, period):
        by_unit.append(
            [entry["code"], entry["name"], entry["responses"], entry["answers"], entry["index"]]
        )
    sheet = workbook.create_sheet("Ý kiến")
    sheet.append(["Thời gian", "Mã đơn vị", "Đơn vị", "Mức thấp nhất", "Ý kiến", "Mã hồ sơ"])
    total = comments.count()
    written = 0
    for response in comments.iterator(chunk_size=1000):
        sheet.append(
            [
                timezone.localtime(response.submitted_at).strftime("%d/%m/%Y %H:%M"),
                response.unit.code,
                response.unit.name,
                SCORE_LABELS.get(response.lowest_score, ""),
                # A leading "=" would make the spreadsheet run a formula.
                _cell_text(response.comment),
                _cell_text(response.dossier_code),
            ]
        )
        written += 1
        if progress and written % 500 == 0:
            progress(written, total)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), written


def _cell_text(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _build_pdf(unit, params, period, comments, progress) -> tuple[bytes, int]:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    _register_fonts()
    results = results_compute(unit, period)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=11, leading=15, spaceBefore=8)
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7edf4")),
        ]
    )
    index = results["index"]
    story = [
        Paragraph(escape(f"Kết quả khảo sát sự hài lòng — {unit.name}"), title),
        Paragraph(escape(_filters_text(params)), body),
        Paragraph(
            escape(
                f"Số phiếu: {results['responses']}. Chỉ số hài lòng chung: "
                f"{'—' if index is None else f'{index}%'}"
            ),
            body,
        ),
        Paragraph("Theo yếu tố", heading),
    ]
    rows = [["Yếu tố", "Câu trả lời", "Chỉ số (%)"]]
    rows += [
        [
            Paragraph(escape(e["label"]), body),
            e["answers"],
            "—" if e["index"] is None else e["index"],
        ]
        for e in results["elements"].values()
    ]
    story.append(Table(rows, colWidths=[110 * mm, 30 * mm, 30 * mm], style=table_style))
    ranked = ranking_compute(unit, period)
    if ranked:
        story.append(Paragraph("Xếp hạng đơn vị trực thuộc", heading))
        rows = [["#", "Đơn vị", "Số phiếu", "Chỉ số (%)"]]
        rows += [
            [
                i + 1,
                Paragraph(escape(r["name"]), body),
                r["responses"],
                "—" if r["index"] is None else r["index"],
            ]
            for i, r in enumerate(ranked)
        ]
        story.append(
            Table(
                rows,
                colWidths=[10 * mm, 110 * mm, 25 * mm, 25 * mm],
                style=table_style,
                repeatRows=1,
            )
        )
    total = comments.count()
    story.append(
        Paragraph(
            f"Ý kiến góp ý ({total}; đánh giá thấp nhất trước"
            f"{f', {PDF_COMMENT_LIMIT} ý kiến đầu' if total > PDF_COMMENT_LIMIT else ''})",
            heading,
        )
    )
    rows = [["Thời gian", "Đơn vị", "Mức thấp nhất", "Ý kiến"]]
    written = 0
    for response in comments[:PDF_COMMENT_LIMIT]:
        rows.append(
            [
                timezone.localtime(response.submitted_at).strftime("%d/%m/%Y"),
                Paragraph(escape(response.unit.short_name or response.unit.name), body),
                SCORE_LABELS.get(response.lowest_score, ""),
                Paragraph(escape(response.comment), body),
            ]
        )
        written += 1
        if progress and written % 100 == 0:
            progress(written, min(total, PDF_COMMENT_LIMIT))
    story.append(
        Table(rows, colWidths=[20 * mm, 40 * mm, 28 * mm, 87 * mm], style=table_style, repeatRows=1)
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title="Kết quả khảo sát",
        author="Lắng Nghe",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    ).build(story)
    return buffer.getvalue(), written


def export_file_name(unit, params: dict, export_format: str) -> str:
    return f"khao-sat-{unit.code}-{params['from']}-{params['to']}.{export_format}"


def export_run(export_id: str) -> None:
    """Build a queued export, reporting progress; a failure is recorded, never raised."""
    from .services import export_progress_set

    export = SurveyExport.objects.select_related("unit").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return
    export_progress_set(export_id=export.pk, status=ExportStatus.RUNNING, progress=1)

    def progress(done: int, total: int) -> None:
        export_progress_set(
            export_id=export.pk,
            status=ExportStatus.RUNNING,
            progress=5 + int(90 * done / max(total, 1)),
            rows=done,
        )

    try:
        content, rows = build(export.unit, export.params, export.format, progress)
        storage, name = export_storage(), _stored_name(export)
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, ContentFile(crypto.seal_bytes(content, context=_context(export))))
    except Exception as exc:  # a failed export is shown to the officer, not retried blindly
        logger.exception("survey export %s failed", export.pk)
        export_progress_set(
            export_id=export.pk,
            status=ExportStatus.FAILED,
            progress=100,
            error=f"Không tạo được tệp: {type(exc).__name__}",
        )
        return
    export_progress_set(
        export_id=export.pk,
        status=ExportStatus.DONE,
        progress=100,
        rows=rows,
        file_name=export_file_name(export.unit, export.params, export.format),
    )


EXPORT_DIR = "exports/surveys"
EXPORT_RETENTION_HOURS = 24


def retention_hours() -> int:
    return int(getattr(settings, "LANGNGHE_EXPORT_RETENTION_HOURS", EXPORT_RETENTION_HOURS))


def export_storage():
    """The default storage; on the local disk, one that writes the files 0600 and their
    folders 0700 (the server's user only)."""
    if isinstance(default_storage, FileSystemStorage):
        return FileSystemStorage(
            location=default_storage.location,
            base_url=default_storage.base_url,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )
    return default_storage


def _stored_name(export: SurveyExport) -> str:
    return f"{EXPORT_DIR}/{export.pk}.{export.format}.sealed"


def _context(export: SurveyExport) -> str:
    return f"survey_export:{export.pk}"


def export_open(export: SurveyExport) -> tuple[bytes, str]:
    """The export's file, unsealed, and its content type. Callers have checked access. A file
    past its retention (deleted) or not sealed here is refused: 410."""
    try:
        with export_storage().open(_stored_name(export), "rb") as handle:
            content = crypto.unseal_bytes(handle.read(), context=_context(export))
    except (FileNotFoundError, InvalidTag, ApplicationError) as exc:
        raise ApplicationError(
            "Tệp xuất đã hết hạn lưu và đã bị xoá; hãy xuất lại.",
            code="export_expired",
            status=410,
        ) from exc
    return content, CONTENT_TYPES[export.format]


def exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the export files older than the retention: the finished exports' (marked
    "expired") and any other file left in the folder (an export whose row was deleted, a file
    of an older version). Returns how many files were deleted. Idempotent."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=retention_hours())
    storage = export_storage()
    expired = list(SurveyExport.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff))
    deleted = 0
    for export in expired:
        if storage.exists(_stored_name(export)):
            storage.delete(_stored_name(export))
            deleted += 1
    try:
        _folders, files = storage.listdir(EXPORT_DIR)
    except FileNotFoundError:
        files = []
    for file in files:
        name = f"{EXPORT_DIR}/{file}"
        if storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted += 1
    if expired or deleted:
        with transaction.atomic():
            SurveyExport.objects.filter(pk__in=[e.pk for e in expired]).update(
                status=ExportStatus.EXPIRED
            )
            audit_record(
                actor=None,
                action="survey_export.purge",
                data={"exports": len(expired), "files": deleted},
            )
    return deleted
