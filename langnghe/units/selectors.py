"""Reads of the unit tree. The directory (names, phones, hours) is public information;
data *owned* by a unit is read through ``langnghe.accounts.selectors.visible_units``."""

import math
import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When
from geopy.distance import geodesic

from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.text import fold
from langnghe.core.text import words as words_of

from .models import Unit, UnitKind


def unit_queryset() -> QuerySet[Unit]:
    return open_units().select_related("kind", "parent")


def open_units() -> QuerySet[Unit]:
    """The units that exist today: what lists, rankings, pickers and the directory show. A
    closed unit (``closed_at`` and ``successor`` set) is left out of them, though its history
    still counts under its successor, below which ``services.unit_close`` hangs it."""
    return Unit.objects.filter(is_active=True)


# A successor chain longer than this is a data error (a loop written by hand); never followed.
MAX_SUCCESSION = 32


def unit_current(unit: Unit) -> Unit:
    """The unit that carries on ``unit`` today: itself when it is open, else the end of its
    successor chain (a successor may have been closed in its turn). A loop or a chain without
    an end stops at the last unit seen, never loops. One query per step, none for an open
    unit."""
    return units_current([unit])[unit.pk]


def units_current(units) -> dict[int, Unit]:
    """``unit_current`` for many units at once (a list of cases): {unit id: current unit}, one
    query per step of the longest chain, none when every unit is open."""
    current = {u.pk: u for u in units}
    pending = {pk: u for pk, u in current.items() if u.successor_id and not u.is_active}
    seen = {pk: {pk} for pk in pending}
    for _step in range(MAX_SUCCESSION):
        if not pending:
            break
        wanted = {u.successor_id for u in pending.values()}
        found = Unit.objects.select_related("kind", "parent").in_bulk(wanted)
        still = {}
        for pk, tip in pending.items():
            successor = found.get(tip.successor_id)
            if successor is None or successor.pk in seen[pk]:
                continue  # a loop: the last unit seen stands
            current[pk] = successor
            seen[pk].add(successor.pk)
            if successor.successor_id and not successor.is_active:
                still[pk] = successor
        pending = still
    return current


def subtree(unit: Unit, *, include_self: bool = True) -> QuerySet[Unit]:
    """The unit and everything below it: one indexed prefix match on the path."""
    qs = Unit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def subtree_ids(unit: Unit) -> list[int]:
    """Ids of the unit and everything below it. Filtering big tables by ``unit_id IN (ids)``
    lets PostgreSQL use their (unit, day) indexes; a join on the path prefix cannot."""
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def ancestors(unit: Unit) -> list[Unit]:
    """From the root down to the parent, in order."""
    ids = unit.ancestor_ids
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("kind")}
    return [by_id[i] for i in ids if i in by_id]


def unit_get(*, code: str) -> Unit:
    unit = unit_queryset().filter(code__iexact=(code or "").strip()).first()
    if unit is None:
        raise NotFound(f"Không có đơn vị mã “{code}”.", code="unit_not_found")
    return unit


def unit_get_by_slug(*, slug: str) -> Unit:
    unit = unit_queryset().filter(slug=slug).first()
    if unit is None:
        raise NotFound("Không có đơn vị này.", code="unit_not_found")
    return unit


def unit_list(
    *,
    kind: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    within: QuerySet[Unit] | None = None,
) -> QuerySet[Unit]:
    """Directory listing with filters. Unknown kind or parent is an error, not an empty list.

    ``q`` is matched without diacritics on every word: "tho xuong" finds "Thọ Xương". The
    administrative abbreviations citizens type are read as words ("tp" → "thành phố", "tx",
    "tt", "p", "x", "h", "q"). With a query the best matches come first (``_directory_rank``):
    the query as a phrase of whole words in the unit's name, then every word whole in it,
    then words found only as the start of longer ones ("phu" in "phường"); by path within.
    """
    qs = within if within is not None else unit_queryset()
    if kind:
        if not UnitKind.objects.filter(code=kind).exists():
            codes = ", ".join(UnitKind.objects.values_list("code", flat=True))
            raise ApplicationError(
                f"Cấp đơn vị “{kind}” không tồn tại. Các cấp: {codes}.",
                code="unknown_kind",
                field="kind",
            )
        qs = qs.filter(kind__code=kind)
    if parent:
        parent_unit = Unit.objects.filter(code__iexact=parent.strip()).first()
        if parent_unit is None:
            raise ApplicationError(
                f"Không có đơn vị cấp trên mã “{parent}”.", code="unknown_parent", field="parent"
            )
        qs = qs.filter(parent=parent_unit)
    if q is not None:
        folded = fold(q)
        if len(folded) > 200:
            raise ApplicationError(
                "Từ khóa tìm kiếm quá dài (tối đa 200 ký tự).", code="query_too_long", field="q"
            )
        query_words = directory_words(folded)
        for word in query_words:
            qs = qs.filter(search_text__contains=word)
        if query_words:
            return _ranked(qs, query_words)
    return qs.order_by("path")


