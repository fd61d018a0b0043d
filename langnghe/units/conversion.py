"""What ``addresses`` (reading a citizen's address) and ``reorganize`` (closing the old
network) both take from ``vietnamadminunits``' 2021→2025 conversion data: the former names it
records for a commune, and the rule that it never geocodes over the Internet.

The library is imported where it is used (it loads its data on first import)."""

import functools
import json
from pathlib import Path


@functools.cache
def _all_merged_names() -> dict[str, set[str]]:
    """Old ward code → the names (folded, no spaces) the conversion data records for it,
    among them the communes merged into it before 2025."""
    import vietnamadminunits

    path = Path(vietnamadminunits.__file__).parent / "data" / "parser_legacy.json"
    tree = json.loads(path.read_text("utf-8"))["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]
    return {
        ward["wardCode"]: set(ward.get("wardKeywords", []))
        for districts in tree.values()
        for wards in districts.values()
        for ward in wards.values()
    }


def merged_names(ward_code: str | None) -> set[str]:
    return _all_merged_names().get((ward_code or "").zfill(5), set())


def no_geocoding() -> None:
    """vietnamadminunits places an old commune split in 2025 by geocoding the address with
    ArcGIS, over the Internet, when a street is given. A citizen's address never leaves the
    server (NĐ 13/2023/NĐ-CP: no transfer without need), and routing must not wait on a
    remote service: its geocoder is replaced by one that finds nothing, so the data's default
    new commune is used. The street is not passed either (``addresses.read``)."""
    from vietnamadminunits.converter import converter_2025

    converter_2025.get_geo_location = _nowhere


def _nowhere(_address: str) -> None:
    return None
