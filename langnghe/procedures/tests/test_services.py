import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from langnghe.audit.models import AuditEntry
from langnghe.core.exceptions import ApplicationError
from langnghe.procedures.models import Procedure, ProcedureHandler
from langnghe.procedures.services import (
    BUNDLED_CATALOGUE,
    procedure_catalogue_load,
    procedure_catalogue_load_bundled,
)

pytestmark = pytest.mark.django_db


def bundled() -> dict:
    return json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))


def test_bundled_catalogue_is_complete():
    data = bundled()["procedures"]
    assert len(data) >= 40
    for item in data:
        for key in [
            "code",
            "name",
            "field",
            "handlers",
            "processing_time",
            "fee",
            "documents",
            "steps",
            "legal_basis",
            "source",
            "aliases",
        ]:
            assert item[key], (item["code"], key)
    kinds = {(h["kind"], h.get("department", "")) for p in data for h in p["handlers"]}
    assert {
        ("commune", ""),
        ("department", "PA08"),
        ("department", "PC06"),
        ("department", "PC07"),
        ("department", "PC08"),
        ("province", ""),
    } <= kinds


def test_load_is_idempotent_and_audited(catalogue):
    assert catalogue.created == Procedure.objects.count() >= 40
    again = procedure_catalogue_load_bundled()
    assert (again.created, again.updated, again.unchanged) == (0, 0, catalogue.total)
    assert AuditEntry.objects.filter(action="procedure.catalogue_loaded").count() == 2


def test_invalid_catalogue_changes_nothing(catalogue):
    data = bundled()
    data["procedures"][0]["name"] = "Đổi tên"
    data["procedures"][1]["handlers"] = [{"kind": "department", "department": "PX99"}]
    handlers_before = ProcedureHandler.objects.count()
    with pytest.raises(ApplicationError, match="PX99"):
        procedure_catalogue_load(data=data)
    assert Procedure.objects.get(code=data["procedures"][0]["code"]).name != "Đổi tên"
    assert ProcedureHandler.objects.count() == handlers_before


@pytest.mark.parametrize(
    "data", [{}, {"procedures": []}, {"procedures": [{"code": "x"}]}, {"procedures": ["x"]}]
)
def test_malformed_data_is_refused(db, data):
    with pytest.raises(ApplicationError):
        procedure_catalogue_load(data=data)
    assert not Procedure.objects.exists()


def test_load_procedures_command(db, tmp_path, capsys):
    call_command("load_procedures")
    assert Procedure.objects.count() >= 40
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_procedures", file=str(bad))


def test_eval_search_command_meets_targets(db, capsys):
    # The dev sets, named: this test must never run the held-out set. Latency is measured by
    # `make eval-search` and `make bench`, not gated in a test on a shared machine.
    call_command("eval_search", set="dev", repeat=1, no_load=False, no_latency_gate=True)
    out = capsys.readouterr().out
    assert "top-1" in out and "Django test Client" in out
    assert "từ chối đúng" in out and "police_other" in out


def test_eval_search_exits_non_zero_below_target(db, tmp_path, capsys):
    tiny = tmp_path / "tiny.jsonl"
    rows = [
        {"q": "làm hộ chiếu", "kind": "in", "expected": ["cap-ho-chieu-pho-thong"]},
        # Below the abstention target: a police question labelled "out".
        {"q": "cấp lại thẻ căn cước bị mất", "kind": "out", "elsewhere": None},
    ]
    tiny.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with pytest.raises(CommandError, match="Chưa đạt"):
        call_command("eval_search", file=str(tiny), repeat=1, no_holdout=True)
    out = capsys.readouterr().out
    assert "từ chối đúng (confident: false): 0.000 (0/1)" in out


def test_eval_search_passes_a_tiny_file_on_target(db, tmp_path, capsys):
    tiny = tmp_path / "tiny.jsonl"
    rows = [
        {"q": "làm hộ chiếu", "kind": "in", "expected": ["cap-ho-chieu-pho-thong"]},
        {"q": "giá vàng hôm nay", "kind": "out", "elsewhere": None},
        {"q": "con tôi bị đánh", "kind": "police_other"},
    ]
    tiny.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    call_command("eval_search", file=str(tiny), repeat=1, no_holdout=True)
    assert "Đạt mục tiêu" in capsys.readouterr().out
