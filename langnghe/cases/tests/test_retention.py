"""Retention: warn the handler, then keep only what statistics need; per-category periods."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from conftest import THO_XUONG
from langnghe.audit.models import AuditEntry
from langnghe.cases import retention, services
from langnghe.cases.models import Case, CaseAttachment, CaseEntry, Category, EntryKind

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def officer(make_staff):
    return make_staff(THO_XUONG, "duty_officer")


def closed_case(officer, category="crime_report"):
    case, _ = services.case_create(
        category_code=category,
        description="Nhóm thanh niên đánh nhau ở chợ, có người bị thương.",
        unit_code=THO_XUONG,
        reporter={"name": "Trần Thị B", "phone": "0987654321"},
        attachments=[_png()],
    )
    services.case_note_add(case=case, by=officer, body="Đã liên hệ tổ dân phố.")
    services.case_decline(
        case=case, by=officer, reason="Đã chuyển UBND xử lý.", guidance="Liên hệ UBND phường."
    )
    return Case.objects.select_related("category").get(pk=case.pk)


def test_defaults_per_category_cite_their_basis():
    days = dict(Category.objects.values_list("code", "retention_days"))
    assert days["crime_report"] == 5 * 365
    assert days["service_feedback"] == 2 * 365
    assert all(v > 0 for v in days.values())


def test_warn_then_purge_keeps_only_statistics(officer, django_capture_on_commit_callbacks):
    case = closed_case(officer)
    name = case.attachments.get().storage_name
    assert default_storage.exists(name)
    due = retention.expires_at(retention._candidates().get(pk=case.pk))
    assert due.date() == (case.closed_at + dt.timedelta(days=5 * 365)).date()

    # Long before: nothing.
    report = retention.retention_run(now=due - dt.timedelta(days=100))
    assert case.tracking_code not in report.warned + report.purged

    # Within the warning window: warned once, nothing deleted, the date not pushed back.
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.retention_run(now=due - dt.timedelta(days=10))
    assert report.warned == [case.tracking_code] and report.purged == []
    warning = CaseEntry.objects.get(case=case, kind=EntryKind.RETENTION)
    assert warning.data == {"event": "warning", "purge_on": due.date().isoformat()}
    assert retention.retention_run(now=due - dt.timedelta(days=5)).warned == []
    assert retention.expires_at(retention._candidates().get(pk=case.pk)) == due
    assert Case.objects.get(pk=case.pk).description_sealed

    # Past the period: sealed fields and files gone, statistics kept, audited.
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.retention_run(now=due + dt.timedelta(minutes=1))
    assert report.purged == [case.tracking_code] and report.files_deleted == 1
    purged = Case.objects.get(pk=case.pk)
    for sealed in ("description_sealed", "reporter_sealed", "location_sealed", "address_sealed"):
        assert getattr(purged, sealed) == ""
    assert not purged.has_reporter_identity and purged.purged_at is not None
    assert not CaseAttachment.objects.filter(case=case).exists()
    assert not default_storage.exists(name)
    assert not CaseEntry.objects.filter(case=case).exclude(body_sealed="").exists()
    assert (purged.category_id, purged.unit_id, purged.status) == (
        case.category_id,
        case.unit_id,
        case.status,
    )
    assert purged.received_at == case.received_at and purged.closed_at == case.closed_at
    assert purged.deadlines.count() == case.deadlines.count()
    audit = AuditEntry.objects.filter(action="case.retention_purge").get()
    assert audit.data == {"files": 1}
    # Idempotent: a second run finds nothing.
    again = retention.retention_run(now=due + dt.timedelta(days=1))
    assert again.purged == [] and again.warned == []


def test_period_is_per_category(officer):
    tip = closed_case(officer, "crime_report")
    feedback = closed_case(officer, "public_order")
    now = tip.closed_at + dt.timedelta(days=3 * 365)
    report = retention.retention_run(now=now, dry_run=True)
    assert feedback.tracking_code in report.purged
    assert tip.tracking_code not in report.purged
    # An admin lengthens the feedback period: it is kept.
    Category.objects.filter(code="public_order").update(retention_days=4 * 365)
    assert feedback.tracking_code not in retention.retention_run(now=now, dry_run=True).purged


def test_open_cases_and_dry_runs_delete_nothing(officer):
    open_case, _ = services.case_create(
        category_code="other",
        description="Xin hỏi giờ làm việc.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    closed = closed_case(officer, "public_order")
    far = closed.closed_at + dt.timedelta(days=20 * 365)
    audit_before = AuditEntry.objects.count()
    report = retention.retention_run(now=far, dry_run=True)
    assert closed.tracking_code in report.purged
    assert open_case.tracking_code not in report.purged
    assert Case.objects.get(pk=closed.pk).description_sealed
    assert AuditEntry.objects.count() == audit_before
    retention.retention_run(now=far)
    assert Case.objects.get(pk=open_case.pk).description_sealed
    assert Case.objects.get(pk=closed.pk).purged_at is not None


def test_late_activity_postpones_deletion(officer):
    case = closed_case(officer, "public_order")
    first_due = retention.expires_at(retention._candidates().get(pk=case.pk))
    entry = CaseEntry.objects.create(case=case, kind=EntryKind.NOTE)
    CaseEntry.objects.filter(pk=entry.pk).update(at=case.closed_at + dt.timedelta(days=300))
    later = retention.expires_at(retention._candidates().get(pk=case.pk))
    # The decline's entry was a few ms after closed_at; the note 300 days later now counts.
    assert abs(later - first_due - dt.timedelta(days=300)) < dt.timedelta(seconds=5)


def test_command_and_periodic_job(officer):
    from langnghe.discovery import periodic_jobs

    closed_case(officer, "public_order")
    out = io.StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert "[thử]" in out.getvalue()
    names = {name: every for name, every, _job in periodic_jobs()}
    assert names["cases.retention"] == 86400
