"""Reads about cases. Staff reads are always scoped through ``visible_units`` (the single
scope check); public reads go by tracking code (status only) or by receipt (the conversation).
Sealed fields are opened only here and only for what the caller may see: never the
reporter's identity (that is ``services.case_identity_reveal``, approved and audited)."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from langnghe.accounts.models import Role
from langnghe.accounts.selectors import visible_unit_get, visible_units
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.units.models import PATH_STEP, Unit

from . import crypto, receipts
from .files import KIND_LABELS
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseDeadline,
    CaseEntry,
    Category,
    IdentityRevealRequest,
    RevealStatus,
    Status,
)

DUE_SOON = dt.timedelta(hours=48)


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("category", "unit", "unit__kind", "assignee")


def case_list(
    *,
    user,
    category: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    unit: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """Cases of the units the user may see, newest first. ``unit`` narrows to that unit's
    subtree (it must itself be visible)."""
    now = now or timezone.now()
    qs = _base().filter(unit__in=visible_units(user))
    if unit:
        qs = qs.filter(unit__path__startswith=visible_unit_get(user=user, code=unit).path)
    if category:
        if not Category.objects.filter(code=category).exists():
            raise ApplicationError(
                f"Loại vụ việc “{category}” không tồn tại.",
                code="unknown_category",
                field="category",
            )
        qs = qs.filter(category__code=category)
    if status:
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status == "closed":
            qs = qs.filter(status__in=CLOSED_STATUSES)
        elif status in Status.values:
            qs = qs.filter(status=status)
        else:
            raise ApplicationError(
                f"Trạng thái “{status}” không tồn tại. Dùng: open, closed, "
                + ", ".join(Status.values)
                + ".",
                code="unknown_status",
                field="status",
            )
    if overdue is not None:
        late = Q(status__in=OPEN_STATUSES, next_due_at__lt=now)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if due_soon:
        qs = qs.filter(
            status__in=OPEN_STATUSES, next_due_at__gte=now, next_due_at__lt=now + DUE_SOON
        )
    if assignee:
        qs = qs.filter(assignee__username=assignee)
    if q:
        qs = qs.filter(tracking_code__iexact=q.strip())
    return qs.order_by("-received_at", "-id")


def case_get(*, user, case_id: int) -> Case:
    """A case in the user's scope; "not found" otherwise (never "forbidden")."""
    case = _base().filter(pk=case_id, unit__in=visible_units(user)).first()
    if case is None:
        raise NotFound("Không tìm thấy vụ việc.", code="case_not_found")
    return case


def case_get_public(*, tracking_code: str) -> Case:
    # As read off a paper or a message: "LN XNE39CAV", "ln-xne39cav" (issue #27).
    code = re.sub(r"[\s\-‐-―.]", "", tracking_code or "").upper()
    case = _base().filter(tracking_code=code).first() if 0 < len(code) <= 16 else None
    if case is None:
        raise NotFound("Không tìm thấy vụ việc với mã tra cứu này.", code="case_not_found")
    return case


def case_find_by_receipt(receipt: str) -> Case | None:
    """The anonymous case the receipt belongs to: a few candidates by the 16-bit index, then
    the Argon2 check (see receipts.py), as costly when no case has that index. None for a
    wrong receipt."""
    receipt = receipts.receipt_normalize(receipt)
    if not receipt:
        return None  # not 16 digits: says nothing about any case
    candidates = _base().filter(receipt_index=receipts.receipt_index(receipt), is_anonymous=True)
    return receipts.receipt_find(receipt, candidates)


def case_description(case: Case) -> str:
    return crypto.unseal(case.description_sealed, context=case.sealing_context("description"))


def case_address(case: Case) -> str:
    return crypto.unseal(case.address_sealed, context=case.sealing_context("address"))


def case_location(case: Case) -> dict:
    return crypto.unseal_json(case.location_sealed, context=case.sealing_context("location"))


