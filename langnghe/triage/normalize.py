"""Text normalisation for triage: what citizens type → what the classifier and the rules read.

Citizens write on phones, often without diacritics, with abbreviations and "teencode"
("ko dc", "cs", "j", "bn"). ``normalize`` returns lower-case NFC text with the common
abbreviations spelt out (accents kept when the writer used them); ``folded`` is the same text
through ``langnghe.core.text.fold`` (no diacritics, đ → d), which is what most features and
rules read, so "cháy nhà", "chay nha" and "chay nha" from a phone without a Vietnamese keyboard
all look alike.
"""

import re
import unicodedata

from langnghe.core.text import fold

# Messages longer than this are classified on their first part (the opening usually says what
# happened; the rest is detail). No error is raised.
MAX_CHARS = 5000

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_URL = re.compile(r"(https?://\S+|www\.\S+|\b\S+\.(?:com|vn|net|xyz|info|top|link)\S*)", re.I)
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_REPEATS = re.compile(r"(\w)\1{2,}", re.UNICODE)  # "cứuuuu" → "cứu", "khôngggg" → "không"
_SPACES = re.compile(r"\s+")

# One token → its spelt-out form. Only tokens whose meaning is (nearly) unambiguous in a
# message to the police; the ambiguous ones are resolved by context in ``_expand`` below.
ABBREVIATIONS: dict[str, str] = {
    # negation
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "kg": "không",
    "hok": "không",
    "hong": "không",
    "hông": "không",
    "hem": "không",
    "hăm": "không",
    "kô": "không",
    "khong": "không",
    "hk": "không",
    "kp": "không phải",
    "kbh": "không bao giờ",
    # common words
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "duoc": "được",
    "j": "gì",
    "gi": "gì",
    "ji": "gì",
    "ns": "nói",
    "bn": "bao nhiêu",
    "bnh": "bao nhiêu",
    "vs": "với",
    "voi": "với",
    "ah": "à",
    "ak": "à",
    "a`": "à",
    "uk": "ừ",
    "uh": "ừ",
    "r": "rồi",
    "rùi": "rồi",
    "roài": "rồi",
    "oy": "rồi",
    "ms": "mới",
    "mik": "mình",
    "mk": "mình",
    "mjk": "mình",
    "mn": "mọi người",
    "mng": "mọi người",
    "ng": "người",
    "ngta": "người ta",
    "lm": "làm",
    "trc": "trước",
    "cx": "cũng",
    "cug": "cũng",
    "bh": "bao giờ",
    "bjo": "bây giờ",
    "bi h": "bây giờ",
    "h": "giờ",
    "ntn": "như thế nào",
    "sao v": "sao vậy",
    "v": "vậy",
    "z": "vậy",
    "bít": "biết",
    "bik": "biết",
    "bjk": "biết",
    "wá": "quá",
    "wa": "quá",
    "dag": "đang",
    "đag": "đang",
    "dg": "đang",
    "đg": "đang",
    "e": "em",
    "a": "anh",
    "c": "chị",
    "cj": "chị",
    "ck": "chồng",
    "vk": "vợ",
    "thik": "thích",
    "iu": "yêu",
    "ad": "admin",
    "tks": "cảm ơn",
    "thks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "thx": "cảm ơn",
    "camon": "cảm ơn",
    "ok": "ok",
    "oke": "ok",
    "okie": "ok",
    "okela": "ok",
    "dạ": "dạ",
    "vg": "vâng",
    "nhé": "nhé",
    "nha": "nha",
    "plz": "làm ơn",
    "pls": "làm ơn",
    "gấpp": "gấp",
    "đt": "điện thoại",
    "dt": "điện thoại",
    "sđt": "số điện thoại",
    "sdt": "số điện thoại",
    "nt": "nhắn tin",
    "ib": "nhắn tin",
    "inbox": "nhắn tin",
    "fb": "facebook",
    "stk": "số tài khoản",
    "tkhoan": "tài khoản",
    "nh": "ngân hàng",
    # police and administration
    "cs": "cảnh sát",
    "csgt": "cảnh sát giao thông",
    "cstt": "cảnh sát trật tự",
    "cskv": "cảnh sát khu vực",
    "cand": "công an nhân dân",
    "pccc": "phòng cháy chữa cháy",
    "cnch": "cứu nạn cứu hộ",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "cmt": "chứng minh thư",
    "gplx": "giấy phép lái xe",
    "blx": "bằng lái xe",
    "tngt": "tai nạn giao thông",
    "ubnd": "ủy ban nhân dân",
    "ub": "ủy ban",
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "hc": "hộ chiếu",
    "lltp": "lý lịch tư pháp",
    "ttgt": "trật tự giao thông",
    "attt": "an toàn trật tự",
    "antt": "an ninh trật tự",
    "tp": "thành phố",
    "tx": "thị xã",
    "tt": "thị trấn",
    "qđ": "quyết định",
    "gđ": "gia đình",
    "gd": "gia đình",
    "bv": "bệnh viện",
}

