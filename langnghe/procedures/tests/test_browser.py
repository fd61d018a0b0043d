import pytest

from langnghe.procedures.selectors import search_index_invalidate
from langnghe.procedures.services import procedure_catalogue_load_bundled


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_searches_a_procedure_on_a_phone(live_server, phone_page):
    procedure_catalogue_load_bundled()
    search_index_invalidate()
    page = phone_page
    page.goto(f"{live_server.url}/don-vi/cong-an-tinh-bac-giang/")
    page.goto(f"{live_server.url}/thu-tuc/")
    page.fill("#procedure-q", "cho em hoi lam can cuoc cho con 14 tuoi can gi")
    page.click("form[role=search] button")
    first = page.locator("#procedure-results li a").first
    assert first.inner_text().strip() == "Cấp thẻ căn cước"
    first.click()
    page.wait_for_url("**/thu-tuc/cap-the-can-cuoc/")
    assert "Không quá 7 ngày làm việc" in page.locator("#procedure-facts").inner_text()
    search_index_invalidate()
