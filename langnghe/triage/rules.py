"""Explicit urgency rules: where missing an emergency costs a life, recall beats precision.

The statistical model decides the category; these rules can only ADD urgency (never remove
it). A phrase that names a danger ("cháy", "đuối nước", "cầm dao", "bắt cóc", "ngất") makes the
message urgent unless the message is plainly about the past or is a question about
how things work ("hôm qua nhà tôi bị cháy", "cháy nhà thì gọi số nào") — and even then a
present-tense marker ("đang", "cứu", "ngay", "nhanh lên") makes it urgent again.

Hotlines (vn-domain.md; Quyết định 1383/QĐ-BTTTT): 113 police, 114 fire and rescue (also
drowning, people trapped, collapses), 115 medical emergency.

Patterns are regular expressions over the folded text (no diacritics). Where folding makes a
word ambiguous ("chay" is cháy / chạy / chảy), an ``accented`` pattern is used instead when the
writer typed accents, and the folded pattern asks for fire context.
"""

import re
from dataclasses import dataclass

POLICE, FIRE, MEDICAL = "113", "114", "115"


@dataclass(frozen=True)
class Rule:
    hotline: str
    folded: str
    accented: str | None = None

    def compiled(self):
        return re.compile(rf"(?<!\w)(?:{self.folded})(?!\w)"), (
            re.compile(rf"(?<!\w)(?:{self.accented})(?!\w)") if self.accented else None
        )


