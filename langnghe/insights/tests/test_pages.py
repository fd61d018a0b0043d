"""Console dashboard, reports (PDF parsed, XLSX opened) through the pages and the API."""

import io
import uuid

import pytest
from openpyxl import load_workbook

from langnghe.cases.services import case_create
from langnghe.insights.materialize import insights_refresh
from langnghe.surveys.services import response_submit

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG = "BG", "BG-H213", "BG-X07201"


@pytest.fixture
def data():
    case_create(
        category_code="public_order",
        description="Nhóm thanh niên đua xe trên đường Hùng Vương.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    for overall in ("5", "4", "1"):
        response_submit(unit_code=THO_XUONG, client_id=uuid.uuid4(), answers={"overall": overall})
    insights_refresh()


def test_dashboard_renders_tiles_charts_ranking_and_drill_down(client, make_staff, data):
    client.force_login(make_staff(PROVINCE, "supervisor"))
    page = client.get("/staff/insights/?unit=BG").content.decode()
    assert "Tổng hợp — " in page
    assert page.count('class="card kpi-tile"') == 10
    assert "<svg" in page and "<polyline" in page
    assert "?unit=BG-H213" in page  # drill-down link to the city
    assert "<script>" not in page  # CSP: no inline scripts
    city = client.get("/staff/insights/?unit=BG-H213&kpi=cases_received").content.decode()
    assert "Công an phường Thọ Xương" in city


def test_dashboard_out_of_scope_and_bad_dates(client, make_staff):
    client.force_login(make_staff(THO_XUONG, "supervisor"))
    assert client.get("/staff/insights/?unit=BG").status_code == 404
    response = client.get("/staff/insights/?unit=BG-X07201&from=2025-02-01&to=2025-01-01")
    assert response.status_code == 400


@pytest.mark.parametrize("report_format", ["pdf", "xlsx"])
def test_report_through_the_api(
    api_client, make_staff, data, report_format, django_capture_on_commit_callbacks
):
    user = make_staff(CITY, "supervisor")
    api = api_client(user)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/insights/reports",
            {"unit": CITY, "format": report_format},
            content_type="application/json",
        )
    assert created.status_code == 202, created.content
    status = api.get(f"/api/v1/insights/reports/{created.json()['id']}").json()
    assert status["status"] == "done" and status["progress"] == 100
    content = api.get(status["download_url"]).content
    if report_format == "pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        assert len(reader.pages) >= 1
        text = "".join(page.extract_text() for page in reader.pages)
        assert "Công an thành phố Bắc Giang" in text
        assert "Đơn vị cần chú ý" in text
    else:
        book = load_workbook(io.BytesIO(content))
        assert {"Tổng hợp", "Theo đơn vị", "Xu hướng"} <= set(book.sheetnames)
        codes = [row[0].value for row in book["Theo đơn vị"].iter_rows(min_row=4)]
        assert THO_XUONG in codes
    # Someone else cannot read it.
    other = api_client(make_staff(PROVINCE, "supervisor"))
    assert other.get(f"/api/v1/insights/reports/{created.json()['id']}").status_code == 404


def test_monthly_report_bad_month_is_4xx(api_client, make_staff):
    api = api_client(make_staff(CITY, "supervisor"))
    response = api.post(
        "/api/v1/insights/reports",
        {"unit": CITY, "month": "2025-13"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Tháng" in response.json()["detail"]