@dataclass
class TimelineItem:
    entry: CaseEntry
    body: str
    # Unit code → name for the units a transfer entry names (filled by ``case_timeline``).
    unit_names: dict[str, str] = field(default_factory=dict)

    @property
    def transfer(self) -> tuple[str, str] | None:
        """(from, to) of a transfer, by unit name ("Công an huyện Yên Thế", not "BG-H215")."""
        data = self.entry.data or {}
        if not data.get("to_unit"):
            return None
        names = self.unit_names
        from_code, to_code = data.get("from_unit", ""), data["to_unit"]
        return names.get(from_code, from_code), names.get(to_code, to_code)

    @property
    def files_sent(self) -> str:
        """What files the entry carries, for the citizen: "1 ảnh (JPEG, 9 KB)". The original
        file names are not stored (they may name a person), so only the kind and size."""
        return ", ".join(attachment_words(a) for a in self.entry.attachments.all())

    @property
    def status_to(self) -> str:
        """The new status of a status entry, in words ("Đang xác minh", not "verifying")."""
        to = (self.entry.data or {}).get("to") or ""
        return Status(to).label if to in Status.values else to


def attachment_words(attachment) -> str:
    """ "1 ảnh (JPEG, 9 KB)", "1 tài liệu (PDF; 1,2 MB)"-style words for one attachment."""
    label = KIND_LABELS.get(attachment.content_type, "Tệp")
    noun, _, kind = label.rpartition(" ") if " " in label else (label, "", "")
    size = attachment.size or 0
    if size >= 1024 * 1024:
        amount = f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"
    else:
        amount = f"{max(1, round(size / 1024))} KB"
    details = f"{kind}, {amount}" if kind else amount
    return f"1 {noun.lower()} ({details})"


def case_timeline(case: Case, *, for_reporter: bool = False) -> list[TimelineItem]:
    """Entries with their bodies opened; the reporter sees only what is meant for them."""
    entries = case.entries.select_related("actor").prefetch_related("attachments")
    if for_reporter:
        entries = entries.filter(visible_to_reporter=True)
    entries = list(entries)
    codes = {
        code
        for e in entries
        for code in ((e.data or {}).get("from_unit"), (e.data or {}).get("to_unit"))
        if code
    }
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [
        TimelineItem(
            e,
            crypto.unseal(e.body_sealed, context=case.sealing_context(f"entry:{e.pk}")),
            unit_names=names,
        )
        for e in entries
    ]


def case_deadlines(case: Case) -> list[CaseDeadline]:
    return list(case.deadlines.all())


@dataclass
class ProgressStep:
    label: str
    state: str  # done | current | todo
    due_at: dt.datetime | None = None


# What a citizen is shown of the workflow: four steps, each reached by these statuses.
# Sorting a tip (classified) is the first check of what it says (the policies call it "Phân
# loại, xử lý ban đầu"); an officer assigned to it, or verifying it, is working on it; every
# closed status is an answer (a result, a redirection to the competent body, or the case it
# was merged into). A transfer starts again at the receiving unit's reception.
PROGRESS_STEPS = (
    ("Đã tiếp nhận", (Status.RECEIVED, Status.TRANSFERRED)),
    ("Đang xác minh", (Status.CLASSIFIED,)),
    ("Đang xử lý", (Status.ASSIGNED, Status.VERIFYING)),
    ("Đã có kết quả", CLOSED_STATUSES),
)


def case_progress(case: Case, deadlines: list[CaseDeadline] | None = None) -> list[ProgressStep]:
    """The four steps for the citizen's pages, with the deadline that applies: the earliest
    unmet one on the current step, the latest unmet one on the result."""
    reached = next(i for i, (_l, statuses) in enumerate(PROGRESS_STEPS) if case.status in statuses)
    deadlines = case_deadlines(case) if deadlines is None else deadlines
    pending = sorted(
        (d for d in deadlines if d.met_at is None and not d.cancelled), key=lambda d: d.due_at
    )
    steps = []
    for index, (label, _statuses) in enumerate(PROGRESS_STEPS):
        if index < reached or (index == reached and not case.is_open):
            state = "done"
        elif index == reached:
            state = "current"
        else:
            state = "todo"
        due = None
        if pending and state == "current":
            due = pending[0].due_at
        elif pending and index == len(PROGRESS_STEPS) - 1 and state == "todo":
            due = pending[-1].due_at
        steps.append(ProgressStep(label, state, due))
    return steps


