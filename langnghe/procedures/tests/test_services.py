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
    call_command("eval_search", repeat=1, no_load=False, strict=True)
    out = capsys.readouterr().out
    assert "top-1" in out and "Django test Client" in out