# Order matters only for the hotline: the first matching rule names it.
RULES: tuple[Rule, ...] = (
    # fire and rescue — 114
    Rule(
        FIRE,
        r"chay (nha|lon|to|du doi|rung|kho|xuong|cho|quan|phong|tro|chung cu|xe|"
        r"ro|ngut troi|bung|lan)|(bi|boc|dam) chay|(nha|kho|xuong|quan|phong|cho|rung|lua|tro|"
        r"bep) (dang |bi )?chay(?! hang| tui)|chay (roi|het|sach)|"
        r"lua (chay|boc|lan|bung|ngun|chay)|khoi (den|bay|mu|nghi ngut|boc|ket)|mui khet|boc khoi|"
        r"hoa hoan|phat hoa|ngon lua|no (binh gas|binh ga|gas|ga|lon|tung|bom|mo)|"
        r"chap dien|ro ri (gas|khi ga|ga)|mui gas|xi gas",
        accented=r"cháy(?! hàng| túi)|hỏa hoạn|hoả hoạn|bốc khói|khói (đen|bốc|mù|nghi ngút|bay|khét)|"
        r"mùi khét|ngọn lửa|lửa|phát hỏa|phát hoả|"
        r"nổ bình|nổ (gas|ga)|chập điện|rò rỉ (gas|khí ga|ga)|mùi gas",
    ),
    Rule(
        FIRE,
        r"duoi nuoc|chet duoi|bi duoi|roi xuong (song|ao|ho|gieng|kenh|muong|nuoc|"
        r"cong|vuc|dap|suoi|bien)|(nga|truot chan|truot) xuong (song|ao|ho|gieng|nuoc|dap|"
        r"kenh|muong|suoi|bien|vuc)|nuoc cuon|chim (xuong|tau|thuyen|ghe)|"
        r"lat (thuyen|ghe|tau)|nuoc (cuon|lu|ngap)|lu cuon|cuon troi|troi song|"
        r"mac ket|ket trong|bi ket|ket thang may|sap (nha|cau|tuong|cong trinh|tran|"
        r"gian giao|ham|lo)|vui lap|sat lo|dat lo|nhay cau|nhay song|dinh nhay|"
        r"tu tu|treo co|tren noc|leo len (cau|noc)|cuu ho|cuu nan|day dien (dut|roi)|"
        r"(tam|boi|choi) (song|ao|ho|suoi|bien|dap|kenh|muong)\w* .*(chua (ve|thay|len)|mat tich|"
        r"khong thay)",
    ),
    # police — 113
    Rule(
        POLICE,
        r"bat coc|bat mat|bat di|cuop|trom|an trom|dot nhap|pha khoa|be khoa|cay cua|"
        r"danh nhau|danh ghen|hon chien|an chan|xo xat|dam nhau|chem nhau|"
        r"chem|dam (chet|nguoi|bi thuong)|bi dam|dam vao bung|cam (dao|kiem|ma tau|"
        r"hung khi|gay|tuyp|sung|bua|lieng|kiem|riu|xa beng|vo chai|gach)|"
        r"(co|mang|dung|rut|vung) (dao|kiem|ma tau|hung khi|sung|tuyp|rua|lieng)|"
        r"hung khi|ma tau|no sung|ban sung|sung|luu dan|giet|doa giet|de doa|"
        r"hanh hung|danh dap|danh (nguoi|toi|em|vo|con|chau|me|bo|ba|chi|anh)|"
        r"bi danh|dang danh|danh chet|dap pha|dap do|pha (nha|cua)|nem (da|gach)|"
        r"khong che|giu nguoi|nhot|bao luc|xam hai|hiep dam|sam so|quay roi|"
        r"dang theo doi|bam theo|doi no thue|khung bo|dot nha|tat axit|a xit|axit|"
        r"dua xe|lang lach|mat tich|bo nha di",
    ),
    # medical — 115
    Rule(
        MEDICAL,
        r"cap cuu|ngat|xiu|bat tinh|ngung tho|kho tho|khong tho|tim ngung|ngung tim|"
        r"dot quy|dot tu|co giat|sui bot mep|ngo doc|trung doc|uong thuoc sau|"
        r"uong thuoc tu tu|(chay|mat|ra) mau|bi thuong|tai nan|dam xe|dam vao|"
        r"va cham|tong xe|xe dam|bi xe|nga (xe|cau thang|tu)|gay (chan|tay|co)|"
        r"ran can|cho can|dien giat|giat dien|bong nang|sinh non|vo oi|tro dau|"
        r"hon me|tu vong|nguy kich|thoi thop|dau nguc|ho hap|say ruou nam",
        accented=r"cấp cứu|ngất|xỉu|bất tỉnh|ngừng thở|khó thở|không thở|ngừng tim|"
        r"đột quỵ|đột tử|co giật|sùi bọt mép|ngộ độc|trúng độc|uống thuốc sâu|"
        r"chảy máu|mất máu|ra máu|bị thương|tai nạn|đâm xe|đâm vào|va chạm|"
        r"tông xe|xe đâm|ngã (xe|cầu thang|từ)|gãy (chân|tay|cổ)|rắn cắn|chó cắn|"
        r"điện giật|giật điện|bỏng nặng|sinh non|vỡ ối|hôn mê|tử vong|"
        r"nguy kịch|thoi thóp|đau ngực|say rượu nằm",
    ),
)

# Bare "chết" was removed from the medical rule (#26 part 3): Vietnamese says "đói muốn chết",
# "nóng chết mất", "cười chết" every day; a death is named with its cause ("đánh chết", "chết
# đuối") or left to the model.

# A call for help with no danger named: urgent, the hotline is left to the model.
# Audit (#26 part 3): every phrase kept here is a plain cry for help in any message ("cứu
# với", "kêu cứu", "SOS", "khẩn cấp") or an order to come now ("đến ngay", "nhanh lên").
# Removed because they were written to match held-out messages, not from how people write:
# "cấp báo", "báo gấp", "help", "nguy hiểm lắm" (and, below, "hôm rằm", "cách đây",
# "vừa rồi", "nằm viện", "đã từ"). Danger named in other words is the model's to read.
HELP = Rule(
    "",
    r"cuu (voi|toi|em|con|chau|me|bo|nguoi|chung toi|gap|nhanh|minh)|giup (voi|toi "
    r"voi|em voi)|keu cuu|sos|khan cap|"
    r"nhanh len|den ngay|toi ngay|xuong ngay",
)

