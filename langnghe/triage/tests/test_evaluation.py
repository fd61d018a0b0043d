"""``eval_triage`` enforces its targets on the held-out set of the round (EVALUATION.md) and
reports every set on its own; ``make eval-triage`` has no way around the gate."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from langnghe.triage import classifier, evaluation

ROOT = Path(__file__).resolve().parents[3]
CLEAR = [
    ("Cháy nhà ở ngõ 5 rồi, có người mắc kẹt bên trong, cứu với!!!", "public_order", True, "114"),
    (
        "cho em hỏi làm căn cước công dân cho con cần giấy tờ gì ạ",
        "procedure_question",
        False,
        None,
    ),
    ("cán bộ tiếp dân ở phường rất nhiệt tình, cảm ơn các anh", "service_feedback", False, None),
]


def write(path: Path, rows) -> Path:
    path.write_text(
        "".join(
            json.dumps(
                {"text": t, "category": c, "urgent": u, "hotline": h, "source": "test"},
                ensure_ascii=False,
            )
            + "\n"
            for t, c, u, h in rows
        ),
        encoding="utf-8",
    )
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("eval_triage", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_passes_on_a_set_it_gets_right(tmp_path):
    text = run("--file", str(write(tmp_path / "easy.jsonl", CLEAR)))
    assert "easy.jsonl: n 3, accuracy 1.000" in text
    assert "urgent recall 1.000 (1/1)" in text and "p50" in text


def test_fails_on_a_set_it_gets_wrong(tmp_path):
    # The same messages with their labels swapped round: every figure falls below target.
    wrong = [
        (t, c, not u, h)
        for (t, _, u, h), (_, c, _, _) in zip(CLEAR, CLEAR[1:] + CLEAR[:1], strict=True)
    ]
    wrong.append(("trời hôm nay nắng đẹp, chúc các anh một ngày vui", "crime_report", True, "113"))
    with pytest.raises(CommandError, match="chưa đạt chỉ tiêu"):
        run("--file", str(write(tmp_path / "hard.jsonl", wrong)), "--errors")


def test_missing_heldout_set_fails_and_says_so():
    out = StringIO()
    assert not evaluation.heldout_path(99).exists()
    with pytest.raises(CommandError, match="heldout_hand_r99.jsonl"):
        call_command("eval_triage", "--round", "99", stdout=out)
    text = out.getvalue()
    assert "heldout_hand_r99.jsonl is absent" in text
    # Development figures are printed, one line per set, but they never stand in for the gate.
    for name in evaluation.DEVELOPMENT_FILES:
        if (classifier.DATA_DIR / name).exists():
            assert f"  {name}: n " in text


def test_a_heldout_text_found_in_training_data_fails(tmp_path):
    trained = classifier.training_rows()[0]
    row = (trained["text"], trained["category"], trained["urgent"], trained.get("hotline"))
    with pytest.raises(CommandError, match="huấn luyện"):
        run("--file", str(write(tmp_path / "leak.jsonl", [row])))


def test_a_short_text_that_coincides_with_training_is_set_aside_not_scored(tmp_path):
    """Texts written apart can coincide ("alo"): one in sixty is named and left out."""
    trained = classifier.training_rows()[0]
    row = (trained["text"], trained["category"], trained["urgent"], trained.get("hotline"))
    text = run("--file", str(write(tmp_path / "mostly_new.jsonl", CLEAR * 20 + [row])))
    assert "1 tin trùng nguyên văn dữ liệu huấn luyện, không chấm" in text
    assert "n 60," in text


def test_protocol_names_the_round_and_make_target_enforces():
    assert evaluation.current_round() >= 1
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\neval-triage:")[1].split("\n\n")[0]
    assert "eval_triage" in target and "--no-fail" not in target
