from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render

from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.discovery import unit_page_sections

from . import pagecache, selectors


def home(request):
    """Public home: the unit directory, searchable without diacritics, no JavaScript needed."""
    q = request.GET.get("q", "").strip()
    error = None
    units = selectors.unit_queryset().order_by("path")
    if q:
        try:
            units = selectors.unit_list(q=q)
        except ApplicationError as exc:
            error, units = exc.message, units.none()
    page = Paginator(units, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "units/home.html",
        {
            "q": q,
            "page": page,
            "error": error,
            "result_count": page.paginator.count,
        },
    )


def unit_page(request, slug: str):
    if (successor := selectors.closed_unit_successor(slug=slug)) is not None:
        # A unit that ended (the 2025 reorganisation): its old page, links and posters lead
        # to the unit that carries on, which says where the visitor came from.
        return HttpResponsePermanentRedirect(f"{successor.get_absolute_url()}?tu={slug}")
    unit = _unit_or_404(slug)
    # Kept whole for anonymous visitors (pagecache.anonymous_page_cache) until the unit or one
    # of its ancestors (whose posts show here) changes.
    versions = pagecache.versions_now([*unit.ancestor_ids, unit.pk])
    children = selectors.unit_queryset().filter(parent=unit).order_by("name")
    response = render(
        request,
        "units/unit.html",
        {
            "unit": unit,
            "ancestors": selectors.ancestors(unit),
            "children": children,
            "unit_sections": unit_page_sections(request, unit),
            "predecessors": unit.predecessors.order_by("name"),
            "came_from": unit.predecessors.filter(slug=request.GET.get("tu", "")).first(),
        },
    )
    return pagecache.mark(response, versions)


def _unit_or_404(slug: str):
    try:
        return selectors.unit_get_by_slug(slug=slug)
    except NotFound as exc:
        raise Http404 from exc
