import segno
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.triage.selectors import triage_text
from langnghe.units.selectors import unit_get_by_slug, unit_queryset

from . import display, selectors
from .models import Field


def _unit_or_404(slug: str):
    try:
        return unit_get_by_slug(slug=slug)
    except NotFound as exc:
        raise Http404 from exc


def procedure_home(request):
    """The catalogue by field, and the search citizens use (no JavaScript needed)."""
    q = request.GET.get("q", "").strip()
    hits, error, result = [], None, None
    if q:
        try:
            result = selectors.procedure_search_assessed(q=q, limit=10)
        except ApplicationError as exc:
            error = exc.message
        else:
            hits = result.hits
    reads_as_report = bool(result and not result.confident and _reads_as_report(q))
    if result and not result.confident:
        # Not sure: a few leads at most, none when the question is a report of a crime (a
        # beaten child is not a driving-licence matter).
        hits = [] if reads_as_report else hits[:3]
    groups = []
    if not q:
        labels = dict(Field.choices)
        by_field: dict[str, list] = {}
        for procedure in selectors.procedure_list():
            by_field.setdefault(procedure.field, []).append(procedure)
        groups = [(labels[f], items) for f, items in by_field.items()]
    return render(
        request,
        "procedures/home.html",
        {
            "q": q,
            "hits": hits,
            "error": error,
            "groups": groups,
            "confident": bool(result and result.confident),
            "elsewhere": result.elsewhere if result else None,
            "desk_chat_url": _desk_chat_url() if result and not result.confident else "",
            "reads_as_report": reads_as_report,
        },
    )


def _reads_as_report(q: str) -> bool:
    """The question tells of a crime or a danger (the triage that reads desk messages), so the
    way forward is a tip or 113, not a procedure."""

    result = triage_text(q)
    return result.category == "crime_report" or result.urgent


def _desk_chat_url() -> str:
    """Where a citizen asks the duty desk what the catalogue does not answer: the web chat of
    the deployment's top unit (every unit's page has its own; the home page finds it)."""
    top = unit_queryset().filter(parent__isnull=True).order_by("path").first()
    return f"/tro-chuyen/{top.code}/" if top else ""


def procedure_page(request, code: str):
    try:
        procedure = selectors.procedure_get(code=code)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "field_label": dict(Field.choices).get(procedure.field, procedure.field),
            "handlers": list(procedure.handlers.all()),
            "fee_reductions": selectors.active_fee_reductions(procedure),
            "sources": display.official_sources(procedure.source),
            "uncertain_topics": display.uncertain_topics(procedure.uncertain),
            "common_names": display.common_names(procedure.name, procedure.aliases),
        },
    )


def _unit_context(unit) -> dict:
    if unit.kind.code == "province":
        return {"unit": unit, "groups": selectors.procedures_by_level(), "procedures": None}
    return {"unit": unit, "groups": None, "procedures": list(selectors.procedures_for_unit(unit))}


def unit_procedures(request, slug: str):
    unit = _unit_or_404(slug)
    return render(request, "procedures/unit_list.html", _unit_context(unit))


def unit_sheet(request, slug: str):
    """A printable A4 sheet for the unit's counter: its procedures and a QR code to the list
    (Bắc Giang posted such codes at its 209 commune police)."""
    unit = _unit_or_404(slug)
    target = f"{settings.LANGNGHE_PUBLIC_URL}/thu-tuc/don-vi/{unit.slug}/"
    qr = segno.make(target, error="m")
    context = _unit_context(unit)
    # segno writes the SVG from the URL above; nothing in it comes from a request.
    svg = mark_safe(qr.svg_inline(scale=6, dark="#0b2545"))  # noqa: S308
    context.update(target=target, qr_svg=svg)
    return render(request, "procedures/unit_sheet.html", context)
