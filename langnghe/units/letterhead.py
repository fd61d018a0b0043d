"""What a unit writes at the head and foot of an administrative document it issues (Nghị định
30/2020/NĐ-CP về công tác văn thư, Phụ lục I "Thể thức, kỹ thuật trình bày văn bản hành chính"):

- "Tên cơ quan, tổ chức ban hành văn bản": the name of the direct superior body (cơ
  quan chủ quản trực tiếp) in capitals above the issuing unit's own name in bold capitals — so a
  ward police of the 2021 network, under a city police, writes "CÔNG AN THÀNH PHỐ BẮC GIANG",
  and one of today's two-level network writes its province's police; the provincial police
  writes "BỘ CÔNG AN";
- "Số, ký hiệu của văn bản": "Số: 05/BC-CAP", BC for a report (báo cáo) then the
  abbreviation of the issuing body;
- "Địa danh và thời gian ban hành văn bản": the official name of the administrative unit where the body sits — the
  commune for a commune police, the district for a district police, the province otherwise; a
  unit named by a number keeps its kind ("Phường 15");
- "Quyền hạn, chức vụ của người ký" and "Nơi nhận".

The figures that are not in the decree (abbreviations of police bodies) follow the usage of the
police's own documents: CAT, CATP, CAH, CAQ, CATX, CAX, CAP, CATT, CAĐK; a provincial department
adds its code to the province's (CAT-PC08).
"""

from dataclasses import dataclass

from .models import Unit

# (name prefix after "Công an", abbreviation, signer's title) — longest prefixes first.
POLICE_KINDS = [
    ("thành phố", "CATP", "TRƯỞNG CÔNG AN"),
    ("thị trấn", "CATT", "TRƯỞNG CÔNG AN"),
    ("thị xã", "CATX", "TRƯỞNG CÔNG AN"),
    ("đặc khu", "CAĐK", "TRƯỞNG CÔNG AN"),
    ("phường", "CAP", "TRƯỞNG CÔNG AN"),
    ("huyện", "CAH", "TRƯỞNG CÔNG AN"),
    ("quận", "CAQ", "TRƯỞNG CÔNG AN"),
    ("tỉnh", "CAT", "GIÁM ĐỐC"),
    ("xã", "CAX", "TRƯỞNG CÔNG AN"),
]
DIVISION_KINDS = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)
MINISTRY = "BỘ CÔNG AN"


@dataclass(frozen=True)
class Letterhead:
    superior: str  # "CÔNG AN TỈNH BẮC GIANG" (capitals)
    issuer: str  # "CÔNG AN PHƯỜNG THỌ XƯƠNG" (capitals, bold on paper)
    abbreviation: str  # "CAP"
    place: str  # "Thọ Xương"
    signer_title: str  # "TRƯỞNG CÔNG AN"
    recipients: tuple[str, ...]  # the "Nơi nhận" lines, without the dash

    def number(self, sequence: int | None, kind: str = "BC") -> str:
        """ "Số: 05/BC-CAP" (a number below 10 takes a leading zero); without a
        number, the blank the records office (văn thư) fills in when the report is issued."""
        text = f"{sequence:02d}" if sequence else "\u00a0" * 6
        return f"Số: {text}/{kind}-{self.abbreviation}"


def _police_kind(name: str) -> tuple[str, str] | None:
    lowered = name.lower()
    if not lowered.startswith("công an "):
        return None
    rest = lowered.removeprefix("công an ").strip()
    for prefix, abbreviation, title in POLICE_KINDS:
        if rest.startswith(prefix + " "):
            return abbreviation, title
    return None


def _place_name(division_name: str) -> str:
    """ "Phường Thọ Xương" → "Thọ Xương"; "Tỉnh Bắc Giang" → "Bắc Giang"; "Phường 15" stays."""
    name = division_name.strip()
    for kind in DIVISION_KINDS:
        if name.lower().startswith(kind + " "):
            rest = name[len(kind) :].strip()
            return name if rest.isdigit() else rest
    return name


def _province(unit: Unit) -> Unit:
    ids = unit.ancestor_ids
    if not ids:
        return unit
    return Unit.objects.filter(pk=ids[0]).first() or unit


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()


def _abbreviation_and_title(unit: Unit) -> tuple[str, str]:
    kind = _police_kind(unit.name)
    if kind:
        return kind
    kind_code = unit.kind.code if unit.kind_id else ""
    parent_kind = _police_kind(unit.parent.name) if unit.parent_id else None
    if kind_code == "department":
        code = unit.short_name or unit.code.rsplit("-", 1)[-1]
        prefix = parent_kind[0] if parent_kind else "CAT"
        return f"{prefix}-{code}", "TRƯỞNG PHÒNG"
    if unit.name.lower().startswith("đồn"):
        return "ĐCA", "TRƯỞNG ĐỒN"
    return _initials(unit.name), "THỦ TRƯỞNG ĐƠN VỊ"


def letterhead_for(unit: Unit) -> Letterhead:
    """The heading and signing block of a document ``unit`` issues (a few queries at most)."""
    parent = unit.parent if unit.parent_id else None
    abbreviation, title = _abbreviation_and_title(unit)
    kind_code = unit.kind.code if unit.kind_id else ""
    if kind_code in ("commune", "district") and unit.division_name:
        place = _place_name(unit.division_name)
    else:
        province = _province(unit)
        place = _place_name(province.division_name or province.name.removeprefix("Công an "))
    recipients = (
        (f"{parent.name} (để báo cáo);",) if parent else ("Lãnh đạo Bộ Công an (để báo cáo);",)
    ) + ("Lưu: VT.",)
    return Letterhead(
        superior=(parent.name if parent else MINISTRY).upper(),
        issuer=unit.name.upper(),
        abbreviation=abbreviation,
        place=place,
        signer_title=title,
        recipients=recipients,
    )
