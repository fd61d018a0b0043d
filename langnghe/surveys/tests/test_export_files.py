"""Stored survey exports (issue 24, point 10): they hold citizens' comments, so the file is
sealed at rest and private to the server's user (0600 in a 0700 folder), reached only through
the views that check the requester and their scope, and deleted after
LANGNGHE_EXPORT_RETENTION_HOURS (the purge takes the time as ``now``, moved here)."""

import datetime as dt
import io
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from langnghe.audit.models import AuditEntry
from langnghe.surveys.exports import exports_purge
from langnghe.surveys.models import SurveyExport
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db
CITY, THO_XUONG, YEN_THE = "BG-H213", "BG-X07201", "BG-H215"
COMMENT = "Cán bộ Nguyễn Văn A ở bàn số 3 hướng dẫn rất tận tình"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def export(client, make_staff, media, django_capture_on_commit_callbacks):
    """A background export (the API's) of a comment, built by its task."""
    body = {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": "5"}}
    body["comment"] = COMMENT
    stored = client.post("/api/v1/surveys/responses", body, content_type="application/json")
    assert stored.status_code == 201
    officer = make_staff(CITY, "supervisor")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            "/api/v1/surveys/exports",
            {"unit": CITY, "format": "xlsx"},
            content_type="application/json",
        )
    made = SurveyExport.objects.get(pk=queued.json()["id"])
    assert made.status == "done"
    return made


def _files(media: Path) -> list[Path]:
    return [p for p in (media / "exports" / "surveys").iterdir() if p.is_file()]


def _comments(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [row[4] for row in book["Ý kiến"].iter_rows(min_row=2, values_only=True)]


def test_the_stored_file_is_sealed_and_private(export, media, client):
    [stored] = _files(media)
    assert stored.stat().st_mode & 0o777 == 0o600
    assert stored.parent.stat().st_mode & 0o777 == 0o700
    raw = stored.read_bytes()
    assert not raw.startswith(b"PK")  # not an XLSX (a zip) as it stands
    assert COMMENT.encode() not in raw and b"Nguy" not in raw
    # The requester's download, through the access-checked views, is the real workbook.
    download = client.get(f"/api/v1/surveys/exports/{export.pk}/file")
    assert _comments(b"".join(download.streaming_content)) == [COMMENT]
    page = client.get(f"/staff/surveys/exports/{export.pk}/file/")
    assert page.status_code == 200 and _comments(page.content) == [COMMENT]


def test_the_file_is_deleted_after_the_retention(export, media, client, settings):
    made = timezone.now()
    orphan = media / "exports" / "surveys" / "left-by-an-older-version.xlsx"
    orphan.write_bytes(b"PK old plain export")
    assert exports_purge(now=made + dt.timedelta(hours=23)) == 0
    assert len(_files(media)) == 2
    assert exports_purge(now=made + dt.timedelta(hours=25)) == 2
    assert _files(media) == []
    export.refresh_from_db()
    assert export.status == "expired"
    assert AuditEntry.objects.filter(action="survey_export.purge").exists()
    gone = client.get(f"/api/v1/surveys/exports/{export.pk}/file")
    assert gone.status_code == 410 and gone.json()["code"] == "export_expired"
    status = client.get(f"/api/v1/surveys/exports/{export.pk}").json()
    assert status["status"] == "expired" and status["download_url"] is None
    assert "hết hạn" in client.get(f"/staff/surveys/exports/{export.pk}/").content.decode()
    # The console's old download link leads to the page that says the file is gone.
    link = client.get(f"/staff/surveys/exports/{export.pk}/file/")
    assert link.status_code == 302 and link.url == f"/staff/surveys/exports/{export.pk}/"
    assert exports_purge(now=made + dt.timedelta(hours=26)) == 0  # idempotent


def test_the_retention_is_a_setting(export, media, settings):
    settings.LANGNGHE_EXPORT_RETENTION_HOURS = 2
    assert exports_purge(now=timezone.now() + dt.timedelta(hours=3)) == 1
    assert _files(media) == []


def test_only_the_requester_in_scope_reaches_the_file(export, media, client, make_staff):
    colleague = make_staff(CITY, "supervisor")
    client.force_login(colleague)
    assert client.get(f"/api/v1/surveys/exports/{export.pk}/file").status_code == 404
    assert client.get(f"/staff/surveys/exports/{export.pk}/file/").status_code == 404
    # The requester moved to another district: the file is out of their scope now.
    requester = export.requested_by
    requester.memberships.update(unit=Unit.objects.get(code=YEN_THE))
    client.force_login(requester)
    assert client.get(f"/api/v1/surveys/exports/{export.pk}/file").status_code == 404
    assert client.get(f"/staff/surveys/exports/{export.pk}/file/").status_code == 404
    # No other address serves the stored files.
    [stored] = _files(media)
    assert client.get(f"/media/exports/surveys/{stored.name}").status_code == 404
