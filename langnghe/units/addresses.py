"""An address in either form — 2021 (commune, district, province) or 2025 (commune, province) —
to today's open unit. Citizens still write the old form years after a reform, abbreviate
(P., X., TT., H., TP.) and type without diacritics.

`vietnamadminunits` reads the address: ``convert_address`` a pre-2025 one (it knows the old
communes and the official 2021→2025 conversion), ``parse_address`` a 2025 one. It matches
loosely, so its answer is kept only when the address itself names that commune: the commune's
name after a commune-level word (phường, xã, thị trấn, or their abbreviations), and for the old
form the old district's name too. Anything else is not placed here (the caller falls back to
its own matching, then the province desk): never a guess.
"""

import functools
import re
from dataclasses import dataclass, field

from django.db.models import QuerySet

from langnghe.core.text import fold

from .conversion import merged_names, no_geocoding
from .models import Unit
from .selectors import unit_current, unit_list, unit_queryset

COMMUNE_WORDS = r"(?:phuong|xa|thi tran|p|x|tt|dac khu)"
ABBREVIATIONS = [
    (r"\bthi xa\b", "thixa"),  # a district-level town, not "xã"
    (r"\bthanh pho\b", "thanhpho"),
]


@dataclass(frozen=True)
class Reading:
    ward_code: str  # today's (2025) commune or ward
    old_ward_code: str = ""  # the commune written, when the address is in the old form
    form: str = "2025"
    # Set when the commune is written by a name it had before a merger older than 2025: the
    # old district's code, where a deployment may still keep that commune as its own unit.
    former_name_district: str = ""


def _text(address: str) -> str:
    folded = re.sub(r"[^a-z0-9]+", " ", fold(address)).strip()
    for pattern, replacement in ABBREVIATIONS:
        folded = re.sub(pattern, replacement, folded)
    return f" {folded} "


def _names_commune(text: str, short_name: str | None) -> bool:
    name = re.sub(r"[^a-z0-9]+", " ", fold(short_name or "")).strip()
    return bool(name) and re.search(rf" {COMMUNE_WORDS} {re.escape(name)} ", text) is not None


def _names(text: str, short_name: str | None) -> bool:
    name = re.sub(r"[^a-z0-9]+", " ", fold(short_name or "")).strip()
    return bool(name) and f" {name} " in text


def _provinces(*, open_only: bool) -> list[str]:
    """The names of this deployment's provinces (a citizen often leaves out their own)."""
    # Today's provinces, and (for old-form addresses) the provinces closed into them by a
    # merger, which now sit under their successor rather than at the top.
    roots = Unit.objects.filter(kind__code="province", is_active=True, parent=None)
    if not open_only:
        roots = roots | Unit.objects.filter(kind__code="province", is_active=False)
    return [name for name in roots.values_list("division_name", flat=True) if name]


def _attempts(address: str, *, open_only: bool) -> list[str]:
    return [address] + [f"{address}, {name}" for name in _provinces(open_only=open_only)]


def _names_merged(text: str, old_ward_code: str | None) -> bool:
    """The address names a commune merged before 2025 into ``old_ward_code``, by a former name
    the conversion data records for it (the rule ``reorganize`` places such communes by)."""
    names = merged_names(old_ward_code)
    words = text.split()
    for i, word in enumerate(words):
        if word in {"phuong", "xa", "thi", "p", "x", "tt"}:
            rest = words[i + 1 : i + 5] if word != "thi" else words[i + 2 : i + 6]
            for n in range(1, len(rest) + 1):
                joined = "".join(rest[:n])
                if joined in names and not joined.isdigit():
                    return True
    return False


