"""The hardest messages: emergencies written every way people write them, and their
look-alikes that are NOT emergencies (the past, questions, idioms)."""

import pytest

from langnghe.triage.selectors import triage_text

URGENT = [
    # (text, hotline)
    ("Cháy nhà ở ngõ 5 rồi, cứu với!!!", "114"),
    ("chay nha o ngo 5 roi cuu voi", "114"),
    ("nha ben canh dang boc chay, khoi den mu mit", "114"),
    ("Có người đuối nước ở ao làng", "114"),
    ("co nguoi duoi nuoc o ao lang", "114"),
    ("thang be roi xuong song roi, nhanh len", "114"),
    ("Có thằng cầm dao chém người ở chợ", "113"),
    ("co thang cam dao chem nguoi o cho", "113"),
    ("2 nhom dang danh nhau co ma tau", "113"),
    ("con em bị bắt cóc, nó gọi đòi tiền chuộc", "113"),
    ("con em bi bat coc", "113"),
    ("có cướp, nó đang chạy về phía cầu", "113"),
    ("CO TROM DANG TRONG NHA E", "113"),
    ("bo e bi ngat, ko tho dc", "115"),
    ("Bố tôi đột quỵ, méo miệng, không nói được", "115"),
    ("tai nạn giao thông ở ngã tư, có người nằm bất động", "115"),
    ("tngt o nga tu co nguoi chay mau nhieu", "115"),
    ("cứuuuu vớiii", None),
    ("ck say rượu đang đánh vk, cầm dao dọa giết", "113"),
]

NOT_URGENT = [
    "hôm qua nhà tôi bị trộm mất xe máy, muốn trình báo",
    "hom qua nha toi bi trom mat xe may",
    "nếu nhà bị cháy thì gọi số nào ạ",
    "neu nha bi chay thi goi so nao",
    "tuần trước có vụ đánh nhau ở quán nhậu, giờ đã giải tán",
    "cho em hỏi làm căn cước cho con mất bao lâu",
    "chạy xe máy có cần mang bằng lái không",
    "shop xả kho cháy hàng đồng giá 99k",
    "cảm ơn các anh",
]


@pytest.mark.parametrize(("text", "hotline"), URGENT)
def test_emergencies_are_urgent_with_the_right_hotline(text, hotline):
    result = triage_text(text)
    assert result.urgent, text
    assert result.category in ("crime_report", "public_order")
    if hotline:
        assert result.hotline == hotline, text
    else:
        assert result.hotline in ("113", "114", "115")


@pytest.mark.parametrize("text", NOT_URGENT)
def test_past_events_questions_and_idioms_are_not_urgent(text):
    result = triage_text(text)
    assert not result.urgent, text
    assert result.hotline is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("cho e hoi lam cccd can giay to j", "procedure_question"),
        ("Thủ tục đăng ký tạm trú online thế nào ạ", "procedure_question"),
        ("can bo mot cua thai do hach dich, cho ca buoi", "service_feedback"),
        ("Quán karaoke hát đến 2 giờ sáng, đêm nào cũng vậy", "public_order"),
        ("toi bi lua chuyen khoan 20tr qua zalo", "crime_report"),
        ("vay tiền nhanh lãi suất 0%, inbox ngay", "other"),
        ("alo", "other"),
    ],
)
def test_categories_of_ordinary_messages(text, category):
    assert triage_text(text).category == category


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "🔥🔥🔥",
        "Hello, is anyone there?",
        "你好，我的钱包被偷了",
        "\u0000\ufeff",
        "x" * 20000,
        "cháy " * 3000,
        "ñ" * 10,
        "١٢٣",
    ],
)
def test_any_input_gets_a_category(text):
    result = triage_text(text)
    assert result.category in (
        "crime_report",
        "public_order",
        "procedure_question",
        "service_feedback",
        "other",
    )
    assert 0.0 <= result.confidence <= 1.0


@pytest.mark.parametrize("phrase", ["cap bao", "bao gap", "help", "nguy hiem lam"])
def test_help_rule_has_no_phrase_fitted_to_heldout_text(phrase):
    from langnghe.triage import rules

    assert rules.match(f"toi {phrase} nhe") is None


@pytest.mark.parametrize("phrase", ["hom ram", "cach day", "nam vien", "da tu", "vua roi"])
def test_past_signals_have_no_phrase_fitted_to_heldout_text(phrase):
    from langnghe.triage import rules

    assert rules.tense(f"toi {phrase} lam") == (False, False)


@pytest.mark.parametrize(
    "text",
    ["buồn ngủ muốn chết luôn á", "mệt chết mất thôi", "cuoi chet voi thang ban toi"],
)
def test_idioms_with_chet_are_not_urgent(text):
    assert not triage_text(text).urgent, text
