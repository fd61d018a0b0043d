"""Write ``address_eval.jsonl``: the held-out addresses below, each labelled from the
conversion data of ``vietnamadminunits`` (its ``converter_2025.json``, the official 2021 → 2025
mapping of Resolution 1658/NQ-UBTVQH15 for Bắc Ninh) — never from the resolver it judges.

Run once (no Django needed):  python langnghe/units/data/label_address_eval.py

Each address names, by hand, the division it means: ("2021", old commune code) or
("2025", new commune code). The labels:
- ``expected_2025``: code and name of the 2025 commune-level unit. The library's "legacy" data is
  the network just before 1 July 2025; the 17 communes of 2021 that Bắc Giang had already
  merged in late 2024 are found there by their former name (its ward keywords, in the same
  district), then converted like the others;
- ``expected_2021_network``: the unit that serves it in a deployment still on the demo's 2021
  Bắc Giang network — the 2021 commune itself for a 2021 address of Bắc Giang; for a 2025
  address, the single 2021 commune of Bắc Giang it absorbed, else the one 2021 district all of
  them lay in, else the province (an old Bắc Ninh commune has no unit in the demo network).
"""

import json
import unicodedata
from pathlib import Path

import vietnamadminunits

DATA = Path(vietnamadminunits.__file__).parent / "data"
HERE = Path(__file__).parent

