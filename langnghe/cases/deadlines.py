"""Deadlines of a case, derived from its category's policy (policies.py) and kept in rows.

Called only from services, inside their transaction. Met steps are never removed, so a
transfer keeps the history of what was done on time.
"""

import datetime as dt

from django.utils import timezone

from .calendar import add_period
from .models import Case, CaseDeadline, EntryKind, Status
from .policies import TTLT_01_2017

# A case transferred in: the receiving unit takes it up (classifies or assigns it) within 24
# hours of the transfer, as any unit classifies what it receives (TTLT 01/2017: phân loại trong
# 24 giờ); reading that rule for the unit a case is transferred to is ours [U]. Added to every
# category's policy so that a transferred case never waits at its new unit without a deadline.
TRANSFER_STEP = {
    "step": "take_up_transfer",
    "label": "Đơn vị nhận tiếp nhận, phân loại vụ việc được chuyển đến",
    "amount": 24,
    "unit": "hours",
    "anchor": "transferred",
    "when": "transferred",
    "met_by": ["classified", "assigned"],
    "law": TTLT_01_2017 + ": phân loại trong 24 giờ kể từ khi nhận [U]",
}


def _policy(case: Case) -> list[dict]:
    return [*case.category.deadline_policy, TRANSFER_STEP]


def _unit_kind(case: Case) -> str:
    return case.unit.kind.code


def _is_remote(case: Case) -> bool:
    profile = getattr(case.unit, "case_profile", None)
    return bool(profile and profile.is_remote)


CONDITIONS = {
    "always": lambda case: True,
    "commune_urgent": lambda c: _unit_kind(c) == "commune" and c.is_urgent and not _is_remote(c),
    "commune_urgent_remote": lambda c: _unit_kind(c) == "commune" and c.is_urgent and _is_remote(c),
    "commune_not_urgent": lambda c: _unit_kind(c) == "commune" and not c.is_urgent,
    "not_commune": lambda c: _unit_kind(c) != "commune",
    "transferred": lambda c: c.status == Status.TRANSFERRED,
}


def _anchor(case: Case, step: dict) -> dt.datetime | None:
    if step.get("anchor") == "transferred":
        return (
            case.entries.filter(kind=EntryKind.TRANSFER)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
    return case.accepted_at if step.get("anchor") == "accepted" else case.received_at


def deadlines_sync(case: Case, *, now: dt.datetime | None = None) -> None:
    """Create the steps that now apply, drop unmet ones that no longer apply, refresh
    ``case.next_due_at`` (saved by this function)."""
    existing = {d.step: d for d in case.deadlines.all()}
    for step in _policy(case):
        applies = case.is_open and CONDITIONS.get(step.get("when", "always"), lambda c: False)(case)
        row = existing.get(step["step"])
        anchor = _anchor(case, step)
        if applies and row is None and anchor is not None:
            CaseDeadline.objects.create(
                case=case,
                step=step["step"],
                label=step["label"],
                law=step.get("law", ""),
                due_at=add_period(anchor, step["amount"], step["unit"]),
            )
        elif not applies and row is not None and row.met_at is None and case.is_open:
            row.delete()
    deadlines_refresh_next(case)


def deadlines_refresh_next(case: Case) -> None:
    nxt = (
        case.deadlines.filter(met_at__isnull=True, cancelled=False)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    case.next_due_at = nxt if case.is_open else None
    Case.objects.filter(pk=case.pk).update(next_due_at=case.next_due_at)


def deadlines_meet(case: Case, *, event: str, now: dt.datetime | None = None) -> list[str]:
    """Mark the steps completed by ``event``; returns their codes."""
    now = now or timezone.now()
    steps = [s["step"] for s in _policy(case) if event in s.get("met_by", [])]
    met = list(
        case.deadlines.filter(step__in=steps, met_at__isnull=True, cancelled=False).values_list(
            "step", flat=True
        )
    )
    case.deadlines.filter(step__in=met).update(met_at=now)
    return met


def deadlines_close(case: Case, *, cancelled: bool = False, now: dt.datetime | None = None):
    """The case is closed: every open step is done now (or cancelled, for a merged duplicate)."""
    now = now or timezone.now()
    pending = case.deadlines.filter(met_at__isnull=True, cancelled=False)
    if cancelled:
        pending.update(cancelled=True)
    else:
        pending.update(met_at=now)


def extension_next(case: Case, step_code: str) -> tuple[CaseDeadline, dict] | None:
    row = case.deadlines.filter(step=step_code).first()
    policy = next((s for s in _policy(case) if s["step"] == step_code), None)
    if row is None or policy is None:
        return None
    extensions = policy.get("extensions", [])
    if row.extensions_used >= len(extensions):
        return None
    return row, extensions[row.extensions_used]


def extension_due(case: Case, row: CaseDeadline, extension: dict) -> dt.datetime:
    policy = next(s for s in _policy(case) if s["step"] == row.step)
    if "to" in extension:
        spec = extension["to"]
        return max(row.due_at, add_period(_anchor(case, policy), spec["amount"], spec["unit"]))
    spec = extension["add"]
    return add_period(row.due_at, spec["amount"], spec["unit"])
