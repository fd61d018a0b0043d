"""The move from a pre-2025 network (province → district → commune) to a province's network of
today (province → commune), without losing a thing.

Since 1 March 2025 district-level police no longer exist (Nghị định 02/2025/NĐ-CP), and since
1 July 2025 provinces and communes were merged (Nghị quyết 202/2025/QH15: Bắc Giang into Bắc
Ninh; the communes by the Standing Committee's resolutions). A deployment built on the old
network keeps its history: every old unit is closed into its successor (``unit_close``), never
deleted, and is re-parented under it, so each total by the tree counts the old unit's history
under the new one. What is still running moves to the successor: open cases (their legal
deadlines unchanged), open conversations, duty shifts not yet over, staff memberships, Zalo
connections and followers, the survey template assignment. Units sits below the apps that
hold these: each says what it holds and moves it in its ``unit_handover`` module, found through
``langnghe.discovery``.

The old commune → new commune mapping comes from ``vietnamadminunits`` (its 2021→2025
conversion of an address: ward, district, province); the new network from ``vietnam-provinces``
(``networks.import_province_network``). A commune the conversion cannot place is listed in the
plan and left as it is, never guessed.

``plan_reorganization`` only reads; ``reorganize`` runs the plan in one transaction, locks the
old units first (a concurrent edit makes the whole move fail) and is re-runnable: a closed unit
is never in a plan again.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from langnghe import discovery
from langnghe.core.exceptions import ApplicationError
from langnghe.core.text import fold

from .conversion import merged_names, no_geocoding
from .models import Unit
from .networks import current_provinces, find_province, import_province_network, police_name
from .services import unit_close


@dataclass
class Step:
    """One old unit and where it goes. ``successor_code`` None: cannot be placed, left as is."""

    unit: Unit
    successor_code: str | None
    successor_name: str
    moves: dict = field(default_factory=dict)
    why: str = ""


@dataclass
class Plan:
    province_name: str
    prefix: str
    steps: list[Step]

    @property
    def closing(self) -> list[Step]:
        return [s for s in self.steps if s.successor_code]

    @property
    def unplaced(self) -> list[Step]:
        return [s for s in self.steps if not s.successor_code]


def _province_or_close_names(name: str) -> dict:
    try:
        return find_province(name)
    except ApplicationError as exc:
        if exc.code != "unknown_province":
            raise
        names = [p["name"] for p in current_provinces()]
        folded = {fold(n): n for n in names}
        close = difflib.get_close_matches(fold(name), list(folded), n=5, cutoff=0.5)
        hint = ", ".join(folded[c] for c in close) or ", ".join(names)
        raise ApplicationError(
            f"Không có tỉnh, thành phố “{name}” trong danh mục hiện hành. Gần giống: {hint}.",
            code="unknown_province",
        ) from exc


def _new_ward_code(commune: Unit, district: Unit, province: Unit) -> tuple[str | None, str]:
    """The 2025 ward code of an old commune, by vietnamadminunits' conversion."""
    from vietnamadminunits import convert_address

    no_geocoding()  # the address here has no street, but never ask a remote service anyway

    address = f"{commune.division_name}, {district.division_name}, {province.division_name}"
    try:
        converted = convert_address(address)
    except Exception as exc:  # noqa: BLE001 - the library raises plain exceptions on no match
        return None, f"không chuyển đổi được “{address}”: {exc}"
    old = getattr(converted, "OldAdminUnit", None)
    # The conversion must have read this very commune: by its code, or — for a commune merged
    # before 2025 (Xã Lão Hộ into Phường Tân An, 2024) — by a name the data records for the
    # commune it became. Never a namesake or a near spelling.
    if old is None:
        return None, f"dữ liệu chuyển đổi không nhận ra “{address}”"
    if (old.ward_code or "").zfill(5) != commune.division_code.zfill(5):
        name = re.sub(r"[^a-z0-9]", "", fold(commune.division_name))
        if name not in merged_names(old.ward_code):
            return None, f"dữ liệu chuyển đổi không nhận ra “{address}”"
    return (converted.ward_code or "").zfill(5) or None, ""


def _moves(unit: Unit) -> dict:
    """What is still running at the unit, by each app that holds some (its ``unit_handover``),
    leaving out what it has none of."""
    counts = {}
    for handover in discovery.unit_handovers():
        counts.update(handover.running_work(unit))
    return {k: v for k, v in counts.items() if v}


