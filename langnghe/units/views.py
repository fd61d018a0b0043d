from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render

from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.discovery import unit_page_sections

from . import pagecache, selectors
from .addresses import resolve, units_for_address
from .forms import AddressForm


def home(request):
    """Public home: the four things citizens come for (a procedure, a tip or feedback, tracking,
    the duty desk), the emergency numbers, the unit serving the citizen — by a typed address
    (sent in a POST body, never in the URL: NĐ 13/2023/NĐ-CP) or by the browser's location when
    the citizen presses "Dùng vị trí của tôi" (units/nearest.js then reloads the page with
    ``?lat=&lon=``, rounded to about 1 km) — and the directory of units, searched by name."""
    q = request.GET.get("q", "").strip()
    error = None
    units = selectors.unit_queryset().order_by("path")
    nearest = nearest_context(request, link=lambda unit: unit.get_absolute_url())
    served = _served_context(request)
    if q:
        try:
            units = units_for_address(q)
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
            **nearest,
            **served,
        },
    )


def _served_context(request) -> dict:
    """The unit serving a typed address (the home page's "nearest unit" box): one unit, units
    to choose from (with why), or "outside this site's area". Neither the address nor what it
    resolved to is stored or logged."""

    context = {"address_asked": False, "address_unit": None, "address_error": None}
    if request.method != "POST":
        return context
    form = AddressForm(request.POST)
    address = form.cleaned_data["address"][:300] if form.is_valid() else ""
    context["address_asked"] = True
    if not address:
        context["address_error"] = "Hãy nhập địa chỉ: phường/xã và tỉnh."
        return context
    found = resolve(address)
    if found.unit is not None:
        context["address_unit"] = found.unit
    elif found.choices:
        context["address_choices"] = found.choices
        context["address_parent"] = found.parent
        context["address_note"] = found.note
    elif found.outside:
        context["address_error"] = found.outside_text
    else:
        context["address_error"] = (
            "Chưa xác định được đơn vị từ địa chỉ này. Hãy ghi rõ phường/xã và tỉnh "
            "(ví dụ: Phường Thọ Xương, Bắc Giang), hoặc tìm trong danh bạ bên dưới."
        )
    return context


def nearest_context(request, *, link) -> dict:
    """Template context of the "nearest unit" block (units/_nearest.html), shared by the home
    page and the survey picker; ``link(unit)`` is where each found unit leads."""
    try:
        location = selectors.location_from_query(request.GET.get("lat"), request.GET.get("lon"))
    except ApplicationError as exc:
        return {"located": True, "near": [], "near_error": exc.message}
    if location is None:
        return {"located": False, "near": [], "near_error": None}
    near = selectors.nearest_units(latitude=location[0], longitude=location[1])
    for item in near:
        item.link = link(item.unit)
    return {"located": True, "near": near, "near_error": None}


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
