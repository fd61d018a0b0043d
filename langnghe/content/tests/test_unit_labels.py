"""A department is shown by its name, not by its code alone (PC06 says nothing to a reader):
the posts list, the survey comments on the console and in the PDF export."""

import io
import uuid

import pytest
from django.utils import timezone
from pypdf import PdfReader

from langnghe.content import services
from langnghe.surveys import exports
from langnghe.surveys.services import response_submit
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db

PC06 = "Phòng Cảnh sát quản lý hành chính về trật tự xã hội (PC06)"


@pytest.fixture
def department():
    return Unit.objects.get(short_name="PC06", parent__code="BG")


def test_unit_label():
    assert Unit.objects.get(short_name="PC06", parent__code="BG").label == PC06
    commune = Unit.objects.get(code="BG-X07201")
    assert commune.label == (commune.short_name or commune.name)
    assert "(" not in commune.label
    assert Unit(name="Công an xã A", short_name="").label == "Công an xã A"


def test_posts_list_names_the_department(client, make_staff, department):
    editor = make_staff("BG", "editor")
    services.post_create(by=editor, unit=department, title="Hướng dẫn đăng ký cư trú")
    client.force_login(editor)
    page = client.get("/staff/content/").content.decode()
    assert "Hướng dẫn đăng ký cư trú" in page
    assert PC06 in page
    assert ">PC06<" not in page


def test_survey_comments_name_the_department(client, make_staff, department):
    response_submit(
        unit_code=department.code,
        client_id=uuid.uuid4(),
        answers={"overall": "2"},
        comment="Chờ lâu quá ở bộ phận một cửa",
    )
    chief = make_staff("BG", "supervisor")
    client.force_login(chief)
    page = client.get("/staff/surveys/?unit=BG").content.decode()
    assert "Chờ lâu quá ở bộ phận một cửa" in page
    assert f"{PC06} · " in page
    today = timezone.localdate()
    params = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    content, _rows = exports.build(Unit.objects.get(code="BG"), params, "pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    flat = " ".join(text.split())
    assert "Chờ lâu quá" in flat
    # The name (wrapped in its cell) and the code, not the code alone.
    assert "trật tự xã hội (PC06)" in flat
