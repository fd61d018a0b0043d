"""Text that cannot be stored as UTF-8 (a lone UTF-16 surrogate, "\\ud800") is refused at the
boundary — JSON bodies, query strings, forms, whatever their declared charset — with a 400
and a Vietnamese message, before any view runs: nothing is stored, never a 500
(langnghe.core.middleware.refuse_invalid_text)."""

import json

import pytest
from django.test import Client

from conftest import THO_XUONG

pytestmark = pytest.mark.django_db

LONE = "\ud800"
# The same character as a JSON escape, as any client may send it.
ESCAPED = '"Tr\\u1ed9m xe \\ud800 \\u1edf ng\\u00f5 3"'


def _json(client, url, raw: str | bytes, **extra):
    return client.post(url, data=raw, content_type="application/json", **extra)


def _refused_json(response):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid_characters"
    assert "ký tự không hợp lệ" in body["detail"]


def _count(model) -> int:
    return model.objects.count()


def test_tip_through_the_api_with_a_lone_surrogate_is_refused(client):
    from langnghe.cases.models import Case

    before = _count(Case)
    raw = '{"category": "other", "description": ' + ESCAPED + ', "anonymous": true}'
    _refused_json(_json(client, "/api/v1/cases", raw))
    raw = (
        '{"category": "other", "description": "Đèn hỏng", "address": "ng\\udfff 3",'
        ' "anonymous": true}'
    )
    _refused_json(_json(client, "/api/v1/cases", raw))
    assert _count(Case) == before
    # The same tip with a proper surrogate pair (an emoji, escaped) is taken.
    raw = (
        '{"category": "other", "description": "\\u0110\\u00e8n h\\u1ecfng \\ud83d\\ude00",'
        ' "anonymous": true}'
    )
    assert _json(client, "/api/v1/cases", raw).status_code == 201
    assert _count(Case) == before + 1


def test_raw_surrogate_bytes_in_a_json_body_are_refused(client):
    """json.loads reads bytes with 'surrogatepass': the UTF-8 form of U+D800 (ED A0 80), which
    is not valid UTF-8, would become a lone surrogate too."""
    from langnghe.cases.models import Case

    before = _count(Case)
    raw = b'{"category": "other", "description": "x \xed\xa0\x80", "anonymous": true}'
    _refused_json(_json(client, "/api/v1/cases", raw))
    # UTF-16 is JSON too (json.loads detects it).
    raw = '{"category": "other", "description": "x \ud800", "anonymous": true}'.encode(
        "utf-16-le", "surrogatepass"
    )
    _refused_json(_json(client, "/api/v1/cases", raw))
    assert _count(Case) == before


def _multipart(fields: dict[str, str], charset: str) -> tuple[str, str]:
    """A multipart body that names its charset; the test client encodes the text in it."""
    boundary = "ranh-gioi"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return "".join(parts) + f"--{boundary}--\r\n", (
        f"multipart/form-data; boundary={boundary}; charset={charset}"
    )


def test_tip_form_with_a_lone_surrogate_is_refused():
    """A UTF-8 form cannot carry a lone surrogate (Django replaces invalid bytes), but the
    client names the charset of a multipart form: UTF-7 spells U+D800 as "+2AA-"."""
    from langnghe.cases.models import Case

    client = Client()
    before = _count(Case)
    fields = {"category": "other", "anonymous": "1", "description": f"Den {LONE} hong"}
    body, content_type = _multipart(fields, "utf-7")
    response = client.post("/phan-anh/", data=body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "ký tự không hợp lệ" in response.content.decode()
    # A URL-encoded form in another charset than UTF-8 is refused too (Django refuses it;
    # the refusal is said in Vietnamese).
    response = client.post(
        "/phan-anh/",
        data="category=other&anonymous=1&description=Den+hong+%2B2AA-",
        content_type="application/x-www-form-urlencoded; charset=utf-7",
    )
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()
    assert _count(Case) == before
    # Invalid UTF-8 in a UTF-8 form is replaced by Django ("\ufffd"), which can be stored.
    response = client.post(
        "/phan-anh/",
        data="category=other&anonymous=1&description=Den+hong+%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302  # to the receipt page (Post/Redirect/Get)
    assert _count(Case) == before + 1


def test_query_string_with_a_lone_surrogate_is_refused(client):
    response = client.get("/api/v1/units?q=%2B2AA-", CONTENT_TYPE="text/plain; charset=utf-7")
    _refused_json(response)


def test_tracking_message_with_a_lone_surrogate_is_refused(client):
    from langnghe.cases.models import Case, CaseEntry

    created = _json(
        client,
        "/api/v1/cases",
        json.dumps({"category": "other", "description": "Đèn hỏng.", "anonymous": True}),
    ).json()
    before = _count(CaseEntry)
    raw = '{"receipt": "' + created["receipt"] + '", "body": "th\\u00eam \\udbff"}'
    _refused_json(_json(client, "/api/v1/cases/track/messages", raw))
    assert _count(CaseEntry) == before
    assert Case.objects.filter(pk=created["id"]).exists()


def test_staff_note_with_a_lone_surrogate_is_refused(make_staff, api_client):
    from langnghe.cases import services
    from langnghe.cases.models import CaseEntry
    from langnghe.units.models import Unit

    officer = make_staff(THO_XUONG, "investigator")
    case, _receipt = services.case_create(
        category_code="other",
        description="Đèn hỏng.",
        unit_code=THO_XUONG,
        address="",
        is_anonymous=True,
        reporter=None,
        location=None,
        channel="web",
    )
    assert case.unit == Unit.objects.get(code=THO_XUONG)
    client = api_client(officer)
    before = _count(CaseEntry)
    _refused_json(_json(client, f"/api/v1/cases/{case.pk}/notes", '{"body": "ghi \\ud800"}'))
    assert _count(CaseEntry) == before


def test_desk_note_with_a_lone_surrogate_is_refused(unit, make_staff, api_client):
    from langnghe.inbox import services
    from langnghe.inbox.models import Note

    conversation = services.message_receive(
        unit=unit(THO_XUONG), channel="web", external_id="w-1", text="Xin chào"
    ).conversation
    client = api_client(make_staff(THO_XUONG, "duty_officer"))
    url = f"/api/v1/inbox/conversations/{conversation.pk}/notes"
    _refused_json(_json(client, url, '{"text": "g\\u1ecdi l\\u1ea1i \\udc00"}'))
    assert _count(Note) == 0
    assert _json(client, url, '{"text": "g\\u1ecdi l\\u1ea1i"}').status_code == 201


def test_webchat_message_with_a_lone_surrogate_is_refused(client):
    from langnghe.inbox.models import Message

    before = _count(Message)
    raw = '{"text": "xin ch\\u00e0o \\ud800", "token": ""}'
    _refused_json(_json(client, f"/api/v1/inbox/webchat/{THO_XUONG}", raw))
    body, content_type = _multipart({"text": f"xin {LONE} chao", "token": ""}, "utf-7")
    response = client.post(f"/tro-chuyen/{THO_XUONG}/", data=body, content_type=content_type)
    assert response.status_code == 400
    assert _count(Message) == before
