"""Issue #27: the survey form shown again names each question in error, links to it, puts the
focus on the first one, keeps the key for a reload, and answers 200 (not a failed request)."""

import re
import uuid
from urllib.parse import quote

import pytest

from langnghe.surveys.security import form_key

pytestmark = pytest.mark.django_db

THO_XUONG = "BG-X07201"


def test_a_missing_required_answer_is_named_linked_and_focused(client):
    key = form_key(THO_XUONG)
    response = client.post(
        f"/khao-sat/{THO_XUONG}/?k={key}",
        {"k": key, "client_id": str(uuid.uuid4()), "q_staff": "5"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    summary = re.search(r'id="form-error">(.*?)</div>', page, re.S).group(1)
    assert re.search(
        r'<a href="#q-overall">Câu \d+: [^<]+ — Vui lòng trả lời câu hỏi này\.', summary
    )
    # The first question in error takes the focus, not the top of the page.
    fieldset = re.search(r'<fieldset[^>]*id="q-overall".*?</fieldset>', page, re.S).group(0)
    assert "autofocus" in fieldset
    assert page.count("autofocus") == 1
    # The key stays with the form: in a hidden field and in the address it posts to.
    assert re.search(rf'action="/khao-sat/{THO_XUONG}/\?k={re.escape(quote(key, safe="/"))}', page)
    assert f'name="k" value="{key}"' in page
    assert client.get(f"/khao-sat/{THO_XUONG}/", {"k": key}).status_code == 200


def test_required_questions_are_marked_for_the_browser_check(client):
    page = client.get(f"/khao-sat/{THO_XUONG}/", {"k": form_key(THO_XUONG)}).content.decode()
    assert re.search(r'id="q-overall"[^>]*data-label="Câu \d+: [^"]+"[^>]*data-required="1"', page)
