"""Addresses in the 2021 form (with the district) and the 2025 form reach today's unit, on the
demo's 2021 network and after the move to today's Bắc Ninh. The addresses here are written for
these tests; the held-out set (data/address_eval.jsonl) is only run, by `eval_addresses`."""

from io import StringIO

import pytest
from django.core.management import call_command

from conftest import THO_XUONG
from langnghe.cases.models import Case
from langnghe.cases.routing import route
from langnghe.units.addresses import read, unit_for_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def reorganized():
    call_command("reorganize", "--province", "Bắc Ninh", stdout=StringIO())


@pytest.fixture
def api_key():
    out = StringIO()
    call_command("open311_key", "--name", "Ứng dụng thử", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_the_old_form_is_read_with_its_district():
    reading = read("số 5 ngõ 2 đường Lê Lợi, P.Thọ Xương, TP Bắc Giang")
    assert reading is not None and reading.form == "2021"
    assert (reading.old_ward_code, reading.ward_code) == ("07201", "07210")


def test_a_loose_match_of_the_data_is_not_taken():
    # No such commune: whatever the conversion data's loose matching finds is not taken.
    assert read("xã Hoa Mai, huyện Yên Thế, Bắc Giang") is None
    # A town merged in 2024 is read through the data's record of its former name.
    assert read("TT. Cầu Gồ, H. Yên Thế, Bắc Giang").old_ward_code == "07288"
    # "Bắc Giang" here is the city and the province, not the 2025 "phường Bắc Giang".
    assert read("Yên Thế, Bắc Giang") is None
    assert read("") is None and read("🙂") is None


def test_on_the_2021_network_an_old_address_reaches_the_old_commune():
    assert unit_for_address("phuong tho xuong tp bac giang").code == THO_XUONG
    # Today's ward made of several old communes: not guessed on the old network.
    assert unit_for_address("phường Bắc Giang, tỉnh Bắc Ninh") is None


def test_after_the_move_both_forms_reach_todays_unit(reorganized):
    assert unit_for_address("Phường Thọ Xương, Thành phố Bắc Giang, Bắc Giang").code == (
        "T24-X07210"
    )
    assert unit_for_address("ngo 5 duong Xuong Giang, phuong Bac Giang, Bac Ninh").code == (
        "T24-X07210"
    )
    # An old unit's code (a link from before) goes on to its successor.
    assert route(unit_code=THO_XUONG).unit.code == "T24-X07210"


@pytest.mark.parametrize(
    "address",
    ["P. Thọ Xương, TP. Bắc Giang, tỉnh Bắc Giang", "Phuong Bac Giang, tinh Bac Ninh"],
)
def test_open311_reaches_todays_unit_in_either_form(reorganized, client, api_key, address):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "public_order",
            "address_string": address,
            "description": "Xe máy đỗ tràn lòng đường trước chợ mỗi sáng.",
            "first_name": "Thị",
            "last_name": "Hoa",
            "phone": "0966111333",
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(tracking_code=response.json()[0]["service_request_id"])
    assert case.unit.code == "T24-X07210"


def test_the_held_out_addresses_meet_the_target(reorganized):
    from langnghe.units.management.commands.eval_addresses import TARGET, evaluate

    results = evaluate()
    assert {"2021", "2025"} <= set(results)
    for right, total, _misses in results.values():
        assert right / total >= TARGET
    out = StringIO()
    call_command("eval_addresses", stdout=out)  # raises below the target
    assert "Địa chỉ dạng 2021" in out.getvalue()


def test_no_address_is_ever_sent_to_a_geocoding_service(monkeypatch):
    import geopy.geocoders

    sent = []
    monkeypatch.setattr(
        geopy.geocoders.ArcGIS, "geocode", lambda self, query, *a, **k: sent.append(query)
    )
    # An old commune split between several new ones (Tân Thạnh, Thới Lai), with a street: the
    # library alone would send the whole address to ArcGIS.
    for address in [
        "số 5 đường Lê Lợi, xã Tân Thạnh, huyện Thới Lai, thành phố Cần Thơ",
        "12 Nguyễn Văn Cừ, P. Thọ Xương, TP. Bắc Giang, Bắc Giang",
    ]:
        read(address)
    assert sent == []