def read(address: str) -> Reading | None:
    """Today's commune of an address in either form, or None."""
    from vietnamadminunits import ParseMode, convert_address, parse_address

    address = (address or "")[:500]
    if not address.strip():
        return None
    text = _text(address)
    no_geocoding()
    for attempt in _attempts(address, open_only=False):
        try:
            # Only the commune, district and province go to the conversion, never the street.
            parts = parse_address(attempt, mode=ParseMode.LEGACY, keep_street=False)
            if not parts.ward:
                continue
            new = convert_address(f"{parts.ward}, {parts.district}, {parts.province}")
            old = new.OldAdminUnit
        except Exception:  # noqa: BLE001, S112 - the library raises plain exceptions on no match
            continue
        if old is None or not new.ward_code or not _names(text, old.short_district):
            continue
        if _names_commune(text, old.short_ward):
            return Reading(new.ward_code.zfill(5), (old.ward_code or "").zfill(5), "2021")
        if _names_merged(text, old.ward_code):
            return Reading(
                new.ward_code.zfill(5),
                (old.ward_code or "").zfill(5),
                "2021",
                former_name_district=(old.district_code or "").zfill(3),
            )
    for attempt in _attempts(address, open_only=True):
        try:
            new = parse_address(attempt)
        except Exception:  # noqa: BLE001, S112
            continue
        if new.ward_code and _names_commune(text, new.short_ward):
            return Reading(new.ward_code.zfill(5))
    return None


def unit_for_address(address: str) -> Unit | None:
    """The open unit serving the address. The old commune written (old form) is looked up
    first, open or closed — a closed one is followed to its successor, so this holds on a
    network still in its old form and after the move. Today's commune is looked up only among
    today's units (directly under a province): a 2025 ward code is often the code of one of
    the old communes merged into it, which is not the same place."""
    reading = read(address)
    if reading is None:
        return None
    if reading.former_name_district and (kept := _kept_commune(address, reading)):
        return kept
    if reading.old_ward_code:
        for unit in Unit.objects.filter(division_code=reading.old_ward_code, kind__code="commune"):
            if (current := unit_current(unit)).is_active:
                return current
    return (
        Unit.objects.filter(
            division_code=reading.ward_code,
            kind__code="commune",
            parent__kind__code="province",
            is_active=True,
        )
        .select_related("kind")
        .first()
    )


def units_for_address(text: str) -> QuerySet[Unit]:
    """The units a typed address points to, for the "find your unit" page's address field:
    the unit serving it when ``unit_for_address`` places it (2021 and 2025 forms), else the
    directory search (every word in a unit's name or area)."""
    unit = unit_for_address(text)
    if unit is not None:
        return unit_queryset().filter(pk=unit.pk)
    return unit_list(q=text)


def _kept_commune(address: str, reading: Reading) -> Unit | None:
    """The deployment's own unit for a commune written by its name before an earlier merger,
    when the deployment still has it (a network described before that merger, as the 2021
    founding document describes Bắc Giang): that unit, or its successor, serves the address."""
    text = _text(address)
    for unit in Unit.objects.filter(
        kind__code="commune", parent__division_code=reading.former_name_district
    ).select_related("kind"):
        short = re.sub(r"^(xã|phường|thị trấn)\s+", "", unit.division_name, flags=re.IGNORECASE)
        if _names_commune(text, short):
            current = unit_current(unit)
            return current if current.is_active else None
    return None


# --- What the "find my unit" boxes answer (home page, /tro-chuyen/) ---------------------------

NATIONAL_PORTAL = "https://dichvucong.gov.vn"


@dataclass
class Resolution:
    """A typed address's answer: one unit, or units to choose from (with why), or "outside the
    area this site serves", or nothing."""

    unit: Unit | None = None
    choices: list[Unit] = field(default_factory=list)
    parent: Unit | None = None  # the choices' common parent unit, when they have one
    note: str = ""
    outside: bool = False

    @property
    def outside_text(self) -> str:
        return (
            "Địa chỉ này nằm ngoài địa bàn trang này phục vụ. Việc khẩn cấp, hãy gọi 113; "
            f"thủ tục và liên hệ Công an nơi đó: Cổng Dịch vụ công quốc gia {NATIONAL_PORTAL}."
        )


