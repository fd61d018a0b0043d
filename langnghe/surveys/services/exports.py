"""Exports of results: queued with the officer's filters, built by the job
``surveys.export_build`` (``surveys/tasks.py``), which writes its progress here."""

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from ..models import ExportStatus, SurveyExport


def export_request(*, user, unit: Unit, export_format: str, params: dict) -> SurveyExport:
    """Queue an export with the officer's filters; the task builds the file after commit."""
    if export_format not in ("xlsx", "pdf"):
        raise ApplicationError(
            "Định dạng xuất phải là xlsx hoặc pdf.", code="invalid_format", field="format"
        )
    with transaction.atomic():
        export = SurveyExport.objects.create(
            requested_by=user, unit=unit, format=export_format, params=params
        )
        audit_record(
            actor=user,
            action="survey_export.request",
            target=export,
            unit=unit,
            data={"format": export_format, **params},
        )
        jobs.enqueue("surveys.export_build", str(export.pk), on_commit=True)
    return export


def export_progress_set(
    *,
    export_id,
    status: str,
    progress: int,
    rows: int | None = None,
    file_name: str = "",
    error: str = "",
) -> None:
    fields = {"status": status, "progress": max(0, min(100, progress))}
    if rows is not None:
        fields["rows"] = rows
    if file_name:
        fields["file_name"] = file_name
    if error:
        fields["error"] = error[:300]
    if status in (ExportStatus.DONE, ExportStatus.FAILED):
        fields["finished_at"] = timezone.now()
    SurveyExport.objects.filter(pk=export_id).update(**fields)
