"""The address boxes in Chromium at 360 px: a 2025 name formed from several old wards lists
them as links (home page and /tro-chuyen/), the examples shown work, nothing scrolls sideways."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_home_box_offers_the_old_wards_and_the_example_works(live_server, phone_page, demo_network):
    page = phone_page
    page.goto(live_server.url + "/")
    page.fill("#nearest-address-input", "Phường Bắc Giang, tỉnh Bắc Ninh")
    page.click("#nearest-address button[type=submit]")
    choices = page.locator("#nearest-choices")
    choices.wait_for()
    assert "Công an phường Thọ Xương" in choices.inner_text()
    assert page.evaluate(FITS)
    example = page.get_attribute("#nearest-address-input", "placeholder").split(": ", 1)[1]
    page.fill("#nearest-address-input", example)
    page.click("#nearest-address button[type=submit]")
    page.locator("#nearest-served").wait_for()
    assert "Thọ Xương" in page.locator("#nearest-served").inner_text()


def test_chat_finder_choice_opens_that_units_chat(live_server, phone_page, demo_network):
    page = phone_page
    page.goto(live_server.url + "/tro-chuyen/")
    example = page.get_attribute("#address", "placeholder").split(": ", 1)[1]
    page.fill("#address", example)
    page.click("button[type=submit]")
    page.locator("#chat-choices").wait_for()
    assert page.evaluate(FITS)
    page.click("#chat-choices a >> text=Công an phường Thọ Xương")
    page.wait_for_url("**/tro-chuyen/BG-X07201/")