# What citizens abbreviate in a unit's or a place's name (folded).
DIRECTORY_ABBREVIATIONS = {
    "tp": "thanh pho",
    "tx": "thi xa",
    "tt": "thi tran",
    "p": "phuong",
    "x": "xa",
    "h": "huyen",
    "q": "quan",
    "ca": "cong an",
}
# A directory answer is ranked in Python past this many candidates no more (a one-letter query
# over the whole province): those keep the tree's order.
RANK_AT_MOST = 500


def directory_words(folded: str) -> list[str]:
    """The words of a folded directory query, abbreviations written out ("tp." → "thanh pho")."""
    found: list[str] = []
    for word in re.split(r"[^\w]+", folded):
        if word:
            found.extend(DIRECTORY_ABBREVIATIONS.get(word, word).split())
    return found


def _directory_rank(unit: dict, query_words: list[str]) -> int:
    """0 = the query is a phrase of whole words in the name; 1 = every word is a whole word
    of the name; 2 = every word a whole word somewhere in the unit's searchable text; 3 = some
    word matched only inside a longer one."""
    name = f" {' '.join(words_of(unit['name']))} "
    if f" {' '.join(query_words)} " in name:
        return 0
    if all(f" {w} " in name for w in query_words):
        return 1
    text = f" {' '.join(words_of(unit['search_text']))} "
    if all(f" {w} " in text for w in query_words):
        return 2
    return 3


def _ranked(qs: QuerySet[Unit], query_words: list[str]) -> QuerySet[Unit]:
    candidates = list(qs.order_by().values("pk", "name", "search_text", "path")[: RANK_AT_MOST + 1])
    if len(candidates) > RANK_AT_MOST:
        return qs.order_by("path")
    ordered = sorted(candidates, key=lambda u: (_directory_rank(u, query_words), u["path"]))
    if not ordered:
        return qs.order_by("path")
    position = Case(
        *[When(pk=u["pk"], then=Value(i)) for i, u in enumerate(ordered)],
        output_field=IntegerField(),
    )
    return qs.order_by(position, "path")


def closed_unit_successor(*, slug: str = "", code: str = "") -> Unit | None:
    """The open successor of a closed unit given by slug or code (its old page, QR code or
    link); None when there is no such closed unit."""
    closed = Unit.objects.filter(is_active=False, successor__isnull=False)
    closed = closed.filter(slug=slug) if slug else closed.filter(code__iexact=code.strip())
    unit = closed.first() if (slug or code.strip()) else None
    if unit is None:
        return None
    current = unit_current(unit)
    return current if current.is_active else None


# --- Find your unit --------------------------------------------------------------------------

NEAREST_WITHIN_KM = 50.0  # farther than this is not "near": the page says nothing was found
KM_PER_DEGREE_LATITUDE = 111.0


@dataclass
class NearUnit:
    unit: Unit
    distance_km: float


