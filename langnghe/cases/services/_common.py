"""What every write about cases shares: the handler check, the state table, the row lock,
the timeline entry and the status change."""

from langnghe.accounts.models import Role
from langnghe.accounts.selectors import can_see_unit, has_role
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied

from .. import crypto, events
from ..models import OPEN_STATUSES, Case, CaseEntry, EntryKind, Status

HANDLER_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DUTY_OFFICER, Role.INVESTIGATOR)


def _text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise ApplicationError(f"Vui lòng nhập {label}.", code="required", field=field)
    if len(text) > max_length:
        raise ApplicationError(
            f"{label.capitalize()} quá dài (tối đa {max_length} ký tự).",
            code="too_long",
            field=field,
        )
    return text


def _require_handler(case: Case, user) -> None:
    if not can_see_unit(user, case.unit):
        raise NotFound("Không tìm thấy vụ việc.", code="case_not_found")
    if not has_role(user, case.unit, HANDLER_ROLES):
        raise PermissionDenied("Bạn không có quyền xử lý vụ việc của đơn vị này.")


# Which action may run in which state: the services refuse an action outside its states, and
# the console shows only the forms of the actions this table (and the role) allows.
ACTION_STATUSES: dict[str, tuple[str, ...]] = {
    "classify": (Status.RECEIVED, Status.TRANSFERRED),
    "assign": OPEN_STATUSES,
    "verify": (Status.ASSIGNED,),
    "resolve": (Status.ASSIGNED, Status.VERIFYING),
    "transfer": OPEN_STATUSES,
    "decline": OPEN_STATUSES,
    "merge": OPEN_STATUSES,
    "extend": OPEN_STATUSES,
    # Messages, notes and files: the console offers them on an open case only (a closed case
    # shows no actions); their services do not check the state (the API may add to a record).
    "reply": OPEN_STATUSES,
    "note": OPEN_STATUSES,
    "attach": OPEN_STATUSES,
}


def _require_status(case: Case, allowed, action: str) -> None:
    if case.status not in allowed:
        raise ApplicationError(
            f"Không thể {action} khi vụ việc đang ở trạng thái “{case.get_status_display()}”.",
            code="invalid_transition",
            status=409,
        )


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("category", "unit", "unit__kind")
        .get(pk=case.pk)
    )


def _entry(
    case: Case,
    *,
    kind: str,
    actor=None,
    body: str = "",
    visible: bool = False,
    from_reporter: bool = False,
    data: dict | None = None,
) -> CaseEntry:
    entry = CaseEntry.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        visible_to_reporter=visible,
        from_reporter=from_reporter,
        data=data or {},
    )
    if body:
        entry.body_sealed = crypto.seal(body, context=case.sealing_context(f"entry:{entry.pk}"))
        entry.save(update_fields=["body_sealed"])
    return entry


def _set_status(
    case: Case,
    *,
    by,
    new_status: str,
    public_note: str = "",
    status_note: str | None = None,
    data: dict | None = None,
) -> None:
    """``public_note`` is told to the reporter (timeline, channel); the status page and Open311
    show ``status_note``, which is ``public_note`` unless the caller gives fixed wording
    instead (when ``public_note`` holds an officer's own text, see ``Case.public_summary``)."""
    old = case.status
    case.status = new_status
    shown = public_note if status_note is None else status_note
    if shown:
        case.status_note = shown[:500]
    case.save()
    _entry(
        case,
        kind=EntryKind.STATUS,
        actor=by,
        body=public_note,
        visible=bool(public_note),
        data={"from": old, "to": new_status, **(data or {})},
    )
    events.status_changed_on_commit(case, old_status=old, public_note=public_note)