def _short(name: str) -> str:
    folded = re.sub(r"[^a-z0-9]+", " ", fold(name or "")).strip()
    return re.sub(r"^(phuong|xa|thi tran|dac khu)\s+", "", folded)


def _communes_named(text: str) -> list[Unit]:
    """The open commune-level units whose name (without "phường", "xã"…) the address contains
    as whole words, diacritics aside; a name inside a longer matched one does not count."""
    found = []
    for unit in Unit.objects.filter(kind__code="commune", is_active=True).select_related("kind"):
        short = _short(unit.division_name or unit.name.replace("Công an", "", 1))
        if short and f" {short} " in text:
            found.append((short, unit))
    names = {short for short, _ in found}
    return [
        unit
        for short, unit in sorted(found, key=lambda pair: pair[1].name)
        if not any(short != other and f" {short} " in f" {other} " for other in names)
    ]


@functools.cache
def _formed_from_keys() -> dict[tuple[str, str], list[str]]:
    import json
    from pathlib import Path

    import vietnamadminunits

    path = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    tree = json.loads(path.read_text("utf-8"))["DICT_PROVINCE_WARD_NO_DIVIDED"]
    return {
        (province, ward): olds for province, wards in tree.items() for ward, olds in wards.items()
    }


@functools.cache
def _legacy_ward_codes() -> dict[str, str]:
    """ "province_district_ward" key of each pre-2025 commune → its code (read once)."""
    from vietnamadminunits.database import get_data

    fields = ["provinceKey", "districtKey", "wardKey", "wardCode"]
    return {
        f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}": str(row["wardCode"]).zfill(5)
        for row in get_data(fields=fields, table="admin_units_legacy")
    }


def _old_ward_codes(keys: list[str]) -> set[str]:
    codes = _legacy_ward_codes()
    return {codes[key] for key in keys if key in codes}


def _new_commune(address: str, text: str):
    """A 2025-form address's commune (vietnamadminunits' reading), when the address names it
    after a commune word; else None."""
    from vietnamadminunits import parse_address

    try:
        new = parse_address(address[:300])
    except Exception:  # noqa: BLE001 - the library raises plain exceptions on no match
        return None
    if new.ward_key and new.province_key and _names_commune(text, new.short_ward):
        return new
    return None


def resolve(address: str) -> Resolution:
    address = (address or "").strip()[:300]
    if not address:
        return Resolution()
    if (unit := unit_for_address(address)) is not None:
        return Resolution(unit=unit)
    text = _text(address)
    new = _new_commune(address, text)
    if new is not None:
        olds = _formed_from_keys().get((new.province_key, new.ward_key), [])
        codes = _old_ward_codes(olds)
        units = {
            unit_current(u)
            for u in Unit.objects.filter(kind__code="commune", division_code__in=codes)
        }
        units = sorted((u for u in units if u.is_active), key=lambda u: u.name)
        if len(units) == 1:
            return Resolution(unit=units[0])
        if units:
            parents = {u.parent_id for u in units}
            parent = units[0].parent if len(parents) == 1 else None
            return Resolution(
                choices=units,
                parent=parent,
                note=(
                    f"{new.ward} (tên từ ngày 01/7/2025) được lập từ nhiều phường, xã cũ; trang "
                    "này còn theo các đơn vị Công an cũ. Hãy chọn phường, xã cũ nơi ông/bà ở"
                    + (f", hoặc {parent.name}." if parent else ".")
                ),
            )
        return Resolution(outside=True)
    named = _communes_named(text)
    if len(named) == 1:
        return Resolution(unit=named[0])
    if named:
        return Resolution(
            choices=named[:20],
            note="Có nhiều phường, xã mang tên này. Hãy chọn đơn vị của ông/bà.",
        )
    return Resolution()