def nearest_units(
    *, latitude: float, longitude: float, limit: int = 3, within_km: float = NEAREST_WITHIN_KM
) -> list[NearUnit]:
    """Open units nearest to a point, commune-level first (a citizen's own commune police is
    where most procedures and tips go), then the others; each group by distance.

    The database narrows to a box around the point (indexes are not needed at ~3,400 units,
    the box keeps the Python loop short); geopy measures on the WGS 84 ellipsoid. Only open
    units (``is_active``) with coordinates take part."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApplicationError("Vị trí không hợp lệ.", code="invalid_location")
    span_lat = within_km / KM_PER_DEGREE_LATITUDE
    span_lon = min(180.0, span_lat / max(0.01, math.cos(math.radians(latitude))))
    candidates = unit_queryset().filter(
        latitude__isnull=False,
        longitude__isnull=False,
        latitude__range=(latitude - span_lat, latitude + span_lat),
        longitude__range=(longitude - span_lon, longitude + span_lon),
    )
    near = []
    for unit in candidates:
        distance = geodesic((latitude, longitude), (unit.latitude, unit.longitude)).km
        if distance <= within_km:
            near.append(NearUnit(unit=unit, distance_km=round(distance, 2)))
    near.sort(key=lambda item: (item.unit.kind.code != "commune", item.distance_km))
    return near[:limit]


def location_from_query(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    """A location given in a page's query string (``?lat=21.28&lon=106.21``), or None when
    none was given. Anything else is an error said in Vietnamese, never a 500."""
    if not (lat or lon):
        return None
    try:
        latitude, longitude = float(lat or ""), float(lon or "")
    except ValueError:
        latitude = longitude = math.nan
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also false for NaN
        raise ApplicationError(
            "Vị trí không hợp lệ. Hãy bấm lại “Dùng vị trí của tôi” hoặc gõ tên phường, xã.",
            code="invalid_location",
        )
    return latitude, longitude


# --- unit pickers (search as you type, in the staff console) -----------------------------------

PICKER_LIMIT = 20


def unit_choices(*, within: QuerySet[Unit], q: str = "", limit: int = PICKER_LIMIT) -> list[Unit]:
    """The open units of ``within`` (a scope decided by the caller's access rule) matching
    ``q`` without diacritics ("tho xuong" → Công an phường Thọ Xương), best matches first."""
    qs = unit_list(q=q or None, within=within.filter(is_active=True).select_related("parent"))
    return list(qs[:limit])


def unit_choose(*, within: QuerySet[Unit], code: str = "", text: str = "", field: str) -> Unit:
    """The unit a picker chose: by ``code`` (the hidden field the picker fills), else by what
    was typed (a code or a name: the picker without JavaScript), among ``within`` only. A unit
    outside ``within``, an unknown one or an ambiguous name is refused in Vietnamese, with
    nothing to say whether a unit outside the scope exists."""
    within = within.filter(is_active=True)
    code, text = (code or "").strip(), " ".join((text or "").split())
    if not code and not text:
        raise ApplicationError("Vui lòng chọn đơn vị.", code="unit_required", field=field)
    if len(code) > 32 or len(text) > 200:
        raise ApplicationError("Không có đơn vị này.", code="unit_not_found", field=field)
    if code:
        unit = within.filter(code__iexact=code).first()
        if unit is None:
            raise ApplicationError(
                "Đơn vị đã chọn không thuộc danh sách đơn vị bạn được chọn.",
                code="unit_out_of_scope",
                field=field,
            )
        return unit
    unit = within.filter(code__iexact=text).first()
    if unit is not None:
        return unit
    folded = fold(text)
    query_words = directory_words(folded)
    matches = unit_choices(within=within, q=text, limit=RANK_AT_MOST)
    exact = [u for u in matches if fold(u.name) == folded or fold(u.short_name) == folded]
    if len(exact) == 1:
        return exact[0]
    # Typed words match parts of words too ("son" in "sơn động"); a guess is taken only when
    # one unit has every typed word whole in its name.
    whole = [u for u in matches if set(query_words) <= set(words_of(u.name))]
    if len(whole) == 1:
        return whole[0]
    if not whole:
        matches = []
    if not matches:
        raise ApplicationError(
            f"Không tìm thấy đơn vị “{text}” trong danh sách đơn vị bạn được chọn.",
            code="unit_not_found",
            field=field,
        )
    names = ", ".join(u.name for u in matches[:3])
    raise ApplicationError(
        f"Có {len(matches)} đơn vị khớp “{text}” (ví dụ: {names}): hãy gõ tên đầy đủ hơn.",
        code="unit_ambiguous",
        field=field,
    )
