from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
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
            "top_units": selectors.unit_queryset().filter(depth__lte=1).order_by("path")
            if not q
            else None,
        },
    )


def unit_page(request, slug: str):
    try:
        unit = selectors.unit_get_by_slug(slug=slug)
    except NotFound as exc:
        raise Http404 from exc
    key = pagecache.body_key(unit, get_language() or "")
    body = pagecache.body_get(request, key)
    if body is None:
        children = selectors.unit_queryset().filter(parent=unit).order_by("name")
        body = render_to_string(
            "units/_unit_body.html",
            {
                "unit": unit,
                "ancestors": selectors.ancestors(unit),
                "children": children,
                "unit_sections": unit_page_sections(request, unit),
            },
            request=request,
        )
        pagecache.body_set(key, body)
    return render(request, "units/unit.html", {"unit": unit, "body": mark_safe(body)})  # noqa: S308 — our own rendered template