# fmt: off
ADDRESSES = [
    # --- 2021 form, Bắc Giang, with district ---
    ("2021", "07201", "số 12 Nguyễn Văn Cừ, P. Thọ Xương, TP. Bắc Giang, Bắc Giang"),
    ("2021", "07201", "Số 5 ngõ 48 đường Lê Lai, phường Thọ Xương, thành phố Bắc Giang, tỉnh Bắc Giang"),
    ("2021", "07204", "45 Nguyễn Thị Minh Khai, P.Trần Nguyên Hãn, TP Bắc Giang"),
    ("2021", "07207", "phuong ngo quyen, tp bac giang, tinh bac giang"),
    ("2021", "07210", "số 2 Hoàng Văn Thụ, Phường Hoàng Văn Thụ, Thành phố Bắc Giang"),
    ("2021", "07213", "Tổ dân phố số 4, p. Trần Phú, tp. Bắc Giang, t. Bắc Giang"),
    ("2021", "07216", "Khu dân cư số 3, phường Mỹ Độ, thành phố Bắc Giang"),
    ("2021", "07219", "88 Giáp Hải, P. Lê Lợi , TP. Bắc Giang"),
    ("2021", "07222", "thôn Quế Sơn, xã Song Mai, TP Bắc Giang, tỉnh Bắc Giang"),
    ("2021", "07225", "234 đường Xương Giang, phường Xương Giang, Bắc Giang"),
    ("2021", "07228", "Phường Đa Mai,Thành phố Bắc Giang,Tỉnh Bắc Giang"),
    ("2021", "07231", "Ngõ 12 Thân Nhân Trung, phường Dĩnh Kế, tp Bắc Giang"),
    ("2021", "07441", "thôn Lạc Gián, xã Dĩnh Trì, TP. Bắc Giang"),
    ("2021", "07687", "Xã Tân Mỹ, thành phố Bắc Giang, tỉnh Bắc Giang"),
    ("2021", "07696", "thôn Hà Vị, X. Đồng Sơn, TP. Bắc Giang"),
    ("2021", "07705", "xa song khe, thanh pho bac giang"),
    ("2021", "07243", "Bản Đồng Tiến, xã Đồng Tiến, huyện Yên Thế, tỉnh Bắc Giang"),
    ("2021", "07246", "X. Canh Nậu, H. Yên Thế, Bắc Giang"),
    ("2021", "07249", "xa xuan luong huyen yen the bac giang"),
    ("2021", "07258", "thôn Đồng Bục, xã Đồng Hưu, huyện Yên Thế"),
    ("2021", "07267", "Xã Hồng Kỳ, Huyện Yên Thế, Tỉnh Bắc Giang"),
    ("2021", "07279", "thôn Thống Nhất, Xã Hương Vĩ, H.Yên Thế, Bắc Giang"),
    ("2021", "07288", "Tổ dân phố Hoàng Hoa Thám, TT. Phồn Xương, H. Yên Thế, Bắc Giang"),
    ("2021", "07294", "tt bo ha, huyen yen the, bac giang"),
    ("2021", "07291", "Xã Tân Sỏi,  huyện  Yên Thế,  Bắc Giang"),
    ("2021", "07306", "TT Nhã Nam, Tân Yên, Bắc Giang"),
    ("2021", "07309", "thôn Đồng Bản, xã Tân Trung, huyện Tân Yên, tỉnh Bắc Giang"),
    ("2021", "07318", "xã Phúc Sơn, huyện Tân Yên, Bắc Giang"),
    ("2021", "07327", "X. Liên Sơn, H. Tân Yên, T. Bắc Giang"),
    ("2021", "07339", "Phố Hoàng Hoa Thám, thị trấn Cao Thượng, huyện Tân Yên, tỉnh Bắc Giang"),
    ("2021", "07342", "xa viet ngoc, huyen tan yen"),
    ("2021", "07360", "Thôn Đông, Xã Ngọc Thiện, Huyện Tân Yên"),
    ("2021", "07366", "Xã Quế Nham, Tân Yên, Bắc Giang"),
    ("2021", "07375", "số 15 đường Xương Giang, TT. Vôi, H. Lạng Giang, Bắc Giang"),
    ("2021", "07378", "Xã Nghĩa Hòa, huyện Lạng Giang, tỉnh Bắc Giang"),
    ("2021", "07390", "thôn Trung Đồng, xã Đào Mỹ, Lạng Giang, Bắc Giang"),
    ("2021", "07399", "Thị trấn Kép, Huyện Lạng Giang, Tỉnh Bắc Giang"),
    ("2021", "07405", "xa huong lac, h. lang giang, bac giang"),
    ("2021", "07411", "Xã Tân Thanh, Lạng Giang"),
    ("2021", "07432", "thôn Phúc Mãn, X.Tân Dĩnh, H.Lạng Giang, T.Bắc Giang"),
    ("2021", "07438", "Xã Thái Đào, huyện Lạng Giang, Bắc Giang"),
    ("2021", "07444", "Tổ dân phố Thân Nhân Trung, TT. Đồi Ngô, H. Lục Nam, Bắc Giang"),
    ("2021", "07456", "xã Tam Dị, huyện Lục Nam, tỉnh Bắc Giang"),
    ("2021", "07465", "X. Thanh Lâm, H. Lục Nam, Bắc Giang"),
    ("2021", "07477", "thi tran phuong son, huyen luc nam, bac giang"),
    ("2021", "07480", "Xã Chu Điện, Lục Nam, Bắc Giang"),
    ("2021", "07501", "thôn Lạng Trung, xã Khám Lạng, huyện Lục Nam"),
    ("2021", "07519", "Xã Cẩm Lý, H. Lục Nam, T. Bắc Giang"),
    ("2021", "07525", "Tổ dân phố Thủ Dương, TT. Chũ, H. Lục Ngạn, Bắc Giang"),
    ("2021", "07534", "thôn Nà Háng, xã Phong Minh, huyện Lục Ngạn, tỉnh Bắc Giang"),
    ("2021", "07555", "xã Biên Sơn, huyện Lục Ngạn, Bắc Giang"),
    ("2021", "07558", "Xa Kien Thanh, Huyen Luc Ngan, Tinh Bac Giang"),
    ("2021", "07567", "thôn Ba Bãi, xã Tân Hoa, Lục Ngạn"),
    ("2021", "07582", "X. Phì Điền, H. Lục Ngạn, Bắc Giang"),
    ("2021", "07597", "Xã Phú Nhuận, Huyện Lục Ngạn, Tỉnh Bắc Giang"),
    ("2021", "07612", "xã Phượng Sơn, huyện Lục Ngạn, tỉnh Bắc Giang"),
    ("2021", "07615", "Tổ dân phố Thạch Sơn, thị trấn An Châu, huyện Sơn Động, tỉnh Bắc Giang"),
    ("2021", "07616", "TT. Tây Yên Tử, H. Sơn Động, Bắc Giang"),
    ("2021", "07624", "xã Hữu Sản, huyện Sơn Động"),
    ("2021", "07630", "thôn Nà Ó, xã Phúc Sơn, huyện Sơn Động, Bắc Giang"),
    ("2021", "07645", "xa an lac, huyen son dong, tinh bac giang"),
    ("2021", "07663", "Xã Tuấn Đạo, Sơn Động, Bắc Giang"),
    ("2021", "07681", "Tổ dân phố Đông Hưng, TT. Nham Biền, H. Yên Dũng, Bắc Giang"),
    ("2021", "07682", "thị trấn Tân An, huyện Yên Dũng, tỉnh Bắc Giang"),
    ("2021", "07690", "thôn Vân Cốc, xã Hương Gián, Yên Dũng, Bắc Giang"),
    ("2021", "07711", "X. Tiền Phong, H. Yên Dũng, T. Bắc Giang"),
    ("2021", "07720", "xa tri yen, huyen yen dung"),
    ("2021", "07738", "Xã Cảnh Thụy, Huyện Yên Dũng, Tỉnh Bắc Giang"),
    ("2021", "07750", "xã Đồng Phúc, huyện Yên Dũng, Bắc Giang"),
    ("2021", "07759", "thôn Thượng Lát, xã Thượng Lan, huyện Việt Yên, tỉnh Bắc Giang"),
    ("2021", "07774", "Xã Tự Lạn, H. Việt Yên, Bắc Giang"),
    ("2021", "07777", "Tổ dân phố 2, TT. Bích Động, Việt Yên, Bắc Giang"),
    ("2021", "07795", "Khu công nghiệp Đình Trám, thị trấn Nếnh, huyện Việt Yên, tỉnh Bắc Giang"),
    ("2021", "07804", "xa van ha, huyen viet yen, bac giang"),
    ("2021", "07807", "KCN Quang Châu, xã Quang Châu, huyện Việt Yên, Bắc Giang"),
    ("2021", "07789", "thôn Đông Long, X. Tăng Tiến, H. Việt Yên"),
    ("2021", "07813", "Xã Đồng Tân, huyện Hiệp Hòa, tỉnh Bắc Giang"),
    ("2021", "07828", "thôn Việt Hòa, xã Hoàng An, Hiệp Hòa, Bắc Giang"),
    ("2021", "07840", "Số 20 phố Thắng, TT. Thắng, H. Hiệp Hòa, Bắc Giang"),
    ("2021", "07846", "xa luong phong, huyen hiep hoa, bac giang"),
    ("2021", "07867", "X. Đoan Bái, H. Hiệp Hòa, T. Bắc Giang"),
    ("2021", "07870", "thị trấn Bắc Lý, huyện Hiệp Hòa"),
    ("2021", "07882", "Xã Châu Minh, Huyện Hiệp Hòa, Tỉnh Bắc Giang"),
    # --- 2021 form, Bắc Ninh (the old province) ---
    ("2021", "09187", "số 10 Lý Thái Tổ, P. Suối Hoa, TP. Bắc Ninh, Bắc Ninh"),
    ("2021", "09172", "phường Kinh Bắc, thành phố Bắc Ninh, tỉnh Bắc Ninh"),
    ("2021", "09190", "28 Nguyễn Gia Thiều, phuong vo cuong, tp bac ninh"),
    ("2021", "09367", "12 Minh Khai, P. Đông Ngàn, TP. Từ Sơn, Bắc Ninh"),
    ("2021", "09394", "phường Đình Bảng, thành phố Từ Sơn, tỉnh Bắc Ninh"),
    ("2021", "09319", "TT. Lim, H. Tiên Du, Bắc Ninh"),
    ("2021", "09193", "thị trấn Chờ, huyện Yên Phong, tỉnh Bắc Ninh"),
    ("2021", "09247", "Phường Phố Mới, thị xã Quế Võ, Bắc Ninh"),
    ("2021", "09400", "phuong ho, thi xa thuan thanh, bac ninh"),
    ("2021", "09454", "Thị trấn Gia Bình, huyện Gia Bình, tỉnh Bắc Ninh"),
    ("2021", "09496", "TT. Thứa, H. Lương Tài, Bắc Ninh"),
    # --- 2025 form, no district ---
    ("2025", "07210", "phường Bắc Giang, tỉnh Bắc Ninh"),
    ("2025", "07210", "Số 12 Nguyễn Văn Cừ, phường Bắc Giang, tỉnh Bắc Ninh"),
    ("2025", "07210", "88 Hoàng Văn Thụ, P. Bắc Giang, Bắc Ninh"),
    ("2025", "07228", "phuong da mai, tinh bac ninh"),
    ("2025", "07681", "Tổ dân phố Đông Hưng, phường Yên Dũng, tỉnh Bắc Ninh"),
    ("2025", "07682", "P. Tân An, Bắc Ninh"),
    ("2025", "07699", "Phường Tân Tiến, Tỉnh Bắc Ninh"),
    ("2025", "07696", "thôn Hà Vị, phường Tiền Phong, tỉnh Bắc Ninh"),
    ("2025", "07738", "phuong canh thuy, bac ninh"),
    ("2025", "07735", "Xã Đồng Việt, tỉnh Bắc Ninh"),
    ("2025", "07246", "X. Xuân Lương, T. Bắc Ninh"),
    ("2025", "07264", "thôn Đồng Gia, xã Tam Tiến, tỉnh Bắc Ninh"),
    ("2025", "07282", "xa dong ky, tinh bac ninh"),
    ("2025", "07288", "Xã Yên Thế, tỉnh Bắc Ninh"),
    ("2025", "07294", "Phố Thống Nhất, xã Bố Hạ, Bắc Ninh"),
    ("2025", "07306", "xã Nhã Nam, tỉnh Bắc Ninh"),
    ("2025", "07339", "Xã Tân Yên, Bắc Ninh"),
    ("2025", "07351", "xa ngoc thien, bac ninh"),
    ("2025", "07375", "số 15 đường Xương Giang, xã Lạng Giang, tỉnh Bắc Ninh"),
    ("2025", "07399", "X. Kép, Bắc Ninh"),
    ("2025", "07432", "xã Tân Dĩnh, tỉnh Bắc Ninh"),
    ("2025", "07444", "Xã Lục Nam, Tỉnh Bắc Ninh"),
    ("2025", "07462", "thôn Đồng Hưu, xã Bảo Đài, tỉnh Bắc Ninh"),
    ("2025", "07519", "xa cam ly, tinh bac ninh"),
    ("2025", "07534", "xã Sa Lý, tỉnh Bắc Ninh"),
    ("2025", "07582", "Xã Lục Ngạn, Bắc Ninh"),
    ("2025", "07525", "Tổ dân phố Thủ Dương, phường Chũ, tỉnh Bắc Ninh"),
    ("2025", "07612", "P. Phượng Sơn, T. Bắc Ninh"),
    ("2025", "07615", "xã Sơn Động, tỉnh Bắc Ninh"),
    ("2025", "07616", "Xã Tây Yên Tử, Bắc Ninh"),
    ("2025", "07663", "xa tuan dao, bac ninh"),
    ("2025", "07777", "phường Việt Yên, tỉnh Bắc Ninh"),
    ("2025", "07795", "KCN Đình Trám, P. Nếnh, Bắc Ninh"),
    ("2025", "07798", "phuong van ha, tinh bac ninh"),
    ("2025", "07774", "Phường Tự Lạn, tỉnh Bắc Ninh"),
    ("2025", "07840", "Số 20 phố Thắng, xã Hiệp Hòa, tỉnh Bắc Ninh"),
    ("2025", "07870", "xã Xuân Cẩm, Bắc Ninh"),
    ("2025", "07822", "X. Hoàng Vân, tỉnh Bắc Ninh"),
    ("2025", "09187", "số 10 Lý Thái Tổ, phường Kinh Bắc, tỉnh Bắc Ninh"),
    ("2025", "09190", "phuong vo cuong, bac ninh"),
    ("2025", "09367", "12 Minh Khai, P. Từ Sơn, Bắc Ninh"),
    ("2025", "09319", "xã Tiên Du, tỉnh Bắc Ninh"),
    ("2025", "09247", "Phường Quế Võ, Tỉnh Bắc Ninh"),
    ("2025", "09400", "phường Thuận Thành, tỉnh Bắc Ninh"),
    ("2025", "09454", "X. Gia Bình, Bắc Ninh"),
    ("2025", "09496", "xa luong tai, tinh bac ninh"),
    ("2025", "09193", "Xã Yên Phong, tỉnh Bắc Ninh"),
]
# fmt: on


