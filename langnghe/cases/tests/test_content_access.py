"""Reading a tip's content is logged (NĐ 13/2023: crime data is sensitive personal data)."""

import pytest

from langnghe.audit.models import AuditEntry
from langnghe.cases import services

pytestmark = pytest.mark.django_db


def test_every_opening_of_a_tip_is_in_the_audit_trail(make_staff, api_client):
    case, _receipt = services.case_create(
        category_code="crime_report",
        description="Có người buôn bán ma túy ở ngõ 3",
        unit_code="BG-X07201",
        is_anonymous=True,
    )
    handler = make_staff("BG-X07201", "investigator")
    body = api_client(handler).get(f"/api/v1/cases/{case.pk}").json()
    assert "ma túy" in body["description"]
    entry = AuditEntry.objects.filter(action="case.content_open", target_id=str(case.pk)).get()
    assert entry.actor == handler and "ma túy" not in str(entry.data)
    viewer = make_staff("BG-X07201", "viewer")
    assert api_client(viewer).get(f"/api/v1/cases/{case.pk}").json()["description"] is None
    assert AuditEntry.objects.filter(action="case.content_open").count() == 1
