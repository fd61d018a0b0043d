"""Unit pickers of the console (#27): search as you type without diacritics, only among the
units where the person may act, and the server checks the choice again (a forged or typed unit
outside the scope is refused in Vietnamese, nothing changed)."""

import pytest

from langnghe.cases.models import Case
from langnghe.cases.services import case_create, case_transfer
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit, UnitKind
from langnghe.units.services import unit_create

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG, TRAN_NGUYEN_HAN, YEN_THE = (
    "BG", "BG-H213", "BG-X07201", "BG-X07204", "BG-H215",
)  # fmt: skip


@pytest.fixture
def other_province(unit):
    """A second province whose ward is also called Trần Nguyên Hãn."""
    province = unit_create(
        code="LS", kind=UnitKind.objects.get(code="province"), name="Công an tỉnh Lạng Sơn"
    )
    return unit_create(
        code="LS-X001",
        kind=unit(THO_XUONG).kind,
        name="Công an phường Trần Nguyên Hãn (Lạng Sơn)",
        parent=province,
    )


@pytest.fixture
def case():
    created, _receipt = case_create(
        category_code="public_order",
        description="Tụ tập gây ồn ào sau 23 giờ.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    return created


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [u["code"] for u in response.json()]


# --- transfer -----------------------------------------------------------------------------------


def test_transfer_picker_finds_the_next_ward_without_diacritics(
    api_client, make_staff, case, other_province
):
    client = api_client(make_staff(THO_XUONG, "duty_officer"))
    url = f"/api/v1/cases/{case.pk}/transfer-units"
    found = client.get(url, {"q": "tran nguyen han"}).json()
    assert found[0]["code"] == TRAN_NGUYEN_HAN
    assert found[0]["name"] == "Công an phường Trần Nguyên Hãn"
    assert found[0]["parent_name"] == "Công an thành phố Bắc Giang"
    # The other province's ward of the same name is not offered, nor the case's own unit.
    assert other_province.code not in _codes(client.get(url, {"q": "tran nguyen han"}))
    assert THO_XUONG not in _codes(client.get(url, {"q": "tho xuong"}))
    assert CITY in _codes(client.get(url, {"q": "tp bac giang"}))
    assert len(_codes(client.get(url))) == 20  # at most 20 at a time


def test_transfer_picker_refused_without_the_right(api_client, make_staff, case):
    viewer = api_client(make_staff(THO_XUONG, "viewer"))
    response = viewer.get(f"/api/v1/cases/{case.pk}/transfer-units", {"q": "tran"})
    assert response.status_code == 403
    assert "không có quyền" in response.json()["detail"]
    stranger = api_client(make_staff(TRAN_NGUYEN_HAN, "supervisor"))
    assert stranger.get(f"/api/v1/cases/{case.pk}/transfer-units").status_code == 404


def test_transfer_to_another_province_is_refused_by_the_service(make_staff, case, other_province):
    handler = make_staff(THO_XUONG, "duty_officer")
    with pytest.raises(ApplicationError) as refused:
        case_transfer(case=case, by=handler, to_unit=other_province, reason="Nhầm địa bàn")
    assert "chỉ chuyển được tới đơn vị trong cùng tỉnh" in refused.value.message
    case.refresh_from_db()
    assert case.unit.code == THO_XUONG


def _console_transfer(client, case, **fields):
    return client.post(
        f"/staff/cases/{case.pk}/transfer/", {"reason": "Thuộc địa bàn phường bạn", **fields},
        follow=True,
    )  # fmt: skip


def test_console_transfer_by_the_pickers_code_or_typed_name(client, make_staff, case, unit):
    client.force_login(make_staff(THO_XUONG, "duty_officer"))
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert f'data-source="/api/v1/cases/{case.pk}/transfer-units"' in page
    assert 'name="to_unit_text"' in page and 'type="hidden" name="to_unit"' in page
    # Without JavaScript: only the name typed, without diacritics.
    response = _console_transfer(client, case, to_unit="", to_unit_text="phuong tran nguyen han")
    # The case left the officer's subtree: back to the list, with the message, not a 404.
    assert response.redirect_chain[-1][0] == "/staff/cases/"
    assert "Đã chuyển đơn vị." in response.content.decode()
    case.refresh_from_db()
    assert case.unit.code == TRAN_NGUYEN_HAN


def test_console_transfer_refuses_out_of_scope_and_ambiguous_units(
    client, make_staff, case, other_province
):
    client.force_login(make_staff(THO_XUONG, "duty_officer"))
    before = Case.objects.filter(pk=case.pk).values_list("unit_id", "status", "updated_at").get()
    for fields, message in [
        ({"to_unit": other_province.code}, "không thuộc danh sách đơn vị bạn được chọn"),
        (
            {"to_unit": "", "to_unit_text": other_province.name},
            "Không tìm thấy đơn vị “Công an phường Trần Nguyên Hãn (Lạng Sơn)”",
        ),
        ({"to_unit": "", "to_unit_text": "phuong"}, "hãy gõ tên đầy đủ hơn"),
        ({"to_unit": "", "to_unit_text": ""}, "Vui lòng chọn đơn vị."),
    ]:
        page = _console_transfer(client, case, **fields).content.decode()
        assert message in page, fields
    after = Case.objects.filter(pk=case.pk).values_list("unit_id", "status", "updated_at").get()
    assert after == before


# --- intake -------------------------------------------------------------------------------------


def test_intake_picker_lists_the_officers_units_only(api_client, make_staff):
    client = api_client(make_staff(CITY, "duty_officer"))
    assert _codes(client.get("/api/v1/cases/intake-units", {"q": "tho xuong"})) == [THO_XUONG]
    assert _codes(client.get("/api/v1/cases/intake-units", {"q": "yen the"})) == []
    editor = api_client(make_staff(CITY, "editor"))
    assert editor.get("/api/v1/cases/intake-units", {"q": "tho"}).status_code == 403


def test_intake_by_typed_name_and_refusal_outside_scope(client, make_staff):
    client.force_login(make_staff(CITY, "duty_officer"))
    form = {
        "channel": "phone",
        "category": "public_order",
        "description": "Cãi nhau to ở chợ.",
        "anonymous": "1",
        "refusal_reason": "Không muốn nêu tên",
    }
    refused = client.post("/staff/cases/new/", {**form, "unit": "", "unit_text": "yen the"})
    assert refused.status_code == 200  # the form again, with its error (form_page_status)
    assert "Không tìm thấy đơn vị “yen the”" in refused.content.decode()
    assert Case.objects.count() == 0
    done = client.post("/staff/cases/new/", {**form, "unit": "", "unit_text": "tho xuong"})
    assert done.status_code == 302
    assert Case.objects.get().unit.code == THO_XUONG


# --- post audience ------------------------------------------------------------------------------


def test_audience_picker_lists_units_below_only(api_client, make_staff):
    client = api_client(make_staff(CITY, "editor"))
    url = "/api/v1/posts/audience-units"
    assert _codes(client.get(url, {"unit": CITY, "q": "tho xuong"})) == [THO_XUONG]
    assert _codes(client.get(url, {"unit": CITY, "q": "yen the"})) == []  # another district
    assert CITY not in _codes(client.get(url, {"unit": CITY, "q": "bac giang"}))
    assert client.get(url, {"unit": PROVINCE}).status_code == 404  # above the editor
    viewer = api_client(make_staff(CITY, "viewer"))
    assert viewer.get(url, {"unit": CITY}).status_code == 403


def test_picker_matches_the_service_scope(unit):
    """Every unit the transfer picker may offer is accepted by the service's own check."""
    from langnghe.cases.selectors import INTAKE_ROLES
    from langnghe.cases.services import HANDLER_ROLES

    assert set(INTAKE_ROLES) == set(HANDLER_ROLES)
    assert Unit.objects.filter(is_active=True).exists()
