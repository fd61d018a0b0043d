"""The shipped catalogue as data: complete, consistent with the README, loadable again and again,
and refused clearly when broken."""

import collections
import json
import re
import unicodedata
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from langnghe.procedures.models import Field, HandlerKind, Procedure
from langnghe.procedures.services import (
    BUNDLED_CATALOGUE,
    NATIONAL_CODE_RE,
    procedure_catalogue_load,
)

README = Path(__file__).resolve().parents[3] / "README.md"

# The 50 codes of the first catalogue: other work links to them, so they must stay.
FIRST_CODES = """
dang-ky-thuong-tru dang-ky-tam-tru gia-han-tam-tru tach-ho xoa-dang-ky-thuong-tru
xoa-dang-ky-tam-tru khai-bao-tam-vang xac-nhan-thong-tin-cu-tru thong-bao-luu-tru
dieu-chinh-thong-tin-cu-tru khai-bao-thong-tin-cu-tru cap-the-can-cuoc cap-doi-the-can-cuoc
cap-lai-the-can-cuoc cap-giay-chung-nhan-can-cuoc xac-nhan-so-cmnd
dieu-chinh-thong-tin-csdl-dan-cu khai-thac-thong-tin-csdl-dan-cu tai-khoan-dinh-danh-dien-tu
khoa-mo-khoa-can-cuoc-dien-tu cap-ho-chieu-pho-thong trinh-bao-mat-ho-chieu
khoi-phuc-gia-tri-ho-chieu cap-tem-ab khai-bao-tam-tru-nguoi-nuoc-ngoai
cap-the-tam-tru-nguoi-nuoc-ngoai gia-han-tam-tru-nguoi-nuoc-ngoai dang-ky-xe-lan-dau sang-ten-xe
cap-doi-cap-lai-dang-ky-xe dang-ky-xe-tam-thoi thu-hoi-dang-ky-bien-so-xe cap-doi-giay-phep-lai-xe
cap-lai-giay-phep-lai-xe sat-hach-cap-giay-phep-lai-xe cap-giay-phep-lai-xe-quoc-te
cap-gcn-du-dieu-kien-antt cap-doi-cap-lai-gcn-antt khai-bao-vu-khi-tho-so
cap-giay-phep-su-dung-cong-cu-ho-tro giao-nop-vu-khi-vat-lieu-no dang-ky-mau-con-dau-moi
dang-ky-lai-mau-con-dau tham-dinh-thiet-ke-pccc nghiem-thu-pccc phuc-hoi-hoat-dong-pccc
cap-phieu-ly-lich-tu-phap giai-quyet-khieu-nai giai-quyet-to-cao
tiep-nhan-to-giac-tin-bao-toi-pham
""".split()

REQUIRED = ["name", "field", "handlers", "processing_time", "fee", "legal_basis", "source"]


def catalogue() -> list[dict]:
    return json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))["procedures"]


