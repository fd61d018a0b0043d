"""The duty roster (lịch trực ban): shifts planned, cancelled, copied a week on, and who is on
duty now."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from langnghe.accounts.selectors import has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, PermissionDenied

from ..models import DutyShift
from ..selectors import DESK_ROLES, ROSTER_YEARS, roster_now

# Who plans a unit's roster: its commanders and administrators (or those of a unit above it).
ROSTER_ROLES = ("admin", "supervisor")
MAX_SHIFT = dt.timedelta(hours=24)  # the police duty desk's longest shift: one day and night
MAX_AHEAD = dt.timedelta(days=92)  # a quarter ahead at most
MAX_SHIFT_NOTE = 200


def _local_text(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%H:%M %d/%m/%Y}"


def _roster_may_plan(by, unit) -> None:
    if not has_role(by, unit, ROSTER_ROLES):
        raise PermissionDenied("Chỉ chỉ huy hoặc quản trị của đơn vị mới lập được lịch trực.")


@transaction.atomic
def duty_shift_create(
    *, unit, officer, starts_at: dt.datetime, ends_at: dt.datetime, is_lead=False, note="", by
):
    """Put ``officer`` on ``unit``'s desk from ``starts_at`` to ``ends_at`` (naive times are the
    local time). Refused, nothing stored: a planner without the role, an officer with no desk
    role on the unit, a shift not after its start, over 24 hours, already over, more than a
    quarter ahead, or overlapping another shift of the same officer (anywhere: one person
    keeps one desk at a time)."""
    _roster_may_plan(by, unit)
    if officer is None or not officer.is_active or not has_role(officer, unit, DESK_ROLES):
        raise ApplicationError(
            "Cán bộ này không trực ban được ở đơn vị: cần vai trò trực ban, chỉ huy hoặc quản "
            "trị của đơn vị hoặc đơn vị cấp trên.",
            code="bad_officer",
            field="officer",
        )
    starts_at, ends_at = (
        t if timezone.is_aware(t) else timezone.make_aware(t) for t in (starts_at, ends_at)
    )
    if ends_at <= starts_at:
        raise ApplicationError(
            "Giờ kết thúc phải sau giờ bắt đầu.", code="bad_times", field="ends_at"
        )
    if ends_at - starts_at > MAX_SHIFT:
        raise ApplicationError(
            "Một ca trực dài tối đa 24 giờ; hãy chia thành nhiều ca.",
            code="shift_too_long",
            field="ends_at",
        )
    now = timezone.now()
    if ends_at <= now:
        raise ApplicationError(
            "Ca trực này đã kết thúc: chỉ lập được ca đang diễn ra hoặc sắp tới.",
            code="shift_past",
            field="ends_at",
        )
    if starts_at > now + MAX_AHEAD:
        raise ApplicationError(
            "Chỉ lập được lịch trực trước tối đa 92 ngày.", code="too_far", field="starts_at"
        )
    note = (note or "").strip()
    if len(note) > MAX_SHIFT_NOTE:
        raise ApplicationError(
            f"Ghi chú dài tối đa {MAX_SHIFT_NOTE} ký tự.", code="too_long", field="note"
        )
    # One planner at a time per officer: two overlapping shifts of the same person cannot both
    # pass the check below.
    get_user_model().objects.select_for_update().filter(pk=officer.pk).first()
    clash = (
        DutyShift.objects.filter(officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("unit")
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            f"{officer} đã có ca trực {_local_text(clash.starts_at)} – "
            f"{_local_text(clash.ends_at)} ở {clash.unit.name}.",
            code="shift_overlap",
            status=409,
            field="starts_at",
        )
    shift = DutyShift.objects.create(
        unit=unit,
        officer=officer,
        starts_at=starts_at,
        ends_at=ends_at,
        is_lead=bool(is_lead),
        note=note,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="duty_shift.create",
        target=shift,
        unit=unit,
        data={
            "officer": officer.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "lead": shift.is_lead,
        },
    )
    return shift


@transaction.atomic
def duty_shift_cancel(*, shift, by) -> str:
    """Take a shift off the roster: one still to come is deleted; one running ends now (the
    part served stays on record); one already over stays as it is (refused). Returns
    "deleted" or "ended"."""
    _roster_may_plan(by, shift.unit)
    now = timezone.now()
    if shift.ends_at <= now:
        raise ApplicationError(
            "Ca trực đã qua được giữ làm hồ sơ, không hủy được.", code="shift_past", status=409
        )
    data = {"officer": shift.officer_id, "starts_at": shift.starts_at.isoformat()}
    if shift.starts_at <= now:
        shift.ends_at = now
        shift.save(update_fields=["ends_at"])
        audit_record(actor=by, action="duty_shift.end", target=shift, unit=shift.unit, data=data)
        return "ended"
    audit_record(actor=by, action="duty_shift.delete", target=shift, unit=shift.unit, data=data)
    shift.delete()
    return "deleted"


def duty_week_copy(*, unit, week_start: dt.date, by) -> tuple[int, int]:
    """Repeat the roster of the seven days before ``week_start`` in the seven days from it: the
    same officers at the same times a week later. A shift that would clash, be over already
    or no longer be allowed is skipped. Returns (copied, skipped). ``week_start`` is a Monday
    of ROSTER_YEARS."""
    _roster_may_plan(by, unit)
    if week_start.weekday() != 0 or not ROSTER_YEARS[0] <= week_start.year <= ROSTER_YEARS[1]:
        raise ApplicationError(
            "Tuần nhận lịch phải bắt đầu từ một thứ Hai, từ năm "
            f"{ROSTER_YEARS[0]} đến năm {ROSTER_YEARS[1]}.",
            code="bad_date",
            field="week_start",
        )
    begin = timezone.make_aware(dt.datetime.combine(week_start, dt.time()))
    week = dt.timedelta(days=7)
    copied = skipped = 0
    source = DutyShift.objects.filter(
        unit=unit, starts_at__gte=begin - week, starts_at__lt=begin
    ).select_related("officer")
    for shift in source.order_by("starts_at", "id"):
        try:
            duty_shift_create(
                unit=unit,
                officer=shift.officer,
                starts_at=shift.starts_at + week,
                ends_at=shift.ends_at + week,
                is_lead=shift.is_lead,
                note=shift.note,
                by=by,
            )
        except ApplicationError:
            skipped += 1
        else:
            copied += 1
    return copied, skipped


def _on_duty_line(unit, at) -> tuple[str, object]:
    """The note's line on who is on duty, and the officer an emergency goes to (or None)."""
    staffed, running = roster_now(unit, at)
    if running:
        names = ", ".join(f"{s.officer}{' (trực chính)' if s.is_lead else ''}" for s in running)
        return f" Đang trực: {names}.", running[0].officer
    if staffed is False:
        return " Lịch trực không có ai lúc này: báo ngay chỉ huy đơn vị.", None
    return "", None
