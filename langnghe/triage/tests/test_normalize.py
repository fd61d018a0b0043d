import unicodedata

import pytest

from langnghe.triage.normalize import MAX_CHARS, clip, folded, has_diacritics, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ko dc", "không được"),
        ("k bít j", "không biết gì"),
        ("khong duoc", "không được"),
        ("đc ko", "được không"),
        ("cs giao thong", "cảnh sát giao thong"),
        ("csgt bắt xe", "cảnh sát giao thông bắt xe"),
        ("ns vs ah", "nói với à"),
        ("mất bn tiền", "mất bao nhiêu tiền"),
        ("bn ơi", "bạn ơi"),
        ("đk xe máy", "đăng ký xe máy"),
        ("ko đk", "không được"),
        ("cccd", "căn cước công dân"),
        ("cứuuuuu", "cứu"),
    ],
)
def test_teencode_and_abbreviations(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("báo ca đi", "báo công an đi"),
        ("ca phường ơi", "công an phường ơi"),
        ("Gọi CA", "gọi công an"),
        ("làm ca đêm", "làm ca đêm"),  # a shift, not the police
        ("mua con cá", "mua con cá"),
    ],
)
def test_ca_is_police_only_in_context(raw, expected):
    assert normalize(raw) == expected


def test_nfc_and_decomposed_input_read_the_same():
    composed = "Cháy nhà ở phường Thọ Xương"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert normalize(decomposed) == normalize(composed)
    assert folded(decomposed) == "chay nha o phuong tho xuong"


def test_folded_is_diacritics_insensitive():
    assert folded("Có người đuối nước") == folded("co nguoi duoi nuoc")
    assert has_diacritics("cháy") and not has_diacritics("chay nha")


def test_links_phones_and_invisible_characters():
    text = normalize("gọi 0912 345 678 hoặc vào https://lua-dao.xyz/nhan-qua\u200b ngay")
    assert "số_điện_thoại" in text and "đường_link" in text
    assert "0912" not in text and "\u200b" not in text


def test_long_text_is_clipped_not_rejected():
    assert len(clip("a" * (MAX_CHARS + 100))) == MAX_CHARS
    assert normalize("") == "" and folded(None) == ""
