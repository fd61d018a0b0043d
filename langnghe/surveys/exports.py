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
from langnghe.core import documents
from langnghe.core.documents import STYLES, fitted_table
from langnghe.core.exceptions import ApplicationError
from langnghe.core.formats import document_date
from langnghe.core.templatetags.vn_format import vn_date, vn_number, vn_percent100
from langnghe.units.letterhead import letterhead_for
from langnghe.units.models import Unit

from .builtin import SATISFIED_VALUES
from .models import ExportStatus, SurveyExport
from .printing import FONT_DIR
from .selectors import (
    DateRange,
    _counter_sets,
    _sum,
    comment_list,
    ranking_compute,
    results_compute,
)
from .services import export_progress_set

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
    parts = [f"Từ {vn_date(params['from'])} đến {vn_date(params['to'])}"]
    if params.get("negative"):
        parts.append("chỉ ý kiến không hài lòng")
    if params.get("q"):
        parts.append(f"có chữ “{params['q']}”")
    return "; ".join(parts)


def _period(params: dict) -> DateRange:
    return DateRange(date.fromisoformat(params["from"]), date.fromisoformat(params["to"]))


OWN = "Riêng đơn vị"
SUBTREE = "Toàn địa bàn (gồm đơn vị trực thuộc)"


def unit_totals(unit, period: DateRange) -> list[dict]:
    """Each unit of the subtree, in tree order, with its own responses and overall index and
    those of its whole subtree ("own_*" and "subtree_*"): the console's ranking counts a unit
    with its subtree, so the export says which is which. One grouped query, rolled up by path
    prefix; units without a response anywhere below them are left out."""

    own: dict[str, dict] = {}
    keys = {"path": "unit__path", "m": "metric", "v": "value"}
    sums = _sum(_counter_sets(unit, period, flagged=False), keys, metrics=["responses", "overall"])
    for (path, metric, value), n in sums.items():
        entry = own.setdefault(path, {"responses": 0, "answers": 0, "satisfied": 0})
        if metric == "responses":
            entry["responses"] += n
        else:
            entry["answers"] += n
            entry["satisfied"] += n if value in SATISFIED_VALUES else 0
    out = []
    units = Unit.objects.filter(path__startswith=unit.path).order_by("path")
    for code, name, path in units.values_list("code", "name", "path"):
        below = [e for p, e in own.items() if p.startswith(path)]
        if not below:
            continue
        mine = own.get(path, {"responses": 0, "answers": 0, "satisfied": 0})
        tree = {k: sum(e[k] for e in below) for k in ("responses", "answers", "satisfied")}
        out.append(
            {
                "code": code,
                "name": name,
                "path": path,
                "own_responses": mine["responses"],
                "own_answers": mine["answers"],
                "own_index": _index_of(mine),
                "subtree_responses": tree["responses"],
                "subtree_answers": tree["answers"],
                "subtree_index": _index_of(tree),
            }
        )
    return out


def _index_of(entry: dict) -> float | None:
    return round(100 * entry["satisfied"] / entry["answers"], 1) if entry["answers"] else None


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


def _xlsx_sheet(workbook, title: str, caption: list[str], header: list[str], widths: list[float]):
    """A write-only sheet: column widths, the caption rows (unit, filters, date of export), the
    header row in bold, frozen below it."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"A{len(caption) + 2}"
    for i, line in enumerate(caption):
        cell = WriteOnlyCell(sheet, value=line)
        if i == 0:
            cell.font = Font(bold=True, size=13)
        sheet.append([cell])
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _formatted(sheet, values: list, formats: list[str | None]) -> list:
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value, number_format in zip(values, formats, strict=True):
        cell = WriteOnlyCell(sheet, value=value)
        if number_format:
            cell.number_format = number_format
        row.append(cell)
    return row


def _fraction(index: float | None) -> float | None:
    """83.3 (a percentage) → 0.833, shown as 83,3 % by the cell's 0.0% format."""
    return None if index is None else index / 100


