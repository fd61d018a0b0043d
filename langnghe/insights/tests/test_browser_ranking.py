"""The dashboard's ranking at 360 px: one line per figure, no label over the next line."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ranking_cards_at_360px(live_server, phone_page, demo_network):
    from langnghe.accounts.services import staff_create
    from langnghe.insights.materialize import insights_refresh
    from langnghe.units.models import Unit

    staff_create(
        username="lanhdao.e2e",
        password="mat-khau-123",
        unit=Unit.objects.get(code="BG"),
        role="supervisor",
    )
    insights_refresh()
    page = phone_page
    page.goto(live_server.url + "/staff/")
    page.fill("input[name=username]", "lanhdao.e2e")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("#unit-switch")
    page.goto(live_server.url + "/staff/insights/?unit=BG&kpi=satisfaction")
    page.wait_for_selector("#ranking")
    row = page.locator("#ranking tbody tr").first
    labels = row.locator("td[data-label]").evaluate_all("els => els.map(e => e.dataset.label)")
    # The satisfaction index once, not again as "Hài lòng".
    assert labels.count("Chỉ số hài lòng") == 1
    assert "Hài lòng" not in labels
    # The label "Chỉ số hài lòng" takes two lines at 360 px: its cell grows to hold it, so the
    # next line ("Vụ việc") starts below the label.
    cell = row.locator('td[data-label="Chỉ số hài lòng"]')
    label_height = cell.evaluate(
        "e => { const s = getComputedStyle(e, '::before'); return parseFloat(s.height) || 0; }"
    )
    box = cell.bounding_box()
    assert label_height > 0
    assert box["height"] >= label_height
    row.screenshot(path="/tmp/f3/ranking-row.png")
