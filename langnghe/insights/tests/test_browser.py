"""The dashboard in Chromium: log in through the form, read the tiles and charts, drill down,
make a PDF report and download it."""

import io
import re
import uuid

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_drill_down_and_pdf_report(live_server, desktop_page, demo_network, settings):
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    from pypdf import PdfReader

    from langnghe.accounts.services import staff_create
    from langnghe.cases.services import case_create
    from langnghe.insights.materialize import insights_refresh
    from langnghe.surveys.services import response_submit
    from langnghe.units.models import Unit

    staff_create(
        username="lanhdao.e2e",
        password="mat-khau-123",
        unit=Unit.objects.get(code="BG"),
        role="supervisor",
    )
    case_create(
        category_code="public_order",
        description="Đánh nhau trước cổng chợ.",
        unit_code="BG-X07201",
        is_anonymous=True,
    )
    response_submit(unit_code="BG-X07201", client_id=uuid.uuid4(), answers={"overall": "5"})
    insights_refresh()

    page = desktop_page
    page.goto(live_server.url + "/staff/")
    page.fill("input[name=username]", "lanhdao.e2e")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("#unit-switch")
    page.goto(live_server.url + "/staff/insights/?unit=BG")
    page.wait_for_selector("#kpi-tiles")
    assert page.locator(".kpi-tile").count() == 10
    received = page.locator('.kpi-tile[data-kpi="cases_received"] .kpi-value').inner_text()
    assert received == "1"
    assert page.locator("section[aria-labelledby=trend-title] svg.chart polyline").count() == 4
    # Drill down: province → city → its communes.
    page.click("#ranking a:has-text('Công an thành phố Bắc Giang')")
    page.wait_for_selector("text=Tổng hợp — Công an thành phố Bắc Giang")
    assert "Công an phường Thọ Xương" in page.inner_text("#ranking")
    # A PDF report of the city, made in the background, downloaded.
    page.select_option("#report-format", "pdf")
    page.click("#report-create")
    page.wait_for_selector("#report-download", timeout=15000)
    assert re.fullmatch(r"Số: \d\d/BC-CATP", page.inner_text("#report-number"))
    assert "gồm đơn vị trực thuộc" in page.inner_text("#report-scope")
    href = page.get_attribute("#report-download", "href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    body = response.body()
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) >= 1
    first_page = reader.pages[0].extract_text()
    assert "Công an thành phố Bắc Giang" in first_page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first_page and "/BC-CATP" in first_page


def test_demo_dashboard_shows_twelve_months(live_server, desktop_page, demo_network, settings):
    """The demo with its year of history: the dashboard's trend reads twelve month labels."""
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    import datetime as dt

    from django.utils import timezone

    from langnghe.accounts.services import staff_create
    from langnghe.demo.history import history_load
    from langnghe.surveys.services import builtin_templates_ensure
    from langnghe.units.models import Unit

    builtin_templates_ensure()
    history_load(scale=0.15)
    staff_create(
        username="lanhdao.year", password="mat-khau-123", unit=Unit.objects.get(code="BG"),
        role="supervisor",
    )  # fmt: skip
    page = desktop_page
    page.goto(live_server.url + "/staff/")
    page.fill("input[name=username]", "lanhdao.year")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("#unit-switch")
    page.goto(live_server.url + "/staff/insights/?unit=BG")
    chart = page.locator("#year-trend svg.chart")
    chart.wait_for()
    labels = chart.locator("text.chart-axis").all_text_contents()
    months = [label for label in labels if "/" in label]
    assert len(months) == 12
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert months[-1] == f"{last_month:%m/%Y}"
    assert chart.locator("polyline").count() == 4
    # Rankings have something to rank: several units below the province with cases.
    assert page.locator("#ranking tbody tr").count() >= 10
