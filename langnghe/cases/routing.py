"""Which unit receives a case: a unit the citizen chose, else an address, else the province.

Addresses are compared without diacritics ("phuong tho xuong, tp bac giang" matches "Phường
Thọ Xương" under "Thành phố Bắc Giang"). A commune name alone may be ambiguous (Bắc Giang has
two "Xã Phúc Sơn"); the district or province named in the address decides, and an address
that still matches several communes goes to the common unit above them.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from langnghe.core.text import fold
from langnghe.units import addresses
from langnghe.units.models import Unit
from langnghe.units.selectors import unit_current

DIVISION_PREFIXES = (
    "thi tran",
    "thanh pho",
    "thi xa",
    "phuong",
    "xa",
    "huyen",
    "quan",
    "tinh",
    "tp",
)
ABBREVIATIONS = [
    (r"\btp\.?\s*", "thanh pho "),
    (r"\btt\.?\s+", "thi tran "),
    (r"\bp\.\s*", "phuong "),
    (r"\bq\.\s*", "quan "),
    (r"\bh\.\s*", "huyen "),
]


@dataclass
class Route:
    unit: Unit
    routed_by: str  # "unit" | "address" | "province"


def _normalise(text: str) -> str:
    folded = fold(text)
    for pattern, replacement in ABBREVIATIONS:
        folded = re.sub(pattern, replacement, folded)
    return " " + re.sub(r"[^a-z0-9]+", " ", folded).strip() + " "


def _bare(name: str) -> str:
    folded = _normalise(name).strip()
    for prefix in DIVISION_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in haystack


@lru_cache(maxsize=4)
def _index(_version: str) -> list[tuple[int, str, str, int | None]]:
    """(unit id, folded full area name, folded bare name, parent id) of active area units."""
    rows = (
        Unit.objects.filter(is_active=True)
        .exclude(division_name="")
        .exclude(kind__code="department")
        .values_list("pk", "division_name", "parent_id")
    )
    return [(pk, _normalise(name).strip(), _bare(name), parent) for pk, name, parent in rows]


def _index_version() -> str:
    last = Unit.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return f"{Unit.objects.count()}:{last}"


def province_desk() -> Unit:
    """The root unit: its duty desk triages what cannot be routed."""
    return Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()


def unit_for_address(address: str) -> Unit | None:
    text = _normalise(address)
    if not text.strip():
        return None
    index = _index(_index_version())
    by_id = {row[0]: row for row in index}

    def named(row) -> bool:
        return _contains(text, row[1]) or _contains(text, row[2])

    candidates = [row for row in index if named(row)]
    if not candidates:
        return None
    # Prefer the most specific units (deepest) whose ancestors named in the address agree.
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[r[0] for r in candidates])}
    deepest = max(u.depth for u in units.values())
    leaves = [u for u in units.values() if u.depth == deepest]
    if len(leaves) > 1:
        confirmed = [u for u in leaves if u.parent_id in by_id and named(by_id[u.parent_id])]
        # Full names ("phuong tho xuong") beat bare ones ("tho xuong").
        full = [u for u in (confirmed or leaves) if _contains(text, by_id[u.pk][1])]
        leaves = full or confirmed or leaves
    if len(leaves) == 1:
        return leaves[0]
    parent_ids = {u.parent_id for u in leaves}
    if len(parent_ids) == 1 and None not in parent_ids:
        return Unit.objects.get(pk=parent_ids.pop())
    return None


def route(*, unit_code: str | None = None, address: str | None = None) -> Route:
    """Raises nothing for an address that matches nothing: the province desk takes it.
    An unknown unit code is the caller's error (checked before, see services)."""
    if unit_code:
        unit = Unit.objects.filter(code__iexact=unit_code.strip()).first()
        if unit is not None and (unit := unit_current(unit)).is_active:
            return Route(unit, "unit")  # a closed unit's code (an old link): its successor
    if address:
        # Either form of address, old (with the district) or 2025, read by the official
        # conversion data; then the names of today's units.
        unit = addresses.unit_for_address(address) or unit_for_address(address)
        if unit is not None:
            return Route(unit, "address")
    return Route(province_desk(), "province")
