"""The words of the analyzer: chat abbreviations, question phrases and stop words, and the
words and places that name no procedure."""

# Chat spellings and abbreviations → words (both sides of the index go through this).
ABBREVIATIONS = {
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "dangky": "dang ky",
    "cccd": "can cuoc cong dan",
    "cc": "can cuoc",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh thu",
    "cmtnd": "chung minh thu nhan dan",
    "gplx": "giay phep lai xe",
    "blx": "bang lai xe",
    "hc": "ho chieu",
    "hk": "ho khau",
    "xnc": "xuat nhap canh",
    "lltp": "ly lich tu phap",
    "pccc": "phong chay chua chay",
    "antt": "an ninh trat tu",
    "cchn": "chung chi hanh nghe",
    "oto": "oto",
    "xm": "xe may",
    "xmay": "xe may",
    "cavet": "ca vet",
    "cavét": "ca vet",
    "cavat": "ca vet",
    "vneid": "vneid",
    "dinhdanh": "dinh danh",
    "k": "khong",
    "ko": "khong",
    "kh": "khong",
    "hok": "khong",
    "khum": "khong",
    "dc": "duoc",
    "đc": "duoc",
    "j": "gi",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "bnh": "bao nhieu",
    "mk": "minh",
    "mn": "moi nguoi",
    "e": "em",
    "a": "anh",
    "vs": "voi",
    "ak": "a",
    "z": "vay",
    "v": "vay",
    "r": "roi",
    "ng": "nguoi",
    "sdt": "so dien thoai",
    "tp": "thanh pho",
    "ct07": "ct07",
    "ct01": "ct01",
    "vk": "vo",
    "ck": "chong",
    "license": "bang lai",
    "licence": "bang lai",
    "passport": "passport ho chieu",
    "visa": "visa thi thuc",
}

# Whole phrases that carry no meaning for finding a procedure (folded).
STOP_PHRASES = [
    "cho em hoi",
    "cho toi hoi",
    "cho minh hoi",
    "cho chau hoi",
    "xin hoi",
    "hoi chut",
    "nhu the nao",
    "the nao",
    "ra sao",
    "lam sao",
    "lam the nao",
    "o dau",
    "cho nao",
    "bao lau",
    "bao nhieu",
    "may ngay",
    "bao gio",
    "khi nao",
    "luc nao",
    "mat bao lau",
    "mat bao nhieu",
    "mat may ngay",
    "mat phi",
    "mat tien",
    "mat thoi gian",
    "het bao nhieu",
    "ton bao nhieu",
    "le phi",
    "chi phi",
    "thu tuc",
    "ho so",
    "giay to",
    "can gi",
    "can nhung",
    "can lam",
    "can phai",
    "can mang",
    "can chuan bi",
    "can co",
    "can nop",
    "can giay",
    "can nhung gi",
    "co duoc",
    "duoc khong",
    "duoc ko",
    "huong dan",
    "quy trinh",
    "trinh tu",
    "moi nguoi",
    "ai biet",
    "giup em",
    "giup voi",
    "o cong an",
    "den cong an",
    "len cong an",
    "ra cong an",
    "cong an xa",
    "cong an phuong",
    "so dien thoai",
]

# Single words with no meaning for the search. Folding makes some of them collide with real
# words ("thẻ"/"thế", "mã"/"ma", "khí"/"khi"), so those are kept; a few are dropped only
# outside the compounds listed in PROTECTED_BIGRAMS ("tôi" but not "tội phạm").
STOP_WORDS = set(
    """a ah ak anh bi biet cac chau chi chu cho chua co cua da de duoc em gi giup ha hay hoi
    khong la lam minh muon nao nay neu nha nhe nhen hen nhi nhu nhung o oi phai ra roi sao se
    tai thoi toi tren tui va vao vay ve voi luon lun ne nua""".split()
)
PROTECTED_BIGRAMS = {("chung", "minh"), ("toi", "pham"), ("hoi", "dong"), ("ve", "sinh")}

# Words of a question that say who asks, where, when and what they want to know — not
# which procedure: kinship ("mẹ em", "ông nội"), age and time ("70 tuổi", "tháng sau"),
# intent ("muốn", "cần mang theo", "mất mấy ngày", "lệ phí", "chỗ nào tốt, rẻ"), place
# ("ở bắc giang", "quận 7").
# They weigh nothing in the coverage (``SearchIndex.search``); ranking is untouched. Folded,
# some collide with content words ("con" and "con dấu", "sang" and "sang tên"): such a word
# counts again when the procedure has it in a pair with its neighbour.
NON_CONTENT_WORDS = set(
    """ba bo me ong cau mo thim bac co di duong chu vo chong con chau be nho ban nguoi nha
    noi ngoai trai gai anh chi em minh tui toi quen
    tuoi nam thang tuan ngay hom qua nay mai truoc sau gio luc sap vua moi lan
    sang trua dem ket cuoi dau
    muon can xin mang theo chuan nop kieu the nao sao bao lau nhieu may buoi het tien
    phi dong phai bat buoc duoc khong ko dc vay oi da chao gium giup nhe thi luon cai
    online truc tuyen mang nhanh lien lac hien tai o den len xuong ra vao tu cho
    ai biet hoi thu tuc giay to ho so gi nhu tot re nhat uy tin
    quan huyen xa phuong thi tran tinh thanh pho thon xom ap khu que dia phuong""".split()
)
# Places named as two words ("bắc giang", "cầu giấy", "nha trang"): both left out alike.
PLACE_PHRASES = {
    tuple(p.split())
    for p in """ha noi|hai phong|da nang|ho chi minh|sai gon|can tho|bac giang|bac ninh|
    thanh hoa|nghe an|ha tinh|quang ninh|thai binh|nam dinh|ninh binh|hai duong|hung yen|
    vinh phuc|phu tho|thai nguyen|lang son|cao bang|ha giang|lao cai|yen bai|tuyen quang|
    son la|dien bien|lai chau|hoa binh|quang binh|quang tri|thua thien|quang nam|quang ngai|
    binh dinh|phu yen|khanh hoa|nha trang|ninh thuan|binh thuan|kon tum|gia lai|dak lak|
    dak nong|lam dong|da lat|binh phuoc|tay ninh|binh duong|dong nai|vung tau|long an|
    tien giang|ben tre|tra vinh|vinh long|dong thap|an giang|kien giang|hau giang|soc trang|
    bac lieu|ca mau|hoi an|thu duc|cau giay|dong da|hoan kiem|ha dong|long bien|gia lam|
    hoang mai|ba dinh|tay ho|thanh xuan|hai ba trung|go vap|binh thanh|tan binh|phu quoc|
    tan son nhat|noi bai|han quoc|trung quoc|nhat ban|dai loan|my tho""".replace("\n", " ").split(
        "|"
    )
}
PLACE_WORDS = {"hue", "vinh", "hcm", "tphcm", "hanoi", "saigon"}