def plan_reorganization(province_name: str, *, successors: dict[str, str] | None = None) -> Plan:
    """What the move would do; reads only. ``successors`` (old unit code → today's ward code)
    places what the conversion data cannot: communes merged before 2025 whose successor a
    commander knows from the province's resolution."""
    successors = {k.strip().upper(): v.strip() for k, v in (successors or {}).items()}
    province = _province_or_close_names(province_name)
    prefix = f"T{province['code']:02d}"
    new_name = police_name(province["name"], province["division_type"])
    new_wards = {f"{w['code']:05d}": w for w in province["wards"]}
    steps: list[Step] = []
    roots = Unit.objects.filter(parent=None, is_active=True, kind__code="province").exclude(
        code=prefix
    )
    for root in roots:
        children = list(root.children.filter(is_active=True).select_related("kind"))
        communes = [
            (c, d)
            for d in children
            if d.kind.code == "district"
            for c in d.children.filter(is_active=True, kind__code="commune")
        ]
        placed = {}
        for commune, district in communes:
            if commune.code in successors:
                code, why = successors[commune.code].zfill(5), "mã xã mới không có trong tỉnh"
            else:
                code, why = _new_ward_code(commune, district, root)
            placed[commune.pk] = (code if code in new_wards else None, why or "ngoài tỉnh mới")
        # An old province belongs to this move when its communes land in the new province.
        if not communes or not any(code for code, _ in placed.values()):
            continue
        for commune, _district in communes:
            code, why = placed[commune.pk]
            ward = new_wards.get(code) if code else None
            steps.append(
                Step(
                    unit=commune,
                    successor_code=f"{prefix}-X{code}" if ward else None,
                    successor_name=police_name(ward["name"], ward["division_type"]) if ward else "",
                    moves=_moves(commune),
                    why="" if ward else why,
                )
            )
        for child in children:
            if child.kind.code == "department":
                short = child.short_name or child.code.rsplit("-", 1)[-1]
                steps.append(
                    Step(child, f"{prefix}-{short}", f"{child.name} ({new_name})", _moves(child))
                )
            else:  # district police ended on 1 March 2025: into the province
                steps.append(Step(child, prefix, new_name, _moves(child)))
        steps.append(Step(root, prefix, new_name, _moves(root)))
    # Communes left open by an earlier run (the conversion could not place them): placed now
    # if a successor is given, else listed again.
    left = Unit.objects.filter(
        is_active=True, kind__code="commune", parent__is_active=False
    ).exclude(pk__in=[s.unit.pk for s in steps])
    for commune in left:
        code = successors.get(commune.code, "").zfill(5) if commune.code in successors else None
        ward = new_wards.get(code) if code else None
        steps.append(
            Step(
                unit=commune,
                successor_code=f"{prefix}-X{code}" if ward else None,
                successor_name=police_name(ward["name"], ward["division_type"]) if ward else "",
                moves=_moves(commune),
                why="" if ward else "chưa có đơn vị kế thừa (--successor)",
            )
        )
    return Plan(province_name=province["name"], prefix=prefix, steps=steps)


def reorganize(province_name: str, *, successors: dict[str, str] | None = None, by=None) -> Plan:
    """Run the plan in one transaction; a second run finds nothing to do."""
    plan = plan_reorganization(province_name, successors=successors)
    if not plan.closing:
        return plan
    try:
        with transaction.atomic():
            # Lock the old units first: someone editing them meanwhile makes the move fail
            # whole rather than half-done.
            ids = [s.unit.pk for s in plan.closing]
            locked = Unit.objects.select_for_update(nowait=True).filter(pk__in=ids, is_active=True)
            if locked.count() != len(ids):
                raise ApplicationError(
                    "Mạng lưới vừa bị thay đổi trong lúc sắp xếp lại; không có gì thay đổi. "
                    "Hãy chạy lại lệnh.",
                    code="conflict",
                    status=409,
                )
            import_province_network(province_name=plan.province_name)
            successors = {
                u.code: u
                for u in Unit.objects.filter(
                    code__in={plan.prefix, *(s.successor_code for s in plan.closing)}
                )
            }
            root = successors[plan.prefix]
            for step in plan.closing:
                successor = successors.get(step.successor_code, root)
                _move_running_work(step.unit, successor)
                unit_close(unit=step.unit, successor=successor, by=by)
    except DatabaseError as exc:
        raise ApplicationError(
            "Không khoá được các đơn vị cũ (có người đang sửa); không có gì thay đổi. "
            "Hãy chạy lại lệnh.",
            code="conflict",
            status=409,
        ) from exc
    return plan


def _move_running_work(unit: Unit, successor: Unit) -> None:
    note = (
        f"{unit.name} kết thúc hoạt động (sắp xếp lại tổ chức năm 2025); vụ việc chuyển về "
        f"{successor.name}."
    )
    for handover in discovery.unit_handovers():
        handover.hand_over(from_unit=unit, to_unit=successor, note=note)
