"""Builders of real unit networks from the administrative divisions.

- ``load_demo_network``: Bắc Giang provincial police as in 2021 — 1 province, 4 procedure
  departments, 10 district-level and 209 commune-level police = 224 units, from the divisions
  shipped in ``data/bac_giang_2021.json`` (vietnam-provinces 0.5.0).
- ``import_province_network``: today's (since 1 July 2025, two-level) network of any of the 34
  provinces: the provincial police, its departments that serve citizens and industrial-park
  stations (``data/provincial_police.json``), and every commune-level unit with its commune's
  coordinates (``vietnam-provinces`` for the list, ``vietnamadminunits`` for the coordinates).

Both are idempotent: a unit whose code exists is updated, not duplicated.
"""

import difflib
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from langnghe.core.exceptions import ApplicationError
from langnghe.core.text import fold, words

from .models import Unit, UnitKind
from .services import unit_create, unit_kind_ensure, unit_update

DATA_DIR = Path(__file__).parent / "data"

KINDS = {
    "province": ("Công an cấp tỉnh", 0),
    "department": ("Phòng nghiệp vụ cấp tỉnh", 1),
    "district": ("Công an cấp huyện", 1),  # the 2021 demo network only (ended 1 March 2025)
    "industrial_park": ("Đồn Công an khu công nghiệp", 1),
    "commune": ("Công an cấp xã", 2),
}

