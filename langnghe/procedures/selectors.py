"""Reads of the procedure catalogue. Procedures are public reference data owned by no unit,
so no scope check applies; which units handle one is read off its handlers."""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.memo import ProcessMemo
from langnghe.core.text import words
from langnghe.units.networks import DEPARTMENTS

from .confidence import assess
from .elsewhere import Agency
from .models import Field, HandlerKind, Procedure
from .search import MAX_QUERY_LENGTH, Hit, SearchIndex

# How long a process trusts its index before asking the database whether the catalogue
# changed (one aggregate query). Writes in this process invalidate it at once.
INDEX_RECHECK_SECONDS = 2.0
MAX_LIMIT = 50


def procedure_queryset() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_active=True).prefetch_related("handlers")


def procedure_get(*, code: str) -> Procedure:
    procedure = procedure_queryset().filter(code=(code or "").strip()).first()
    if procedure is None:
        raise NotFound("Không có thủ tục này.", code="procedure_not_found")
    return procedure


def procedure_list(*, field: str | None = None) -> QuerySet[Procedure]:
    qs = procedure_queryset()
    if field:
        if field not in Field.values:
            raise ApplicationError(
                f"Lĩnh vực “{field}” không có. Các lĩnh vực: {', '.join(Field.values)}.",
                code="unknown_field",
                field="field",
            )
        qs = qs.filter(field=field)
    return qs.order_by("position", "code")


def handler_filter_for_unit(unit) -> Q | None:
    """Which procedures a unit settles: a commune its commune-level ones, a department its
    own (by short name: PA08, PC06, PC07, PC08), the province its provincial ones."""
    kind = unit.kind.code
    if kind == HandlerKind.COMMUNE:
        return Q(handlers__kind=HandlerKind.COMMUNE)
    if kind == HandlerKind.DEPARTMENT:
        return Q(
            handlers__kind=HandlerKind.DEPARTMENT,
            handlers__department__iexact=(unit.short_name or "").strip(),
        )
    if kind == HandlerKind.PROVINCE:
        return Q(handlers__kind=HandlerKind.PROVINCE)
    return None


def procedures_for_unit(unit) -> QuerySet[Procedure]:
    condition = handler_filter_for_unit(unit)
    if condition is None:
        return Procedure.objects.none()
    return procedure_queryset().filter(condition).distinct().order_by("position", "code")


@dataclass
class ProcedureGroup:
    title: str
    procedures: list[Procedure]


def procedures_by_level() -> list[ProcedureGroup]:
    """The whole catalogue grouped by who settles it: commune police, each department, the
    province itself (for the province's page)."""
    procedures = list(procedure_queryset().order_by("position", "code"))
    groups = [
        ProcedureGroup(
            "Công an cấp xã, phường",
            [p for p in procedures if any(h.kind == HandlerKind.COMMUNE for h in p.handlers.all())],
        )
    ]
    for short, name in DEPARTMENTS:
        groups.append(
            ProcedureGroup(
                f"{name} ({short})",
                [
                    p
                    for p in procedures
                    if any(
                        h.kind == HandlerKind.DEPARTMENT and h.department == short
                        for h in p.handlers.all()
                    )
                ],
            )
        )
    groups.append(
        ProcedureGroup(
            "Công an tỉnh (các phòng khác)",
            [
                p
                for p in procedures
                if any(h.kind == HandlerKind.PROVINCE for h in p.handlers.all())
            ],
        )
    )
    return [g for g in groups if g.procedures]


def active_fee_reductions(procedure: Procedure, *, today: datetime.date | None = None) -> list:
    """Reductions still in force; each ends on its ``until`` date (inclusive)."""
    today = today or timezone.localdate()
    return [r for r in procedure.fee_reductions if datetime.date.fromisoformat(r["until"]) >= today]


# --- Search ------------------------------------------------------------------------------

_index_lock = threading.Lock()
_index_state: dict = {"version": None, "index": None, "checked_at": 0.0}


