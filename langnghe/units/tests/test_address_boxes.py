"""The "find my unit" boxes (home page, /tro-chuyen/) on the `make run` demo (Bắc Giang as in
2021): a commune name without its prefix, a 2025 name formed from several of the old wards, an
address outside the deployment, and every example the pages themselves suggest."""

import html
import re

import pytest

from conftest import THO_XUONG
from langnghe.units.addresses import resolve

pytestmark = pytest.mark.django_db

TRAN_PHU = "BG-X07213"


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Thọ Xương, Bắc Giang", THO_XUONG),
        ("tho xuong", THO_XUONG),
        ("phuong tho xuong", THO_XUONG),
        ("Phường Thọ Xương, Bắc Giang", THO_XUONG),
        ("Trần Phú Bắc Giang", TRAN_PHU),
    ],
)
def test_a_commune_named_without_its_prefix_is_found(address, code):
    assert resolve(address).unit.code == code


def test_a_2025_commune_formed_from_several_old_wards_offers_them():
    found = resolve("Phường Bắc Giang, tỉnh Bắc Ninh")
    assert found.unit is None and not found.outside
    codes = {u.code for u in found.choices}
    assert {THO_XUONG, TRAN_PHU} <= codes and "BG-X07216" not in codes  # Mỹ Độ: elsewhere
    assert found.parent.code == "BG-H213"
    assert "Phường Bắc Giang" in found.note and "01/7/2025" in found.note


def test_an_address_outside_the_province_says_so():
    found = resolve("phường Kinh Bắc, tỉnh Bắc Ninh")
    assert found.outside and found.unit is None and not found.choices
    assert "ngoài địa bàn" in found.outside_text and "113" in found.outside_text


def test_the_home_box_lists_choices_and_says_outside(client):
    page = client.post("/", {"address": "Phường Bắc Giang, tỉnh Bắc Ninh"}).content.decode()
    assert 'id="nearest-choices"' in page and "Công an phường Thọ Xương" in page
    page = client.post("/", {"address": "phường Kinh Bắc, tỉnh Bắc Ninh"}).content.decode()
    assert "ngoài địa bàn" in page and "Chưa xác định" not in page


def test_the_chat_finder_lists_chats_to_choose(client):
    response = client.post("/tro-chuyen/", {"address": "Phường Bắc Giang, Bắc Ninh"})
    assert response.status_code == 200
    assert f"/tro-chuyen/{THO_XUONG}/" in response.content.decode()
    response = client.post("/tro-chuyen/", {"address": "tho xuong"})
    assert response.status_code == 302 and response.url.endswith(f"/tro-chuyen/{THO_XUONG}/")


def _examples(page: str) -> set[str]:
    text = html.unescape(page)
    found = set(re.findall(r'placeholder="Ví dụ: ([^"]+)"', text))
    found |= {e.strip() for e in re.findall(r"[Vv]í dụ: ([^)<\"]+)\)", text)}
    return found


def test_every_example_the_pages_show_works(client):
    examples = set()
    for url in ("/", "/tro-chuyen/"):
        examples |= _examples(client.get(url).content.decode())
        # The error message's own example, shown after an address not understood.
        examples |= _examples(client.post(url, {"address": "không rõ"}).content.decode())
    assert len(examples) >= 2, examples
    for example in examples:
        found = resolve(example)
        assert found.unit is not None or found.choices, example
        home = client.post("/", {"address": example}).content.decode()
        assert "Chưa xác định" not in home, example
        chat = client.post("/tro-chuyen/", {"address": example})
        assert chat.status_code in {200, 302} and "Chưa xác định" not in chat.content.decode()