def _build_xlsx(unit, params, period, comments, progress) -> tuple[bytes, int]:
    from openpyxl import Workbook

    results = results_compute(unit, period)
    caption = [
        f"Kết quả khảo sát sự hài lòng — {unit.name}",
        f"{_filters_text(params)}; xuất ngày {timezone.localtime():%d/%m/%Y %H:%M}",
    ]
    workbook = Workbook(write_only=True)
    summary = _xlsx_sheet(
        workbook,
        "Tổng hợp",
        caption
        + [
            f"Phạm vi: {SUBTREE.lower()}. Số phiếu: {vn_number(results['responses'])}; "
            f"chỉ số hài lòng chung: {vn_percent100(results['index'])}"
        ],
        [
            "Yếu tố",
            "Số câu trả lời",
            "Hài lòng + rất hài lòng",
            "Chỉ số hài lòng",
            *[SCORE_LABELS[int(v)] for v in "54321"],
        ],
        [44, 14, 16, 14] + [14] * 5,
    )
    count, percent = "#,##0", "0.0%"
    for element in results["elements"].values():
        summary.append(
            _formatted(
                summary,
                [
                    element["label"],
                    element["answers"],
                    element["satisfied"],
                    _fraction(element["index"]),
                    *element["distribution"].values(),
                ],
                [None, count, count, percent] + [count] * 5,
            )
        )
    by_unit = _xlsx_sheet(
        workbook,
        "Theo đơn vị",
        caption,
        [
            "Mã đơn vị",
            "Tên đơn vị",
            f"{OWN}: số phiếu",
            f"{OWN}: chỉ số hài lòng",
            f"{SUBTREE}: số phiếu",
            f"{SUBTREE}: chỉ số hài lòng",
        ],
        [14, 44, 14, 16, 22, 22],
    )
    for entry in unit_totals(unit, period):
        by_unit.append(
            _formatted(
                by_unit,
                [
                    entry["code"],
                    entry["name"],
                    entry["own_responses"],
                    _fraction(entry["own_index"]),
                    entry["subtree_responses"],
                    _fraction(entry["subtree_index"]),
                ],
                [None, None, count, percent, count, percent],
            )
        )
    sheet = workbook.create_sheet("Ý kiến")
    for letter, width in zip("ABCDEF", (17, 14, 36, 20, 80, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"  # one header row: the sheet stays ready for a filter
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
    """The results as an administrative document (NĐ 30/2020/NĐ-CP, see ``core.documents``).
    An export is not numbered here: the number is left blank for the records office (văn
    thư) to fill in if the unit files it; the date is the day of the export."""
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    documents.register_fonts(FONT_DIR)
    results = results_compute(unit, period)
    letterhead = letterhead_for(unit)
    buffer = io.BytesIO()
    doc = documents.Document(buffer, title="Kết quả khảo sát sự hài lòng", author=unit.name)
    width = doc.portrait_width
    story = documents.heading_flowables(
        documents.Heading(
            superior=letterhead.superior,
            issuer=letterhead.issuer,
            number=letterhead.number(None),
            place_date=f"{letterhead.place}, {document_date(timezone.localdate())}",
            kind="BÁO CÁO",
            subject="Kết quả khảo sát sự hài lòng của người dân "
            f"từ ngày {vn_date(period.start)} đến ngày {vn_date(period.end)}",
        ),
        width,
    )
    filters = _filters_text(params).partition("; ")[2]  # the period is in the subject
    if filters:
        story.append(Paragraph(escape(f"Lọc: {filters}."), STYLES["plain"]))
    story += [
        Paragraph(
            escape(
                f"{SUBTREE}: {vn_number(results['responses'])} phiếu; chỉ số hài lòng chung "
                f"{vn_percent100(results['index'])}."
            ),
            STYLES["plain"],
        ),
        Paragraph("1. Theo yếu tố (toàn địa bàn)", STYLES["section"]),
        fitted_table(
            ["Yếu tố", "Số câu trả lời", "Chỉ số hài lòng"],
            [
                (e["label"], vn_number(e["answers"]), vn_percent100(e["index"]))
                for e in results["elements"].values()
            ],
            weights=[6, 1.6, 1.6],
            width=width,
            numeric=[1, 2],
        ),
    ]
    ranked = ranking_compute(unit, period)
    if ranked:
        story.append(Paragraph("2. Xếp hạng đơn vị trực thuộc", STYLES["section"]))
        story.append(
            fitted_table(
                ["TT", "Đơn vị", f"Số phiếu ({SUBTREE.lower()})", "Chỉ số hài lòng"],
                [
                    (
                        vn_number(i + 1),
                        r["name"],
                        vn_number(r["responses"]),
                        vn_percent100(r["index"]),
                    )
                    for i, r in enumerate(ranked)
                ],
                weights=[0.7, 5, 2.2, 1.6],
                width=width,
                numeric=[0, 2, 3],
            )
        )
        story.append(
            Paragraph("Số liệu của mỗi đơn vị gồm cả các đơn vị trực thuộc của nó.", STYLES["note"])
        )
    total = comments.count()
    shown = f"; {PDF_COMMENT_LIMIT} ý kiến đầu" if total > PDF_COMMENT_LIMIT else ""
    story.append(
        Paragraph(
            f"{3 if ranked else 2}. Ý kiến góp ý ({vn_number(total)}; đánh giá thấp nhất "
            f"trước{shown})",
            STYLES["section"],
        )
    )
    rows = []
    written = 0
    for response in comments[:PDF_COMMENT_LIMIT]:
        rows.append(
            (
                timezone.localtime(response.submitted_at).strftime("%d/%m/%Y"),
                response.unit.label,
                SCORE_LABELS.get(response.lowest_score, ""),
                response.comment,
            )
        )
        written += 1
        if progress and written % 100 == 0:
            progress(written, min(total, PDF_COMMENT_LIMIT))
    story.append(
        fitted_table(
            ["Ngày", "Đơn vị", "Mức thấp nhất", "Ý kiến"],
            rows,
            weights=[1.9, 3, 2.4, 7],
            width=width,
        )
    )
    story += documents.closing_flowables(letterhead.recipients, letterhead.signer_title, width)
    doc.build(story)
    return buffer.getvalue(), written


def export_file_name(unit, params: dict, export_format: str) -> str:
    return f"khao-sat-{unit.code}-{params['from']}-{params['to']}.{export_format}"


def export_run(export_id: str) -> None:
    """Build a queued export, reporting progress; a failure is recorded, never raised."""

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