def _catalogue_version() -> tuple:
    row = Procedure.objects.aggregate(
        n=Count("id"), latest=Max("updated_at"), active=Count("id", filter=Q(is_active=True))
    )
    return (row["n"], row["active"], row["latest"])


def index_row(
    *, code: str, name: str, field: str, aliases: list, summary: str, search_weight: float = 1.0
) -> dict:
    """What the search index knows of one procedure. Built only from stored fields, so an
    index built on SQLite and one built on PostgreSQL (or from the data file) are identical."""
    return {
        "code": code,
        "title": name,
        "url": f"/thu-tuc/{code}/",
        "field": field,
        "field_label": dict(Field.choices).get(field, field),
        "name": name,
        "aliases": list(aliases),
        "summary": summary,
        "search_weight": search_weight,
    }


def _build_index() -> SearchIndex:
    procedures = Procedure.objects.filter(is_active=True).order_by("position", "code")
    return SearchIndex.build(
        [
            index_row(
                code=p.code,
                name=p.name,
                field=p.field,
                aliases=p.aliases,
                summary=p.summary,
                search_weight=p.search_weight,
            )
            for p in procedures
        ]
    )


def search_index() -> SearchIndex:
    """The process's index, rebuilt when the catalogue's version (row count, last update)
    differs from the one it was built from. Safe with many processes: each checks the
    database at most every INDEX_RECHECK_SECONDS."""
    now = time.monotonic()
    state = _index_state
    if state["index"] is not None and now - state["checked_at"] < INDEX_RECHECK_SECONDS:
        return state["index"]
    with _index_lock:
        version = _catalogue_version()
        if state["index"] is None or version != state["version"]:
            state["index"] = _build_index()
            state["version"] = version
        state["checked_at"] = time.monotonic()
        return state["index"]


def search_index_invalidate() -> None:
    _index_state.update(version=None, index=None, checked_at=0.0)


@dataclass
class SearchResult:
    """Ranked procedures, whether one of them answers the question (``confidence``), and the
    other agency that does when the question names one."""

    hits: list[Hit]
    confident: bool
    elsewhere: Agency | None = None
    reason: str = ""


def procedure_search_assessed(*, q: str | None, limit: int = 10) -> SearchResult:
    """``procedure_search`` with its confidence: the hits may be listed when not confident
    (as "có thể liên quan"), but no answer may present them as the answer."""
    hits = procedure_search(q=q, limit=limit)
    if not hits and not words(q or ""):
        return SearchResult(hits=[], confident=False, reason="empty query")
    index = search_index()
    # The assessment reads the best hit's word-by-word match; a limit of 1 still has it.
    assessment = assess(hits, index.query_words(q or ""))
    return SearchResult(
        hits=hits,
        confident=assessment.confident,
        elsewhere=assessment.elsewhere,
        reason=assessment.reason,
    )


