"""Writes to the unit tree. Every write records an audit entry."""

from functools import partial

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.core.text import fold, slugify_vi

from .models import PATH_STEP, Unit, UnitKind
from .pagecache import unit_page_changed

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "division_code",
    "division_name",
    "address",
    "hotline",
    "duty_phone",
    "office_hours",
    "is_active",
    "latitude",
    "longitude",
)


def _search_text(unit: Unit) -> str:
    return fold(" ".join([unit.name, unit.short_name, unit.division_name, unit.code]))


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    slug = base[:110] or "don-vi"
    candidate, n = slug, 2
    while Unit.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def unit_kind_ensure(*, code: str, name: str, rank: int) -> UnitKind:
    kind, _ = UnitKind.objects.update_or_create(code=code, defaults={"name": name, "rank": rank})
    return kind


def unit_create(
    *,
    code: str,
    kind: UnitKind,
    name: str,
    parent: Unit | None = None,
    short_name: str = "",
    slug: str = "",
    by=None,
    **fields,
) -> Unit:
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        raise ApplicationError("Mã đơn vị không hợp lệ.", code="invalid_code", field="code")
    if Unit.objects.filter(code=code).exists():
        raise ApplicationError(
            f"Mã đơn vị “{code}” đã tồn tại.", code="duplicate_code", field="code"
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Trường không hợp lệ: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        unit = Unit(
            code=code,
            kind=kind,
            name=name.strip(),
            short_name=short_name.strip(),
            parent=parent,
            slug=_unique_slug(slug or slugify_vi(name)),
            **fields,
        )
        unit.search_text = _search_text(unit)
        unit.save()
        # The path needs the id, so it is written right after the insert, in the same
        # transaction.
        unit.path = (parent.path if parent else "") + f"{unit.pk:0{PATH_STEP}d}"
        unit.depth = parent.depth + 1 if parent else 0
        Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
        audit_record(
            actor=by,
            action="unit.create",
            target=unit,
            unit=unit,
            data={"code": code, "kind": kind.code, "parent": parent.code if parent else None},
        )
    return unit


def unit_update(*, unit: Unit, by=None, **fields) -> Unit:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Trường không hợp lệ: {', '.join(sorted(unknown))}.")
    changed = {k: v for k, v in fields.items() if getattr(unit, k) != v}
    if not changed:
        return unit
    with transaction.atomic():
        for key, value in changed.items():
            setattr(unit, key, value)
        unit.search_text = _search_text(unit)
        # Only what changed: an edit made from a copy read before a move must not write back
        # the old place in the tree, nor reopen a unit closed meanwhile.
        unit.save(update_fields=[*changed, "search_text", "updated_at"])
        audit_record(
            actor=by, action="unit.update", target=unit, unit=unit, data={"fields": sorted(changed)}
        )
        transaction.on_commit(partial(unit_page_changed, unit.pk, unit.parent_id))
    return unit


def unit_move(*, unit: Unit, new_parent: Unit, by=None) -> Unit:
    """Re-attach a unit (and its subtree) under ``new_parent``; one UPDATE rewrites the paths."""
    if new_parent.path.startswith(unit.path):
        raise ApplicationError("Không thể chuyển đơn vị vào chính cấp dưới của nó.", code="cycle")
    old_path, old_parent = unit.path, unit.parent
    new_path = new_parent.path + f"{unit.pk:0{PATH_STEP}d}"
    depth_shift = new_parent.depth + 1 - unit.depth
    with transaction.atomic():
        Unit.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
        Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
        unit.refresh_from_db()
        audit_record(
            actor=by,
            action="unit.move",
            target=unit,
            unit=unit,
            data={"from": old_parent.code if old_parent else None, "to": new_parent.code},
        )
        transaction.on_commit(
            partial(unit_page_changed, unit.pk, old_parent.pk if old_parent else 0, new_parent.pk)
        )
    return unit


def unit_close(*, unit: Unit, successor: Unit, by=None, at=None) -> Unit:
    """Close ``unit`` into ``successor`` (a merger, the 2025 reform); never deleted. It is
    re-parented under its successor with its subtree, so every total by the tree counts its
    history there; its page and QR codes lead to the successor (``selectors.unit_current``)."""
    if successor.pk == unit.pk or successor.path.startswith(unit.path):
        raise ApplicationError(
            "Đơn vị kế thừa không thể là chính đơn vị này hay cấp dưới của nó.", code="cycle"
        )
    if not successor.is_active:
        raise ApplicationError(
            f"{successor.name} đã kết thúc hoạt động: chọn đơn vị kế thừa đang hoạt động.",
            code="successor_closed",
        )
    with transaction.atomic():
        if unit.parent_id != successor.pk:
            unit = unit_move(unit=unit, new_parent=successor, by=by)
        Unit.objects.filter(pk=unit.pk).update(
            is_active=False, closed_at=at or timezone.now(), successor=successor
        )
        unit.refresh_from_db()
        audit_record(
            actor=by,
            action="unit.close",
            target=unit,
            unit=successor,
            data={"code": unit.code, "successor": successor.code},
        )
        transaction.on_commit(partial(unit_page_changed, unit.pk, successor.pk))
    return unit