def fold(text: str) -> str:
    """Case, diacritics and spacing ignored: 'Cấp  Đổi' == 'cap doi'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.casefold().split())


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Danh mục thủ tục")
    return text[start : text.index("\n## ", start + 1)]


def readme_rows() -> dict[str, int]:
    """Rows such as ``| Cư trú | `cu-tru` | 11 |`` of the README section, by their key."""
    rows = re.findall(r"^\|[^|\n]*\|\s*`([^`]+)`\s*\|\s*(\d+)\s*\|\s*$", readme_section(), re.M)
    return {key: int(count) for key, count in rows}


def test_every_procedure_is_complete_and_valid():
    for item in catalogue():
        for key in REQUIRED:
            assert item.get(key), (item["code"], key)
        assert item["field"] in Field.values, item["code"]
        for handler in item["handlers"]:
            assert handler["kind"] in HandlerKind.values, item["code"]
        # The page and the search index read these too.
        for key in ["summary", "documents", "steps", "aliases"]:
            assert item.get(key), (item["code"], key)


def test_codes_and_national_codes_are_unique_and_well_formed():
    items = catalogue()
    codes = [p["code"] for p in items]
    assert len(codes) == len(set(codes))
    national = [p["national_code"] for p in items if p["national_code"]]
    assert len(national) == len(set(national))
    assert all(NATIONAL_CODE_RE.match(code) for code in national)
    for item in items:
        # An unconfirmed code is left blank and said so.
        assert bool(item["national_code"]) != ("national_code" in item["uncertain"]), item["code"]


def test_first_codes_are_kept():
    assert len(FIRST_CODES) == 50
    assert set(FIRST_CODES) <= {p["code"] for p in catalogue()}


def test_no_alias_is_another_procedures_name():
    items = catalogue()
    names = {fold(p["name"]): p["code"] for p in items}
    for item in items:
        for alias in item["aliases"]:
            owner = names.get(fold(alias), item["code"])
            assert owner == item["code"], f"{item['code']}: alias “{alias}” is the name of {owner}"


def test_readme_counts_are_the_catalogues():
    items = catalogue()
    total = re.search(r"Tổng cộng: \*\*(\d+)\*\*", readme_section())
    assert total and int(total.group(1)) == len(items)
    national = re.search(r"có ở \*\*(\d+)\*\* thủ tục", readme_section())
    assert national and int(national.group(1)) == sum(1 for p in items if p["national_code"])
    counted: collections.Counter = collections.Counter()
    for item in items:
        counted.update({item["field"]})
        counted.update({handler["kind"] for handler in item["handlers"]})
        counted.update({h["department"] for h in item["handlers"] if h.get("department")})
    rows = readme_rows()
    assert set(rows) == set(counted), set(rows) ^ set(counted)
    assert rows == dict(counted)
    assert set(Field.values) == {key for key in rows if key in Field.values}


@pytest.mark.django_db
def test_load_procedures_loads_everything_and_is_rerunnable(capsys):
    call_command("load_procedures")
    assert Procedure.objects.filter(is_active=True).count() == len(catalogue())
    capsys.readouterr()
    call_command("load_procedures")
    out = capsys.readouterr().out
    assert f"Thủ tục: {len(catalogue())} (mới 0, cập nhật 0, không đổi {len(catalogue())}" in out
    assert Procedure.objects.count() == len(catalogue())
    for item in catalogue():
        stored = Procedure.objects.get(code=item["code"])
        assert stored.national_code == item["national_code"]
        assert sorted(stored.handlers.values_list("kind", "department")) == sorted(
            (h["kind"], h.get("department", "")) for h in item["handlers"]
        )


def broken(change) -> dict:
    data = json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))
    change(data["procedures"])
    return data


def set_key(position, key, value):
    def change(items):
        items[position][key] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_key(3, "field", "thue"), "lĩnh vực “thue” không hợp lệ"),
        (set_key(3, "handlers", [{"kind": "district"}]), "cấp giải quyết “district”"),
        (set_key(3, "code", "Dang Ky"), "mã “Dang Ky”"),
        (set_key(3, "national_code", "1004222"), "mã TTHC “1004222”"),
        (set_key(3, "processing_time", "x" * 301), "“processing_time” dài 301"),
        (set_key(3, "handlers", [{"kind": "commune"}, {"kind": "commune"}]), "bị lặp"),
        (set_key(4, "national_code", "1.004222"), "mã TTHC “1.004222” đã dùng"),
    ],
)
@pytest.mark.django_db
def test_the_command_refuses_a_broken_catalogue(tmp_path, change, message):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken(change), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=message) as raised:
        call_command("load_procedures", file=str(bad))
    assert raised.value.returncode != 0
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_loader_refuses_before_writing_anything():
    data = broken(set_key(len(catalogue()) - 1, "field", "nope"))
    with pytest.raises(Exception, match="nope"):
        procedure_catalogue_load(data=data)
    assert not Procedure.objects.exists()