def procedure_search(*, q: str | None, limit: int = 10) -> list[Hit]:
    """Best matches first. An empty or symbol-only query gives no result; a query over
    MAX_QUERY_LENGTH characters is refused with a clear message."""
    q = q or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise ApplicationError(
            f"Câu tìm kiếm quá dài (tối đa {MAX_QUERY_LENGTH} ký tự).",
            code="query_too_long",
            field="q",
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise ApplicationError(
            f"Số kết quả phải từ 1 đến {MAX_LIMIT}.", code="invalid_limit", field="limit"
        )
    if not words(q):
        return []
    return search_index().search(q, limit=limit)


# --- Answers in conversation ------------------------------------------------------------

# Below these the best match is a guess (a weak word or two in common): better no answer.
# Confident = a two-word term matched and a quarter of the question's words did, or three
# quarters of its words matched one by one.
ANSWER_MIN_SCORE = 2.5
ANSWER_MIN_COVERAGE_WITH_PHRASE = 0.25
ANSWER_MIN_COVERAGE_WORDS_ONLY = 0.75


@dataclass
class ProcedureAnswer:
    procedure: Procedure
    score: float
    text: str
    url: str


def _answer_text(procedure: Procedure, url: str) -> str:
    lines = [f"Thủ tục: {procedure.name}."]
    kinds = {h.kind for h in procedure.handlers.all()}
    departments = [h.department for h in procedure.handlers.all() if h.department]
    places = []
    if HandlerKind.COMMUNE in kinds:
        places.append("Công an xã, phường nơi ông/bà cư trú")
    if departments:
        places.append("phòng " + ", ".join(departments) + " Công an tỉnh")
    if HandlerKind.PROVINCE in kinds:
        places.append("Công an tỉnh")
    if places:
        lines.append("Nơi nộp: " + "; ".join(places) + ".")
    if procedure.documents:
        lines.append("Cần chuẩn bị: " + "; ".join(procedure.documents[:4]) + ".")
    lines.append(f"Thời hạn: {procedure.processing_time}.")
    fee = procedure.fee
    reductions = active_fee_reductions(procedure)
    if reductions:
        r = reductions[0]
        until = datetime.date.fromisoformat(r["until"]).strftime("%d/%m/%Y")
        fee += f" (hiện giảm: {r['text']}, đến {until})"
    lines.append(f"Lệ phí: {fee}.")
    if procedure.online:
        lines.append(f"Nộp trực tuyến: {procedure.online}.")
    lines.append(f"Chi tiết: {url}")
    return "\n".join(lines)


def procedure_answer(question: str) -> ProcedureAnswer | None:
    """The procedure a citizen's question is about, with a short Vietnamese answer
    (where, documents, time, fee), or None when nothing matches well enough.

    Never raises on bad input: an empty, symbol-only or over-long question gives None.
    The same question asked again (a flood of it at night) is answered from this process's
    memory (``_answers``): the search and the catalogue are read once; a new question about a
    procedure already quoted is searched, but its procedure is not read again (``_quoted``)."""
    if not question or len(question) > MAX_QUERY_LENGTH or not words(question):
        return None
    return _answers.get(question, lambda: (_procedure_answer(question),))[0]


# Answers kept per process by question, and the procedure each quotes (with its answer text)
# by code; a catalogue edit shows in them within this many seconds.
_answers = ProcessMemo(getattr(settings, "LANGNGHE_PROCEDURE_ANSWER_TTL", 30.0), max_size=2000)
_quoted = ProcessMemo(getattr(settings, "LANGNGHE_PROCEDURE_ANSWER_TTL", 30.0), max_size=2000)


def _procedure_answer(question: str) -> ProcedureAnswer | None:
    index = search_index()
    hits = index.search(question, limit=1)
    if not hits or hits[0].score < ANSWER_MIN_SCORE:
        return None
    best = hits[0]
    # The search's own confidence (``confidence.assess``) first: a question about another
    # agency's procedure, or one whose words match only one by one, gets no answer.
    if not assess(hits, index.query_words(question)).confident:
        return None
    confident = (best.phrase and best.coverage >= ANSWER_MIN_COVERAGE_WITH_PHRASE) or (
        best.coverage >= ANSWER_MIN_COVERAGE_WORDS_ONLY
    )
    if not confident:
        return None
    quoted = _quoted.get(best.code, lambda: _quote(best.code))
    if quoted is None:
        return None
    procedure, text, url = quoted
    return ProcedureAnswer(procedure=procedure, score=best.score, text=text, url=url)


def _quote(code: str) -> tuple[Procedure, str, str] | None:
    """A published procedure with the answer text and address an automatic answer quotes."""
    procedure = procedure_queryset().filter(code=code).first()
    if procedure is None:
        return None
    url = settings.LANGNGHE_PUBLIC_URL + procedure.get_absolute_url()
    return procedure, _answer_text(procedure, url), url
