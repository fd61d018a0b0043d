"""Today's network (#25, point 1): the two-level import with coordinates, and the nearest unit
by location (API and pages)."""

import pytest
from django.core.management import CommandError, call_command

from langnghe.units import selectors
from langnghe.units.models import Unit
from langnghe.units.networks import import_province_network

pytestmark = pytest.mark.django_db

# The centre of Phường Bắc Giang (the old Thọ Xương) as vietnamadminunits 1.0.4 gives it.
BAC_GIANG_WARD = (21.2849, 106.215)
BAC_GIANG_WARD_CODE = "T24-X07210"


@pytest.fixture
def bac_ninh():
    # Today's network alone on the map: the 2021 demo network loaded for every test has its own
    # points there too (a deployment has one network or the other).
    Unit.objects.filter(code__startswith="BG").update(latitude=None, longitude=None)
    root, _ = import_province_network(province_name="Bắc Ninh")
    return root


def test_import_builds_two_levels_with_every_commune_placed():
    root, result = import_province_network(province_name="bac ninh")
    units = Unit.objects.filter(path__startswith=root.path)
    kinds = set(units.values_list("kind__code", flat=True))
    assert kinds == {"province", "department", "commune"}  # no district; no station listed
    assert root.kind.code == "province" and root.name == "Công an tỉnh Bắc Ninh"
    communes = units.filter(kind__code="commune")
    assert communes.count() == 99  # Nghị quyết 202/2025/QH15: 66 xã + 33 phường
    assert communes.filter(name__startswith="Công an phường").count() == 33
    assert communes.filter(name__startswith="Công an xã").count() == 66
    assert not communes.filter(latitude__isnull=True).exists()
    assert not communes.filter(longitude__isnull=True).exists()
    assert result.without_coordinates == []
    departments = set(units.filter(kind__code="department").values_list("short_name", flat=True))
    assert {"PA08", "PC06", "PC07", "PC08"} <= departments
    assert all(u.parent_id == root.pk for u in units.exclude(pk=root.pk))
    ward = Unit.objects.get(code=BAC_GIANG_WARD_CODE)
    assert ward.name == "Công an phường Bắc Giang"
    assert (ward.latitude, ward.longitude) == BAC_GIANG_WARD


def test_a_second_import_changes_nothing(bac_ninh):
    before = list(Unit.objects.order_by("pk").values_list("pk", "updated_at", "latitude"))
    _, again = import_province_network(province_name="Bắc Ninh")
    assert again.created == 0 and again.updated == 0
    assert list(Unit.objects.order_by("pk").values_list("pk", "updated_at", "latitude")) == before
    assert Unit.objects.get(code=BAC_GIANG_WARD_CODE).latitude == BAC_GIANG_WARD[0]


def test_import_of_an_unknown_province_names_close_ones_and_changes_nothing():
    before = Unit.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("import_units", province="Bac Nin")
    assert "Có phải: Bắc Ninh" in str(raised.value)  # the close names, not all 34
    assert Unit.objects.count() == before


def test_the_command_reports_where_the_two_libraries_disagree(capsys):
    call_command("import_units", province="Bắc Ninh")
    out, err = capsys.readouterr()
    assert "Công an tỉnh Bắc Ninh (T24)" in out
    # vietnam-provinces 2025.10.1 and vietnamadminunits 1.0.4 swap three ward codes.
    assert "Phường Tam Sơn" in err


def test_nearest_finds_the_commune_around_the_point(client, bac_ninh):
    lat, lon = BAC_GIANG_WARD
    response = client.get("/api/v1/units/nearest", {"lat": lat + 0.002, "lon": lon - 0.002})
    assert response.status_code == 200
    body = response.json()
    first = body["results"][0]
    assert first["unit"]["code"] == BAC_GIANG_WARD_CODE
    assert 0 < first["distance_km"] < 1


def test_nearest_puts_commune_units_before_the_province(bac_ninh):
    near = selectors.nearest_units(
        latitude=bac_ninh.latitude, longitude=bac_ninh.longitude, limit=10, within_km=4
    )
    kinds = [item.unit.kind.code for item in near]
    assert kinds[0] == "commune"
    assert kinds[-1] == "province" and near[-1].distance_km == 0  # the nearest, yet last
    distances = [item.distance_km for item in near[:-1]]
    assert distances == sorted(distances)


def test_nearest_leaves_out_closed_units(client, bac_ninh):
    Unit.objects.filter(code=BAC_GIANG_WARD_CODE).update(is_active=False)
    lat, lon = BAC_GIANG_WARD
    body = client.get("/api/v1/units/nearest", {"lat": lat, "lon": lon}).json()
    assert body["results"]
    assert BAC_GIANG_WARD_CODE not in [item["unit"]["code"] for item in body["results"]]


def test_nearest_far_from_every_unit_is_an_empty_list(client, bac_ninh):
    body = client.get("/api/v1/units/nearest", {"lat": 10.0, "lon": 100.0}).json()
    assert body == {"within_km": 50.0, "results": []}


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lon": "106.2"},
        {"lat": "91", "lon": "106.2"},
        {"lat": "21.2", "lon": "-181"},
        {"lat": "nan", "lon": "106.2"},
        {"lat": "21.2"},
        {"lat": "21.2", "lon": "106.2", "limit": "0"},
    ],
)
def test_nearest_with_bad_input_is_422_json(client, params):
    response = client.get("/api/v1/units/nearest", params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_home_page_lists_the_nearest_unit_for_a_location(client, bac_ninh):
    lat, lon = BAC_GIANG_WARD
    page = client.get("/", {"lat": f"{lat:.2f}", "lon": f"{lon:.2f}"}).content.decode()
    assert 'id="nearest-list"' in page
    nearest = page.split('id="nearest-list"')[1]
    assert nearest.index("Công an phường Bắc Giang") < nearest.index("</ul>")
    assert "Dùng vị trí của tôi" in page


def test_home_page_asks_for_no_location_by_itself(client):
    page = client.get("/").content.decode()
    # The button is there, hidden until the script shows it; nothing calls the geolocation API
    # on load (units/nearest.js asks only in the button's click handler).
    assert "data-nearest" in page and 'id="nearest-list"' not in page


@pytest.mark.parametrize("params", [{"lat": "abc", "lon": "1"}, {"lat": "95", "lon": "106"}])
def test_home_page_with_a_bad_location_says_so_in_vietnamese(client, params):
    response = client.get("/", params)
    assert response.status_code == 200
    assert "Vị trí không hợp lệ" in response.content.decode()


def test_home_page_far_from_every_unit_says_nothing_was_found(client, bac_ninh):
    page = client.get("/", {"lat": "10.00", "lon": "100.00"}).content.decode()
    assert "Không tìm thấy đơn vị Công an nào gần vị trí này" in page


def test_survey_picker_offers_the_nearest_commune_first(client, bac_ninh):
    lat, lon = BAC_GIANG_WARD
    page = client.get("/khao-sat/", {"lat": f"{lat:.2f}", "lon": f"{lon:.2f}"}).content.decode()
    nearest = page.split('id="nearest-list"')[1]
    first_link = nearest.split('href="')[1].split('"')[0]
    assert first_link.startswith(f"/khao-sat/{BAC_GIANG_WARD_CODE}/?k=")
    assert first_link.endswith("&amp;src=chung")