# The provincial departments that handle administrative procedures (DESIGN.md).
DEPARTMENTS = [
    ("PA08", "Phòng Quản lý xuất nhập cảnh"),
    ("PC06", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"),
    ("PC07", "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ"),
    ("PC08", "Phòng Cảnh sát giao thông"),
]

OFFICE_HOURS_COMMUNE = "Thứ Hai – Thứ Sáu 7:30–11:30, 13:30–17:00; Thứ Bảy 7:30–11:30"
OFFICE_HOURS_PROVINCE = "Thứ Hai – Thứ Sáu 7:30–11:30, 13:30–17:00; trực ban 24/7"


@dataclass
class NetworkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Communes the two division libraries disagree on (see import_province_network).
    without_coordinates: list[str] = field(default_factory=list)
    code_mismatches: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def police_name(division_name: str, division_type: str) -> str:
    """ "Phường Thọ Xương" → "Công an phường Thọ Xương"; "Huyện Yên Thế" → "Công an huyện Yên
    Thế"; a province given as a bare name ("Bắc Ninh", type "tỉnh") → "Công an tỉnh Bắc Ninh"."""
    name = division_name.strip()
    if fold(name).startswith(fold(division_type) + " "):
        rest = name[len(division_type) :].strip()
    else:
        rest = name
    return f"Công an {division_type.lower()} {rest}"


def _illustrative_phone(area: str, seed: int) -> str:
    # Demo numbers only (see data/README.md): area code + digits derived from the division code.
    return f"{area} {3000 + seed % 7000:04d} {seed * 7 % 1000:03d}"


def _ensure_kinds(codes) -> dict[str, UnitKind]:
    return {
        code: unit_kind_ensure(code=code, name=KINDS[code][0], rank=KINDS[code][1])
        for code in codes
    }


def _upsert(
    result: NetworkResult,
    *,
    code: str,
    kind: UnitKind,
    name: str,
    parent: Unit | None,
    short_name: str = "",
    **fields,
) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing is None:
        result.created += 1
        return unit_create(
            code=code, kind=kind, name=name, parent=parent, short_name=short_name, **fields
        )
    fields.pop("slug", None)  # a slug, once published, stays
    before = existing.updated_at
    unit = unit_update(unit=existing, name=name, short_name=short_name, **fields)
    if unit.updated_at != before:
        result.updated += 1
    else:
        result.unchanged += 1
    return unit


@transaction.atomic
def load_demo_network() -> NetworkResult:
    data = json.loads((DATA_DIR / "bac_giang_2021.json").read_text(encoding="utf-8"))
    kinds = _ensure_kinds(KINDS)
    result = NetworkResult()
    area = f"0{data['province']['phone_code']}"
    places = legacy_coordinates(data["province"]["code"])
    # The provincial police and its departments sit in the provincial capital (its district).
    seat = places.get(f"d{data['districts'][0]['code']:03d}", {})
    province = _upsert(
        result,
        code="BG",
        kind=kinds["province"],
        name="Công an tỉnh Bắc Giang",
        parent=None,
        short_name="CA tỉnh Bắc Giang",
        slug="cong-an-tinh-bac-giang",
        division_code=str(data["province"]["code"]),
        division_name=data["province"]["name"],
        address="Trụ sở Công an tỉnh Bắc Giang, thành phố Bắc Giang, tỉnh Bắc Giang",
        hotline=_illustrative_phone(area, 24),
        duty_phone=_illustrative_phone(area, 113),
        office_hours=OFFICE_HOURS_PROVINCE,
        latitude=seat.get("latitude"),
        longitude=seat.get("longitude"),
    )
    for index, (short, name) in enumerate(DEPARTMENTS, start=1):
        _upsert(
            result,
            code=f"BG-{short}",
            kind=kinds["department"],
            name=name,
            parent=province,
            short_name=short,
            slug=f"bac-giang-{short.lower()}",
            division_code=province.division_code,
            division_name=province.division_name,
            address=f"{name}, Công an tỉnh Bắc Giang, thành phố Bắc Giang",
            hotline=_illustrative_phone(area, 800 + index),
            duty_phone=_illustrative_phone(area, 900 + index),
            office_hours=OFFICE_HOURS_COMMUNE,
            latitude=seat.get("latitude"),
            longitude=seat.get("longitude"),
        )
    for district in data["districts"]:
        d_name = police_name(district["name"], district["division_type"])
        d_unit = _upsert(
            result,
            code=f"BG-H{district['code']:03d}",
            kind=kinds["district"],
            name=d_name,
            parent=province,
            short_name=d_name.replace("Công an", "CA", 1),
            division_code=str(district["code"]),
            division_name=district["name"],
            address=f"Trụ sở {d_name}, {district['name']}, tỉnh Bắc Giang",
            hotline=_illustrative_phone(area, district["code"]),
            duty_phone=_illustrative_phone(area, district["code"] + 500),
            office_hours=OFFICE_HOURS_COMMUNE,
            latitude=places.get(f"d{district['code']:03d}", {}).get("latitude"),
            longitude=places.get(f"d{district['code']:03d}", {}).get("longitude"),
        )
        for ward in district["wards"]:
            w_name = police_name(ward["name"], ward["division_type"])
            _upsert(
                result,
                code=f"BG-X{ward['code']:05d}",
                kind=kinds["commune"],
                name=w_name,
                parent=d_unit,
                short_name=w_name.replace("Công an", "CA", 1),
                division_code=f"{ward['code']:05d}",
                division_name=ward["name"],
                address=f"Trụ sở {w_name}, {district['name']}, tỉnh Bắc Giang",
                hotline=_illustrative_phone(area, ward["code"]),
                duty_phone=_illustrative_phone(area, ward["code"] + 1),
                office_hours=OFFICE_HOURS_COMMUNE,
                # A commune the coordinates data no longer lists (merged before 2023) has
                # none: never a guessed point.
                latitude=places.get(f"{ward['code']:05d}", {}).get("latitude"),
                longitude=places.get(f"{ward['code']:05d}", {}).get("longitude"),
            )
    return result


# --- Today's network (2025: province → departments, industrial-park stations, communes) -------
#
# Two libraries, each for what it does best (README.md, "Libraries"):
# - vietnam-provinces: the list of provinces and of their communes, with the codes that make
#   the unit codes (T24-X07210) — the list this command has always built, so codes stay put;
# - vietnamadminunits: each commune's coordinates (wardLat/wardLon), matched to the first by
#   province code and name. The two are checked against each other on every import: a commune
#   the second does not know is reported (and left without coordinates, never guessed), and so
#   is a commune whose code differs between them (3 wards of Bắc Ninh in 2025.10.1 / 1.0.4).


def current_provinces() -> list[dict]:
    import vietnam_provinces

    return json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8"))


def _province_key(name: str) -> str:
    return " ".join(words(name)).removeprefix("tinh ").removeprefix("thanh pho ").strip()


def find_province(name: str) -> dict:
    """Match a province of the current divisions by name, without diacritics.

    An unknown name is an error naming the closest provinces (or all 34 when none is close)."""
    wanted = _province_key(name)
    if not wanted:
        raise ApplicationError("Cần tên tỉnh, thành phố.", code="province_required")
    provinces = current_provinces()
    by_key = {_province_key(p["name"]): p for p in provinces}
    if wanted in by_key:
        return by_key[wanted]
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.6)
    if close:
        names = ", ".join(by_key[key]["name"] for key in close)
        hint = f"Có phải: {names}?"
    else:
        hint = "Danh sách: " + ", ".join(p["name"] for p in provinces) + "."
    raise ApplicationError(f"Không có tỉnh, thành phố “{name}”. {hint}", code="unknown_province")


def provincial_police(province_code: int) -> dict:
    """Departments that serve citizens and industrial-park stations of one province, with the
    source of the list (``data/provincial_police.json``; [U] entries are marked unverified)."""
    data = json.loads((DATA_DIR / "provincial_police.json").read_text(encoding="utf-8"))
    return data.get(str(province_code), data["default"])


def _commune_key(name: str) -> str:
    # "Xã Ea M’Droh" and "Xã Ea M'Droh", "Hiệp Hoà" and "Hiệp Hòa" are the same commune.
    return " ".join(words(name))


