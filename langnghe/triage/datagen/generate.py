"""Templates × vocabularies → labelled messages, typed as people type (teencode, no accents,
case, tails)."""

import json
import random
import re
from pathlib import Path

from langnghe.core.text import fold

from .slots import HELD_SLOTS, TRAIN_SLOTS
from .templates import HELD_TEMPLATES, TRAIN_TEMPLATES

DATA = Path(__file__).parent.parent / "data"

# --- style: how people type -------------------------------------------------------------------

TEENCODE = [
    ("không", ["ko", "k", "hok", "kh", "khong"]),
    ("được", ["dc", "đc", "dk"]),
    ("gì", ["j", "gi"]),
    ("với", ["vs", "voi"]),
    ("bao nhiêu", ["bn", "bnh"]),
    ("công an", ["CA", "ca", "cong an"]),
    ("cảnh sát", ["cs"]),
    ("biết", ["bít", "bik"]),
    ("rồi", ["r", "roi"]),
    ("mọi người", ["mn", "mng"]),
    ("người", ["ng", "nguoi"]),
    ("đang", ["dag", "đag", "dang"]),
    ("trước", ["trc"]),
    ("như thế nào", ["ntn"]),
    ("làm", ["lm"]),
    ("cũng", ["cx"]),
    ("số điện thoại", ["sđt", "sdt"]),
    ("căn cước công dân", ["cccd", "CCCD"]),
    ("giấy phép lái xe", ["gplx", "GPLX"]),
    ("quá", ["wá", "qua"]),
    ("em ", ["e "]),
    ("anh ", ["a "]),
    ("đăng ký", ["đk", "dki"]),
    ("nói", ["ns"]),
    ("à", ["ah"]),
    ("bây giờ", ["bjo", "bh"]),
    ("tai nạn giao thông", ["tngt"]),
    ("ủy ban nhân dân", ["ubnd"]),
]
URGENT_TAILS = [
    "",
    "",
    "!!!",
    " nhanh lên",
    " cứu với",
    " gấp gấp",
    " ở đây nguy hiểm lắm",
    " các anh ơi",
    " 🆘",
    "!!",
]
CALM_TAILS = ["", "", "", " ạ", " với ạ", " nhé", "?", " a", " cảm ơn", " ạ.", "."]


def stylise(text: str, rng: random.Random, urgent: bool) -> str:
    text = text.strip()
    tails = URGENT_TAILS if urgent else CALM_TAILS
    text = (text + rng.choice(tails)).strip()
    if rng.random() < 0.35:
        for word, replacements in TEENCODE:
            if rng.random() < 0.6:
                pattern = rf"(?<!\w){word.strip()}(?!\w)"
                text = re.sub(pattern, lambda _m, r=replacements: rng.choice(r).strip(), text)
    roll = rng.random()
    if roll < 0.4:
        text = fold(text)  # no Vietnamese keyboard
    elif roll < 0.6:
        text = text.lower()
    elif roll < 0.65:
        text = text.upper()
    if rng.random() < 0.3:
        text = re.sub(r"[,.]", "", text)
    if rng.random() < 0.5 and text:
        text = text[0].upper() + text[1:]
    return text


def expand(templates, slots, per_template: int, seed: int, source: str) -> list[dict]:
    rng = random.Random(seed)
    rows, seen = [], set()
    for group, (category, urgent, hotline, phrasings) in enumerate(templates):
        kind = (
            "urgent" if urgent else "question" if category == "procedure_question" else ("neutral")
        )
        greets = slots[f"greet_{kind}"]
        for index, template in enumerate(phrasings):
            count = per_template if "{" in template else 3
            for _ in range(count * 4):
                if sum(1 for r in rows if r["template"] == f"{group}:{index}") >= count:
                    break
                filled = re.sub(
                    r"\{(\w+)\}",
                    lambda m, g=greets: rng.choice(
                        g if m.group(1) == "greet" else slots[m.group(1)]
                    ),
                    template,
                )
                text = stylise(filled, rng, urgent)
                if text in seen:
                    continue
                seen.add(text)
                rows.append(
                    {
                        "text": text,
                        "category": category,
                        "urgent": urgent,
                        "hotline": hotline,
                        "source": source,
                        "template": f"{group}:{index}",
                    }
                )
    for row in rows:
        del row["template"]
    return rows


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    train = expand(TRAIN_TEMPLATES, TRAIN_SLOTS, per_template=16, seed=20250101, source="template")
    held = expand(HELD_TEMPLATES, HELD_SLOTS, per_template=6, seed=20250202, source="template")
    write(DATA / "generated_train.jsonl", train)
    write(DATA / "generated_heldout.jsonl", held)
    print(f"train {len(train)}, held-out {len(held)}")
