"""Writes to the procedure catalogue. The catalogue is national reference data, so loading it
is an administrator's or a command's job; every load is audited and refreshes the search
index after commit."""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError

from .models import Field, HandlerKind, Procedure, ProcedureHandler
from .selectors import search_index_invalidate

BUNDLED_CATALOGUE = Path(__file__).parent / "data" / "procedures.json"
DEPARTMENTS = {"PA08", "PC06", "PC07", "PC08"}
TEXT_FIELDS = [
    "name",
    "summary",
    "processing_time",
    "fee",
    "online",
    "online_url",
    "legal_basis",
    "source",
    "national_code",
]
LIST_FIELDS = ["documents", "steps", "aliases", "uncertain", "fee_reductions"]
# Column limits of ``Procedure``/``ProcedureHandler``, checked here so that a too long value is a
# clear catalogue error on every database (SQLite would store it silently).
MAX_LENGTHS = {
    "code": 80,
    "name": 300,
    "processing_time": 300,
    "fee": 500,
    "online": 300,
    "national_code": 20,
}
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Mã TTHC on the national database: one digit, a dot, six digits (e.g. 1.004222).
NATIONAL_CODE_RE = re.compile(r"^[1-3]\.\d{6}$")


@dataclass
class CatalogueLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _invalid(position: int, message: str) -> ApplicationError:
    return ApplicationError(f"Thủ tục thứ {position}: {message}", code="invalid_catalogue")


def _clean(position: int, item: dict) -> tuple[dict, list[dict]]:
    if not isinstance(item, dict):
        raise _invalid(position, "phải là một đối tượng JSON.")
    for key in ["code", "name", "field", "processing_time", "fee", "legal_basis", "source"]:
        if not str(item.get(key) or "").strip():
            raise _invalid(position, f"thiếu “{key}”.")
    if item["field"] not in Field.values:
        raise _invalid(
            position,
            f"lĩnh vực “{item['field']}” không hợp lệ (có: {', '.join(Field.values)}).",
        )
    code = str(item["code"]).strip()
    if not CODE_RE.match(code):
        raise _invalid(position, f"mã “{code}” chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
    values = {key: str(item.get(key) or "").strip() for key in TEXT_FIELDS}
    for key, limit in MAX_LENGTHS.items():
        value = code if key == "code" else values[key]
        if len(value) > limit:
            raise _invalid(position, f"“{key}” dài {len(value)} ký tự, tối đa {limit}.")
    if values["national_code"] and not NATIONAL_CODE_RE.match(values["national_code"]):
        raise _invalid(
            position, f"mã TTHC “{values['national_code']}” không đúng dạng (ví dụ 1.004222)."
        )
    for key in LIST_FIELDS:
        value = item.get(key) or []
        if not isinstance(value, list):
            raise _invalid(position, f"“{key}” phải là danh sách.")
        values[key] = value
    for reduction in values["fee_reductions"]:
        try:
            datetime.date.fromisoformat(reduction["until"])
            str(reduction["text"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _invalid(position, "mức giảm phí cần “text” và “until” (YYYY-MM-DD).") from exc
    handlers = item.get("handlers") or []
    if not handlers:
        raise _invalid(position, "cần ít nhất một cấp giải quyết (handlers).")
    seen_handlers = set()
    for handler in handlers:
        if not isinstance(handler, dict):
            raise _invalid(position, "mỗi cấp giải quyết phải là một đối tượng JSON.")
        kind, department = handler.get("kind"), handler.get("department", "")
        if kind not in HandlerKind.values:
            raise _invalid(
                position,
                f"cấp giải quyết “{kind}” không hợp lệ (có: {', '.join(HandlerKind.values)}).",
            )
        if (kind == HandlerKind.DEPARTMENT) != bool(department) or (
            department and department not in DEPARTMENTS
        ):
            raise _invalid(position, f"phòng “{department}” không hợp lệ cho cấp “{kind}”.")
        if (kind, department) in seen_handlers:
            label = f"{kind} {department}".strip()
            raise _invalid(position, f"cấp giải quyết “{label}” bị lặp.")
        seen_handlers.add((kind, department))
        if len(str(handler.get("note", ""))) > 200:
            raise _invalid(position, "ghi chú của cấp giải quyết dài quá 200 ký tự.")
    return values, handlers


@transaction.atomic
def procedure_catalogue_load(
    *, data: dict, actor=None, deactivate_missing: bool = False
) -> CatalogueLoadResult:
    """Create or update every procedure in ``data`` (``{"procedures": [...]}``), matched by
    code. Idempotent: loading the same data twice changes nothing. Invalid data changes
    nothing either (one transaction)."""
    items = data.get("procedures") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ApplicationError(
            "Dữ liệu thủ tục phải có danh sách “procedures”.", code="invalid_catalogue"
        )
    result = CatalogueLoadResult()
    seen: set[str] = set()
    national_codes: dict[str, str] = {}
    for position, item in enumerate(items, start=1):
        values, handlers = _clean(position, item)
        code = str(item["code"]).strip()
        if code in seen:
            raise _invalid(position, f"mã “{code}” bị trùng.")
        seen.add(code)
        if national := values["national_code"]:
            if national in national_codes:
                raise _invalid(
                    position,
                    f"mã TTHC “{national}” đã dùng cho thủ tục “{national_codes[national]}”.",
                )
            national_codes[national] = code
        try:
            search_weight = float(item.get("search_weight", 1.0))
        except (TypeError, ValueError) as exc:
            raise _invalid(position, "“search_weight” phải là số.") from exc
        values.update(
            field=item["field"], position=position, is_active=True, search_weight=search_weight
        )
        procedure = Procedure.objects.filter(code=code).first()
        wanted_handlers = sorted(
            (h["kind"], h.get("department", ""), h.get("note", "")) for h in handlers
        )
        if procedure is None:
            procedure = Procedure.objects.create(code=code, **values)
            result.created += 1
        else:
            current_handlers = sorted(procedure.handlers.values_list("kind", "department", "note"))
            changed = any(getattr(procedure, k) != v for k, v in values.items())
            if not changed and current_handlers == wanted_handlers:
                result.unchanged += 1
                continue
            for key, value in values.items():
                setattr(procedure, key, value)
            procedure.save()
            procedure.handlers.all().delete()
            result.updated += 1
        ProcedureHandler.objects.bulk_create(
            ProcedureHandler(procedure=procedure, kind=kind, department=department, note=note)
            for kind, department, note in wanted_handlers
        )
    if deactivate_missing:
        result.deactivated = (
            Procedure.objects.filter(is_active=True).exclude(code__in=seen).update(is_active=False)
        )
    audit_record(
        actor=actor,
        action="procedure.catalogue_loaded",
        target_type="procedures.procedure",
        data={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "deactivated": result.deactivated,
        },
    )
    if result.created or result.updated or result.deactivated:
        transaction.on_commit(search_index_invalidate)
    return result


def procedure_catalogue_load_bundled(*, actor=None) -> CatalogueLoadResult:
    """Load ``data/procedures.json`` shipped with the app."""
    data = json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))
    return procedure_catalogue_load(data=data, actor=actor)
