"""The public form on a 360 px phone in headless Chromium: answer, send, and retry offline."""

import pytest

from langnghe.surveys.security import form_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THO_XUONG = "BG-X07201"


def _responses():
    from langnghe.surveys.models import SurveyResponse

    return SurveyResponse.objects.filter(unit__code=THO_XUONG)


def test_fill_the_form_on_a_phone(live_server, phone_page, demo_network):
    page = phone_page
    page.goto(live_server.url + "/khao-sat/?q=tho xuong")
    page.click("text=Công an phường Thọ Xương")
    page.wait_for_selector("#sv-form")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.locator("label.sv-choice").first.bounding_box()["height"] >= 44
    # Submitting without the required overall question: the server shows the error in place.
    page.click("button.sv-submit")
    page.wait_for_selector("#q-overall .field-error")
    assert _responses().count() == 0
    page.check("#q-staff input[value='5']")
    page.check("#q-overall input[value='4']")
    page.fill("#sv-comment", "Cán bộ nhiệt tình")
    page.click("button.sv-submit")
    page.wait_for_selector("#sv-thanks")
    assert _responses().count() == 1
    stored = _responses().get()
    assert (
        stored.answers == {"staff": "5", "overall": "4"} and stored.comment == "Cán bộ nhiệt tình"
    )


def test_answers_survive_a_dropped_network_and_are_sent_once(live_server, phone_page, demo_network):
    page = phone_page
    page.goto(live_server.url + form_path(THO_XUONG))
    page.wait_for_selector("#sv-form")
    page.check("#q-overall input[value='2']")
    page.fill("#sv-comment", "Chờ lâu")
    page.context.set_offline(True)
    page.click("button.sv-submit")
    page.wait_for_selector("#sv-status:not([hidden])")
    assert "Mất kết nối" in page.inner_text("#sv-status")
    assert _responses().count() == 0
    # The draft is kept in the phone; coming back online sends it by itself.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#sv-thanks")
    assert _responses().count() == 1
    assert _responses().get().lowest_score == 2