# "ca" is "công an" in "báo ca", "ca phường", "gọi CA" — and "ca" (shift), "cá" elsewhere.
_CA_BEFORE = {
    "phường",
    "phuong",
    "xã",
    "xa",
    "huyện",
    "huyen",
    "tỉnh",
    "tinh",
    "quận",
    "quan",
    "thành",
    "thanh",
    "thị",
    "thi",
    "tp",
    "khu",
    "vực",
    "ơi",
    "oi",
    "đến",
    "den",
    "tới",
    "toi",
    "về",
    "ve",
    "nhanh",
    "gấp",
    "gap",
    "giúp",
    "giup",
    "bắt",
    "bat",
    "xuống",
    "xuong",
    "lên",
    "len",
    "có",
    "co",
    "ko",
    "k",
    "không",
    "khong",
    "thì",
    "nào",
    "nao",
    "đâu",
    "dau",
}
_CA_AFTER = {
    "báo",
    "bao",
    "gọi",
    "goi",
    "nhờ",
    "nho",
    "các",
    "cac",
    "bên",
    "ben",
    "cho",
    "trụ",
    "tru",
    "sở",
    "so",
    "đồn",
    "don",
    "anh",
    "chú",
    "chu",
    "lên",
    "len",
    "đến",
    "den",
    "tới",
    "toi",
    "chỗ",
    "với",
    "voi",
    "vs",
    "tìm",
    "tim",
    "trình",
    "trinh",
}
# "đk"/"dk": "được" in "ko đk", but "đăng ký" in "đk xe", "đk tạm trú".
_DK_REGISTER = {
    "xe",
    "tạm",
    "tam",
    "thường",
    "thuong",
    "cư",
    "cu",
    "kết",
    "ket",
    "khai",
    "lại",
    "lai",
    "biển",
    "bien",
    "hộ",
    "ho",
    "khẩu",
    "khau",
    "mới",
    "moi",
    "sang",
}
# "bn": "bạn" in "bn ơi", "các bn".
_BN_FRIEND = {"ơi", "oi", "mình", "minh", "ạ", "a", "nhé", "nhe"}
# "tk": "tài khoản" near banking words, "cảm ơn" ("tks", "ok tk") elsewhere.
_TK_ACCOUNT = {
    "ngân",
    "ngan",
    "nh",
    "bank",
    "zalo",
    "facebook",
    "fb",
    "của",
    "cua",
    "số",
    "so",
    "vcb",
    "mb",
    "agribank",
    "momo",
    "ví",
    "vi",
}


def _expand(tokens: list[str], original: list[str]) -> list[str]:
    out: list[str] = []
    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "ca":
            if original[i] == "CA" or nxt in _CA_BEFORE or prev in _CA_AFTER:
                out.append("công an")
            else:
                out.append(token)
        elif token in ("đk", "dk", "đkí", "dki", "đki"):
            out.append(
                "đăng ký" if nxt in _DK_REGISTER or token != "dk" and token != "đk" else "được"
            )
        elif token == "bn":
            out.append("bạn" if nxt in _BN_FRIEND or prev in ("các", "cac") else "bao nhiêu")
        elif token == "tk":
            out.append("tài khoản" if nxt in _TK_ACCOUNT or prev in ("số", "so") else "cảm ơn")
        elif token in ("a", "e", "c", "h", "v", "z", "k", "r") and not (
            prev.isalpha() or nxt.isalpha()
        ):
            # A lone letter with no word around it is more likely a typo or a list marker.
            out.append(token)
        elif token == "h" and prev.isdigit():
            out.append("giờ")
        else:
            out.append(ABBREVIATIONS.get(token, token))
    return out


def _squeeze(token: str) -> str:
    """ "cứuuuu" → "cứu", but "cccd" stays and laughter ("kkkk", "hhhh") is not a word."""
    if token in ABBREVIATIONS:
        return token
    squeezed = _REPEATS.sub(r"\1", token)
    return token if len(squeezed) == 1 and len(token) > 1 else squeezed


def clip(text: str) -> str:
    """The part of a message that is classified (the first MAX_CHARS characters)."""
    return (text or "")[:MAX_CHARS]


def normalize(text: str) -> str:
    """NFC, lower case, URLs and phone numbers replaced by placeholders, abbreviations spelt
    out. "Alo CA phường ơi, có ng đag đánh nhau ko!!!" → "alo công an phường ơi , có người
    đang đánh nhau không ! ! !"."""
    text = unicodedata.normalize("NFC", clip(text))
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(" đường_link ", text)
    text = _PHONE.sub(" số_điện_thoại ", text)
    original = _TOKEN.findall(text)
    lowered = [_squeeze(t.lower()) for t in original]
    return _SPACES.sub(" ", " ".join(_expand(lowered, original))).strip()


def folded(text: str) -> str:
    """``normalize`` without diacritics: the form rules and most features read."""
    return fold(normalize(text))


def has_diacritics(text: str) -> bool:
    """Whether the writer typed Vietnamese accents (then "cháy" and "chạy" can be told apart)."""
    sample = unicodedata.normalize("NFC", clip(text)).lower()
    return fold(sample) != _SPACES.sub(" ", sample).strip()
