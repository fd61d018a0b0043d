"""The forms of the survey pages (surveys/forms.py): each POST read through one, the pages
answering as before — a form shown again with its errors is a 200, with the service's words."""

import uuid

import pytest
from django.http import QueryDict

from langnghe.surveys.forms import ExportForm, FlagForm, SurveyAnswerForm
from langnghe.surveys.models import SurveyAssignment, SurveyResponse, SurveyTemplate
from langnghe.surveys.selectors import form_config
from langnghe.surveys.services import response_flag_set, response_submit, template_create

pytestmark = pytest.mark.django_db

THO_XUONG, PROVINCE = "BG-X07201", "BG"


def test_the_answer_form_hands_on_what_was_posted(unit):
    unit(THO_XUONG)
    owner, _template = form_config(THO_XUONG)
    template = template_create(
        owner=owner,
        name="Mẫu thử",
        by=None,
        questions=[
            {"text": "Hài lòng?", "type": "scale", "required": True, "element": "overall"},
            {"text": "Qua đâu?", "type": "multiple", "choices": ["Zalo", "Loa"]},
        ],
    )
    data = QueryDict(mutable=True)
    data.update({"q_q1": " 5", "template": "bad", "k": "x"})
    data.setlist("q_q2", ["c2", "c1"])
    form = SurveyAnswerForm(data, template=template)
    assert form.is_valid()
    # As posted: the service strips, orders and checks them.
    assert form.answers() == {"q1": " 5", "q2": ["c2", "c1"]}
    posted = form.cleaned_data
    assert posted["template"] is None and posted["k"] == "x" and posted["src"] is None
    assert posted["comment"] == "" and posted["client_id"] == ""
    assert SurveyAnswerForm(QueryDict("template=7"), template=template).is_valid()


def test_export_and_flag_forms_read_flags_as_the_pages_did():
    form = ExportForm(QueryDict("negative=on&q=%20%20ch%E1%BA%ADm%20&flagged=1&from=2026-01-01"))
    assert form.is_valid()
    data = form.cleaned_data
    assert data["negative"] is False and data["flagged"] is True  # only "1" turns one on
    assert data["q"] == "chậm" and data["format"] == "xlsx" and data["from"] == "2026-01-01"
    assert not FlagForm(QueryDict("response=abc")).is_valid()
    flag = FlagForm(QueryDict("response=12&flagged=1"))
    assert flag.is_valid() and flag.cleaned_data == {"response": 12, "flagged": True}


def test_templates_page_shows_the_form_again_with_the_services_words(client, make_staff):
    client.force_login(make_staff(PROVINCE, "supervisor"))
    lines = "thang-do | * | Cán bộ có tận tình không?"
    page = client.post("/staff/surveys/templates/", {"name": "", "questions": lines})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cần tên mẫu phiếu (tối đa 200 ký tự)." in text and "Cán bộ có tận tình không?" in text
    assert not SurveyTemplate.objects.filter(name="Mẫu riêng").exists()

    made = client.post("/staff/surveys/templates/", {"name": "Mẫu riêng", "questions": lines})
    assert made.status_code == 302
    template = SurveyTemplate.objects.get(name="Mẫu riêng")
    assigned = client.post(
        "/staff/surveys/templates/", {"action": "assign", "template": template.code}
    )
    assert assigned.status_code == 302
    assert SurveyAssignment.objects.get(unit__code=PROVINCE).template_code == template.code
    client.post("/staff/surveys/templates/", {"action": "assign", "template": ""})
    assert not SurveyAssignment.objects.filter(unit__code=PROVINCE).exists()


def test_flagged_page_clears_a_flag_and_refuses_a_response_it_cannot_name(client, make_staff):
    response, _ = response_submit(
        unit_code=THO_XUONG, client_id=uuid.uuid4(), answers={"overall": "4"}
    )
    response_flag_set(response=response, flagged=True, by=None, reason="ip_burst")
    client.force_login(make_staff(PROVINCE, "supervisor"))
    assert client.post("/staff/surveys/flagged/", {"response": "abc"}).status_code == 404
    assert client.post("/staff/surveys/flagged/", {"flagged": "0"}).status_code == 404
    done = client.post("/staff/surveys/flagged/", {"response": response.pk, "flagged": "0"})
    assert done.status_code == 302
    assert not SurveyResponse.objects.get(pk=response.pk).is_flagged
