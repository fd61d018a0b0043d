from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

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
    # Anonymous GET without a query string: the whole page comes from the cache (pagecache).
    cacheable = request.method == "GET" and not request.GET and not request.user.is_authenticated
    ref = pagecache.unit_ref(slug) if cacheable else None
    unit = None
    if ref is None:
        unit = _unit_or_404(slug)
        ref = pagecache.unit_ref_set(slug, unit) if cacheable else None
    key = pagecache.page_key(ref, get_language() or "") if cacheable else None
    html = pagecache.page_get(request, key) if key else None
    if html is not None:
        return HttpResponse(html)
    unit = unit or _unit_or_404(slug)
    children = selectors.unit_queryset().filter(parent=unit).order_by("name")
    response = render(
        request,
        "units/unit.html",
        {
            "unit": unit,
            "ancestors": selectors.ancestors(unit),
            "children": children,
            "unit_sections": unit_page_sections(request, unit),
        },
    )
    if key:
        pagecache.page_set(key, response.content.decode())
    return response


def _unit_or_404(slug: str):
    try:
        return selectors.unit_get_by_slug(slug=slug)
    except NotFound as exc:
        raise Http404 from exc
