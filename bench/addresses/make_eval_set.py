"""Writes langnghe/units/data/address_eval.jsonl: addresses as citizens write them, in the 2021
form (with the district) and the 2025 form (without), and the unit of today's Bắc Ninh network
each must reach. Written before the address resolver, and never used to write its rules.

Expected answers: for the 2025 form, the ward itself (vietnam-provinces' 2025 list); for the
2021 form, the official conversion (vietnamadminunits) of the commune's full official name —
only for communes that conversion reads as themselves (the others have no known answer and
are left out). The variation (abbreviations, no diacritics, house and street, case, spacing) is
what this set judges; a fixed seed makes it reproducible.

    python bench/addresses/make_eval_set.py
"""

import json
import random
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "langnghe/units/data/address_eval.jsonl"
STREETS = ["Nguyễn Văn Cừ", "Lê Lợi", "Hoàng Văn Thụ", "Trần Phú", "Ngô Gia Tự", "Xương Giang"]
VILLAGES = ["thôn Đông", "thôn Trung", "xóm Mới", "bản Làng Thác", "tổ dân phố số 3"]
ABBR = {
    "phường": "P.",
    "xã": "X.",
    "thị trấn": "TT.",
    "huyện": "H.",
    "thành phố": "TP.",
    "thị xã": "TX.",
}


def plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def short(name: str, kind: str) -> str:
    return name[len(kind) :].strip() if name.lower().startswith(kind) else name


def variants(rng, ward, wkind, district=None, dkind=None, province="Bắc Giang"):
    w_short, out = short(ward, wkind), []
    lead = rng.choice(
        [f"số {rng.randint(1, 200)} {rng.choice(STREETS)}, ", rng.choice(VILLAGES) + ", ", ""]
    )
    if district:
        d_short = short(district, dkind)
        out.append(f"{lead}{ward}, {district}, tỉnh {province}")
        out.append(f"{ABBR[wkind]} {w_short}, {ABBR[dkind]} {d_short}, {province}")
        out.append(plain(f"{wkind} {w_short}, {dkind} {d_short}, {province}").lower())
        out.append(f"{lead}{ABBR[wkind]}{w_short} - {ABBR[dkind]}{d_short} - {province.upper()}")
    else:
        out.append(f"{lead}{ward}, tỉnh {province}")
        out.append(f"{ABBR.get(wkind, wkind)} {w_short}, {province}")
        out.append(plain(f"{wkind} {w_short} {province}").lower())
        out.append(f"{lead}{wkind} {w_short}")
    return out


def main():
    import vietnam_provinces
    from vietnamadminunits import convert_address

    rng = random.Random(2025)
    lines = []
    old = json.loads((ROOT / "langnghe/units/data/bac_giang_2021.json").read_text("utf-8"))
    for district in rng.sample(old["districts"], len(old["districts"])):
        dkind = district["division_type"]
        for ward in rng.sample(district["wards"], 3):
            canonical = f"{ward['name']}, {district['name']}, Tỉnh Bắc Giang"
            conv = convert_address(canonical)
            if (conv.OldAdminUnit.ward_code or "").zfill(5) != f"{ward['code']:05d}":
                continue  # the conversion does not know this commune: no answer to expect
            for text in variants(rng, ward["name"], ward["division_type"], district["name"], dkind):
                lines.append(
                    {"address": text, "form": "2021", "expected": f"T24-X{conv.ward_code}"}
                )
    provinces = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8"))
    bac_ninh = next(p for p in provinces if p["code"] == 24)
    for ward in rng.sample(bac_ninh["wards"], 25):
        for text in variants(rng, ward["name"], ward["division_type"], province="Bắc Ninh")[:3]:
            lines.append({"address": text, "form": "2025", "expected": f"T24-X{ward['code']:05d}"})
    with OUT.open("w", encoding="utf-8") as f:
        f.write(
            json.dumps({"held_out": True, "note": __doc__.split("\n\n")[0]}, ensure_ascii=False)
            + "\n"
        )
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} addresses → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