def keyword(name: str) -> str:
    """ "Xã Mỹ Hà" → "xamyha", the library's keyword form."""
    decomposed = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def main() -> None:
    legacy = json.loads((DATA / "parser_legacy.json").read_text("utf-8"))
    current = json.loads((DATA / "parser_from_2025.json").read_text("utf-8"))
    converter = json.loads((DATA / "converter_2025.json").read_text("utf-8"))
    demo = json.loads((HERE / "bac_giang_2021.json").read_text("utf-8"))
    demo_district = {
        f"{ward['code']:05d}": str(district["code"])
        for district in demo["districts"]
        for ward in district["wards"]
    }
    old_by_code, old_key_code = {}, {}
    # 2021 communes merged in 2024: by former name among the wards of the same district.
    bg_districts = legacy["DICT_PROVINCE_DISTRICT"]["tinhbacgiang"]
    bg_tree = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]["tinhbacgiang"]
    for district in demo["districts"]:
        district_keys = [
            k for k, d in bg_districts.items() if keyword(district["name"]) in d["districtKeywords"]
        ]
        for ward in district["wards"]:
            hits = [
                f"tinhbacgiang_{d}_{w}"
                for d in district_keys
                for w, data in bg_tree[d].items()
                if keyword(ward["name"]) in data["wardKeywords"]
            ]
            if len(hits) == 1:
                old_by_code[f"{ward['code']:05d}"] = hits[0]
    for province in ("tinhbacgiang", "tinhbacninh"):
        tree = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"][province]
        for district_key, wards in tree.items():
            for ward_key, ward in wards.items():
                key = f"{province}_{district_key}_{ward_key}"
                old_by_code[ward["wardCode"]] = key
                old_key_code[key] = ward["wardCode"]
    new_wards = current["DICT_PROVINCE_WARD_NO_ACCENTED"]["tinhbacninh"]
    absorbed = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhbacninh"]
    assert not converter["DICT_PROVINCE_WARD_DIVIDED"].get("tinhbacninh"), "no divided wards"
    new_key_of_old = {old: new for new, olds in absorbed.items() for old in olds}
    new_key_by_code = {w["wardCode"]: k for k, w in new_wards.items()}

    lines = [
        "# HELD-OUT evaluation set of addresses (issue #25). Written before the resolver; never",
        "# tune rules on it (development uses the small dev set in units/tests). Labels come from",
        "# vietnamadminunits' conversion data by label_address_eval.py, not from the resolver.",
    ]
    for form, code, text in ADDRESSES:
        if form == "2021":
            old_key = old_by_code[code]
            new_key = new_key_of_old[old_key]
            on_2021 = (
                {"kind": "commune", "division_code": code}
                if old_key.startswith("tinhbacgiang_")
                else {"kind": "province", "division_code": "24"}
            )
        else:
            new_key = new_key_by_code[code]
            olds = absorbed[new_key]
            in_demo = [o for o in olds if o.startswith("tinhbacgiang_")]
            districts = {demo_district.get(old_key_code[o]) for o in olds}
            if len(olds) == 1 and in_demo:
                on_2021 = {"kind": "commune", "division_code": old_key_code[olds[0]]}
            elif len(in_demo) == len(olds) and len(districts) == 1:
                on_2021 = {"kind": "district", "division_code": districts.pop()}
            else:
                on_2021 = {"kind": "province", "division_code": "24"}
        new = new_wards[new_key]
        record = {
            "text": text,
            "form": form,
            "expected_2025": {"division_code": new["wardCode"], "name": new["ward"]},
            "expected_2021_network": on_2021,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    (HERE / "address_eval.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(ADDRESSES)} addresses written")


if __name__ == "__main__":
    main()