def case_progress_label(case: Case) -> str:
    """The status in the citizen's words: the step reached, or the exact answer once closed
    ("Đã giải quyết", "Không thuộc thẩm quyền", …)."""
    if not case.is_open:
        return case.get_status_display()
    return next(label for label, statuses in PROGRESS_STEPS if case.status in statuses)


def deadline_state(deadline: CaseDeadline, *, now: dt.datetime | None = None) -> str:
    """ok | late | due_soon | overdue | pending | cancelled (for badges)."""
    now = now or timezone.now()
    if deadline.cancelled:
        return "cancelled"
    if deadline.met_at is not None:
        return "late" if deadline.met_at > deadline.due_at else "ok"
    if deadline.due_at < now:
        return "overdue"
    if deadline.due_at < now + DUE_SOON:
        return "due_soon"
    return "pending"


# Approving a reveal of a reporter's identity is a commander's decision (Luật Tố cáo 2018
# Điều 56; BLTTHS 2015 Điều 484–486; DESIGN.md: "a supervisor's approval"): the role
# "Chỉ huy / giám sát" of the case's unit or above. Not the IT administrator, who manages
# accounts and channels and has no say over a case.
APPROVER_ROLES = (Role.SUPERVISOR,)


def reveal_requests_pending(*, user) -> QuerySet[IdentityRevealRequest]:
    """Pending requests of the units where the user may decide them: a commander's units and
    below (the reason may name people; the service checks the approver's role again)."""
    return IdentityRevealRequest.objects.filter(
        status=RevealStatus.PENDING, case__unit__in=visible_units(user, roles=APPROVER_ROLES)
    ).select_related("case", "case__unit", "requested_by")


def reveal_request_get(*, user, request_id: int) -> IdentityRevealRequest:
    request = (
        IdentityRevealRequest.objects.select_related("case", "case__unit", "requested_by")
        .filter(pk=request_id, case__unit__in=visible_units(user))
        .first()
    )
    if request is None:
        raise NotFound("Không tìm thấy yêu cầu.", code="request_not_found")
    return request


@dataclass
class OnTimeRate:
    on_time: int
    late: int
    open_overdue: int

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.open_overdue

    @property
    def rate(self) -> float | None:
        return round(self.on_time / self.counted, 4) if self.counted else None


def on_time_rate(
    *,
    user,
    unit: str | None = None,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> OnTimeRate:
    """Closed cases with every step met on time, over closed cases plus open cases already
    overdue (an overdue case counts as late now, not only once it is closed). Merged
    duplicates are left out."""
    now = now or timezone.now()
    qs = case_list(user=user, unit=unit, now=now)
    if since:
        qs = qs.filter(received_at__gte=since)
    late_step = CaseDeadline.objects.filter(
        case=OuterRef("pk"), cancelled=False, met_at__gt=F("due_at")
    )
    closed = qs.filter(status__in=(Status.RESOLVED, Status.DECLINED))
    late = closed.filter(Exists(late_step)).count()
    total_closed = closed.count()
    open_overdue = qs.filter(status__in=OPEN_STATUSES, next_due_at__lt=now).count()
    return OnTimeRate(on_time=total_closed - late, late=late, open_overdue=open_overdue)


def transfer_targets(case: Case) -> QuerySet[Unit]:
    """Where a case may be transferred: any open unit of its province (the root of its unit's
    tree) but its own: a ward sends it to the next ward or to the district above; a case for
    another province goes through the province's own police."""
    province_path = case.unit.path[:PATH_STEP]
    return Unit.objects.filter(path__startswith=province_path, is_active=True).exclude(
        pk=case.unit_id
    )


# Who records a tip for a unit: its handlers (the same roles as services.HANDLER_ROLES, which
# imports this module).
INTAKE_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DUTY_OFFICER, Role.INVESTIGATOR)


def intake_units(user) -> QuerySet[Unit]:
    """The open units for which ``user`` records a tip taken by phone or in person (where they
    hold a handler role, and the units below)."""
    return visible_units(user, roles=INTAKE_ROLES).filter(is_active=True)
