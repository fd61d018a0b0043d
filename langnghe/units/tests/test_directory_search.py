"""Issue 26: the directory search reads abbreviations and puts whole-word matches first."""

import pytest

from langnghe.units import selectors

pytestmark = pytest.mark.django_db


def _names(q: str) -> list[str]:
    return [u.name for u in selectors.unit_list(q=q)]


@pytest.mark.parametrize(
    "q", ["tp bac giang", "thanh pho bac giang", "TP. Bắc Giang", "Tp Bac Giang"]
)
def test_the_city_unit_comes_first(q):
    assert _names(q)[0] == "Công an thành phố Bắc Giang"


@pytest.mark.parametrize("q", ["tran phu", "Trần Phú", "p tran phu", "phuong tran phu"])
def test_whole_words_beat_the_start_of_longer_ones(q):
    names = _names(q)
    assert names[0] == "Công an phường Trần Phú"
    if "Công an phường Trần Nguyên Hãn" in names:
        assert names.index("Công an phường Trần Phú") < names.index(
            "Công an phường Trần Nguyên Hãn"
        )


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("x tan my", "Công an xã Tân Mỹ"),
        ("h yen dung", "Công an huyện Yên Dũng"),
        ("huyen yen dung", "Công an huyện Yên Dũng"),
    ],
)
def test_abbreviations_of_the_level(q, name):
    assert _names(q)[0] == name


def test_the_api_and_home_page_use_the_same_order(client):
    body = client.get("/api/v1/units", {"q": "tran phu"}).json()
    assert body["items"][0]["name"] == "Công an phường Trần Phú"
    page = client.get("/", {"q": "tp bac giang"}).content.decode()
    assert "Công an thành phố Bắc Giang" in page


def test_directory_words_write_out_abbreviations():
    assert selectors.directory_words("tp. bac giang") == ["thanh", "pho", "bac", "giang"]
    assert selectors.directory_words("tx viet yen") == ["thi", "xa", "viet", "yen"]
    assert selectors.directory_words("tt neo") == ["thi", "tran", "neo"]