@functools.cache
def division_coordinates(province_code: int) -> dict[str, dict]:
    """The province's own point (key "") and {folded commune name: {"code", "latitude",
    "longitude"}} of its communes, from vietnamadminunits."""
    from vietnamadminunits.database import get_data

    fields = [
        "provinceCode",
        "provinceLat",
        "provinceLon",
        "ward",
        "wardCode",
        "wardLat",
        "wardLon",
    ]
    places = {}
    for row in get_data(fields=fields):
        if int(row["provinceCode"]) != province_code:
            continue
        places[""] = {
            "code": province_code,
            "latitude": row["provinceLat"],
            "longitude": row["provinceLon"],
        }
        places[_commune_key(row["ward"])] = {
            "code": int(row["wardCode"]),
            "latitude": row["wardLat"],
            "longitude": row["wardLon"],
        }
    return places


@functools.cache
def legacy_coordinates(province_code: int) -> dict[str, dict]:
    """The points of a province's pre-2025 communes ("07201") and districts ("d213"), from
    vietnamadminunits' 63-province table: the 2021 demo network's units, placed on the map so
    "Dùng vị trí của tôi" finds them."""
    from vietnamadminunits.database import get_data

    fields = ["provinceCode", "districtCode", "districtLat", "districtLon"]
    fields += ["wardCode", "wardLat", "wardLon"]
    places: dict[str, dict] = {}
    for row in get_data(fields=fields, table="admin_units_legacy"):
        if int(row["provinceCode"]) != province_code:
            continue
        district = (row["districtLat"], row["districtLon"])
        places[f"d{int(row['districtCode']):03d}"] = {
            "latitude": district[0],
            "longitude": district[1],
        }
        if (row["wardLat"], row["wardLon"]) == district:
            continue  # the data's stand-in (the district's point), not the commune's own
        places[f"{int(row['wardCode']):05d}"] = {
            "latitude": row["wardLat"],
            "longitude": row["wardLon"],
        }
    return places


@transaction.atomic
def import_province_network(
    *, province_name: str, with_departments: bool = True, prefix: str | None = None
) -> tuple[Unit, NetworkResult]:
    """Build (or bring up to date) one province's police network as it is since 1 July 2025:
    the provincial police, its departments that serve citizens, its industrial-park police
    stations, and one police unit per commune (xã, phường, đặc khu) with the commune's
    coordinates. Two levels, no district (Decree 02/2025/NĐ-CP ended district police).

    Idempotent: a second run creates and changes nothing. Unknown province: ApplicationError
    before anything is written."""
    province = find_province(province_name)
    police = provincial_police(province["code"])
    kinds = _ensure_kinds(["province", "department", "industrial_park", "commune"])
    prefix = (prefix or f"T{province['code']:02d}").upper()
    coordinates = division_coordinates(province["code"])
    province_place = coordinates.get("", {})
    result = NetworkResult()
    root = _upsert(
        result,
        code=prefix,
        kind=kinds["province"],
        name=police_name(province["name"], province["division_type"]),
        parent=None,
        division_code=str(province["code"]),
        division_name=province["name"],
        office_hours=OFFICE_HOURS_PROVINCE,
        latitude=province_place.get("latitude"),
        longitude=province_place.get("longitude"),
    )
    departments = police["departments"] if with_departments else []
    for department in departments:
        _upsert(
            result,
            code=f"{prefix}-{department['code']}",
            kind=kinds["department"],
            name=department["name"],
            parent=root,
            short_name=department["code"],
            division_code=root.division_code,
            division_name=root.division_name,
            address=f"{department['name']}, {root.name}",
            office_hours=OFFICE_HOURS_COMMUNE,
        )
    for station in police["industrial_park_stations"]:
        _upsert(
            result,
            code=f"{prefix}-{station['code']}",
            kind=kinds["industrial_park"],
            name=station["name"],
            parent=root,
            short_name=station["name"].replace("Đồn Công an", "Đồn CA", 1),
            division_code=root.division_code,
            division_name=station.get("division_name", root.division_name),
            office_hours=OFFICE_HOURS_PROVINCE,
            latitude=station.get("latitude"),
            longitude=station.get("longitude"),
        )
    for ward in province["wards"]:
        w_name = police_name(ward["name"], ward["division_type"])
        place = coordinates.get(_commune_key(ward["name"]))
        if place is None:
            result.without_coordinates.append(ward["name"])
        elif place["code"] != ward["code"]:
            result.code_mismatches.append(f"{ward['name']} ({ward['code']} ≠ {place['code']})")
        _upsert(
            result,
            code=f"{prefix}-X{ward['code']:05d}",
            kind=kinds["commune"],
            name=w_name,
            parent=root,
            short_name=w_name.replace("Công an", "CA", 1),
            division_code=f"{ward['code']:05d}",
            division_name=ward["name"],
            office_hours=OFFICE_HOURS_COMMUNE,
            latitude=place["latitude"] if place else None,
            longitude=place["longitude"] if place else None,
        )
    return root, result
