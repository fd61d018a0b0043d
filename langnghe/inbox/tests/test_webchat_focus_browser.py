"""Issue #27: after a chat message is sent from a commune's page, the focus stays in the message
box (it used to fall back to the top of the page), so the next message is typed straight away;
with the keyboard alone, in Chromium at 360 px."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "BG-X07201"


def test_the_focus_stays_in_the_message_box_after_sending(asgi_url, phone_page):
    from langnghe.units.models import Unit

    unit = Unit.objects.get(code=UNIT)
    unit.office_hours = "trực ban 24/7"
    unit.save(update_fields=["office_hours"])
    page = phone_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{asgi_url}{unit.get_absolute_url()}")
    page.focus("#webchat-text")
    page.keyboard.type("Cho hỏi giờ làm việc của bộ phận cư trú")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.locator("#webchat-thread li", has_text="bộ phận cư trú").first.wait_for()
    page.wait_for_timeout(300)  # the script's answer handled (the thread is drawn after it)
    assert page.evaluate("document.activeElement.id") == "webchat-text"
    assert page.input_value("#webchat-text") == ""
    # The next message typed at once lands in the box.
    page.keyboard.type("Xin cảm ơn")
    assert page.input_value("#webchat-text") == "Xin cảm ơn"
    assert errors == [], errors
