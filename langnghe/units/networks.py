"""Builders of real unit networks from the administrative divisions.

- ``load_demo_network``: Bắc Giang provincial police as in 2021 — 1 province, 4 procedure
  departments, 10 district-level and 209 commune-level police = 224 units, from the divisions
  shipped in ``data/bac_giang_2021.json`` (vietnam-provinces 0.5.0).
- ``import_province_network``: a current (2025, province → commune) network of any of the 34
  provinces, from the installed ``vietnam-provinces`` release.

Both are idempotent: a unit whose code exists is updated, not duplicated.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from langnghe.core.exceptions import ApplicationError
from langnghe.core.text import fold

from .models import Unit, UnitKind
from .services import unit_create, unit_kind_ensure, unit_update

DATA_DIR = Path(__file__).parent / "data"

KINDS = {
    "province": ("Công an cấp tỉnh", 0),
    "department": ("Phòng nghiệp vụ cấp tỉnh", 1),
    "district": ("Công an cấp huyện", 1),
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
            )
    return result


def current_provinces() -> list[dict]:
    import vietnam_provinces

    return json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8"))


def find_province(name: str) -> dict:
    """Match a province of the current divisions by name, without diacritics."""
    wanted = fold(name).removeprefix("tinh ").removeprefix("thanh pho ").strip()
    if not wanted:
        raise ApplicationError("Cần tên tỉnh, thành phố.", code="province_required")
    provinces = current_provinces()
    matches = [p for p in provinces if fold(p["name"]).removeprefix("thanh pho ").strip() == wanted]
    if not matches:
        names = ", ".join(p["name"] for p in provinces)
        raise ApplicationError(
            f"Không có tỉnh, thành phố “{name}”. Danh sách: {names}.", code="unknown_province"
        )
    return matches[0]


@transaction.atomic
def import_province_network(
    *, province_name: str, with_departments: bool = True, prefix: str | None = None
) -> tuple[Unit, NetworkResult]:
    province = find_province(province_name)
    kind_codes = ["province", "commune"] + (["department"] if with_departments else [])
    kinds = _ensure_kinds(kind_codes)
    prefix = (prefix or f"T{province['code']:02d}").upper()
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
    )
    if with_departments:
        for short, name in DEPARTMENTS:
            _upsert(
                result,
                code=f"{prefix}-{short}",
                kind=kinds["department"],
                name=name,
                parent=root,
                short_name=short,
                division_code=root.division_code,
                division_name=root.division_name,
                office_hours=OFFICE_HOURS_COMMUNE,
            )
    for ward in province["wards"]:
        w_name = police_name(ward["name"], ward["division_type"])
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
        )
    return root, result