# Signals that the danger is happening now, or a call for help.
PRESENT = re.compile(
    r"(?<!\w)(dang|ngay bay gio|bay gio|luc nay|hien (gio|tai)|ngay luc nay|vua (moi|xong|"
    r"bi|xay)|cuu|giup|nhanh|gap|khan cap|ngay lap tuc|toi ngay|xuong ngay|den ngay|lien|"
    r"sos|ai do|lam on|dang o|o day|tai day|van con|con dang|chua dung|sap|tro tay)(?!\w)"
    r"|!{2,}"
)
# Signals of a past event or a hypothetical / procedural question.
PAST_OR_QUESTION = re.compile(
    r"(?<!\w)(hom qua|hom kia|hom truoc|dem qua|toi qua|sang qua|chieu qua|tuan (truoc|roi)|"
    r"thang (truoc|roi)|nam (ngoai|truoc|roi)|(\d+|mot|hai|ba|may) (ngay|tuan|thang|nam) "
    r"(truoc|roi|nay)|hoi truoc|luc truoc|truoc day|da lau|lan truoc|da (duoc|xu ly|dap tat|"
    r"xong)|nghe noi|nghe bao|doc bao|tren bao|tin tuc|neu|gia su|lo nhu|khi (nao|co|bi|gap)|"
    r"thi (goi|bao|lam|phai)|goi so (nao|may|gi)|so nao|so may|o dau|the nao|nhu the nao|"
    r"ra sao|lam sao|cach (nao|phong|xu ly|so cuu)|thu tuc|ho so|muon hoi|cho (em|toi|minh|"
    r"chau) hoi|xin hoi|hoi (ve|xem)|tuyen truyen|huong dan|phong chong|phong ngua|"
    r"tap huan|dien tap|ket qua|tien do|den dau|co bi phat|bi phat|xu phat|giay to|"
    r"bao hiem|boi thuong|kien|khieu nai|phan anh|thai do|can bo|"
    r"hoi dau|dau (thang|tuan|nam)|xac minh|muon (bao|trinh bao|to giac|to cao)|"
    r"xin to giac|da den|cam on|lam gi|phai lam|giam dinh|de gay|gay tai nan|"
    r"nguy co|de bi|co the|da xong|xong roi|thoa thuan|da giai quyet|hay (co|bi)|"
    r"thuong xuyen|dem nao|toi nao|ngay nao|lan nao)(?!\w)"
)


_COMPILED = [(rule.hotline, *rule.compiled()) for rule in (*RULES, HELP)]


def tense(folded_text: str) -> tuple[bool, bool]:
    """(present, past_or_question) signals of a folded message."""
    return bool(PRESENT.search(folded_text)), bool(PAST_OR_QUESTION.search(folded_text))


@dataclass(frozen=True)
class RuleMatch:
    hotline: str
    phrase: str
    present: bool
    past_or_question: bool

    @property
    def urgent(self) -> bool:
        return self.present or not self.past_or_question


def match(folded_text: str, accented_text: str | None = None) -> RuleMatch | None:
    """The first danger phrase in a message, with its tense signals; None when no rule fires.
    A bare call for help ("cứu với", "khẩn cấp") matches with an empty hotline.

    ``accented_text`` (lower-case NFC) is passed when the writer typed diacritics: ambiguous
    words are then read with their accents.
    """
    for hotline, folded_pattern, accented_pattern in _COMPILED:
        if accented_text is not None and accented_pattern is not None:
            found = accented_pattern.search(accented_text)
        else:
            found = folded_pattern.search(folded_text)
        if found:
            present, past_or_question = tense(folded_text)
            return RuleMatch(
                hotline=hotline,
                phrase=found.group(0),
                present=present,
                past_or_question=past_or_question,
            )
    return None
