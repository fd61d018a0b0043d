"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML (open311.github.io GeoReport_v2).

- services = categories; the definition of each has two optional attributes: ``unit`` (the
  code of the receiving unit) and ``anonymous`` (true/false).
- POST requests: form-encoded, ``api_key`` required (``langnghe open311_key --name NAME``);
  a location is required (``address_string``, ``lat``+``long`` or ``address_id``); the address
  decides the unit, else the province desk. Returns ``service_request_id`` (the tracking code)
  and a ``token`` (the same code: tokens/{token} resolves at once).
- GET requests lists cases except crime reports, denunciations (by category, or by what the
  triage read in the description) and anonymous tips, which are readable only by
  their id. No description, reporter or exact location is ever published: ``address`` is the
  area of the responsible unit; ``status_notes`` is the system's fixed wording plus only what
  an officer marked public (``Case.public_summary``), never the result written to a reporter.
- Reading by id (``service_request_id``, at most 10 a request; ``requests/{id}``,
  ``tokens/{id}``) spends the caller's tracking-code budget (``lookups.py``): 429 past it.
- Internal states map down to open/closed (resolved, declined, merged → closed).
"""

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML, never parse input

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from langnghe.core.dates import parse_date
from langnghe.core.exceptions import ApplicationError
from langnghe.core.forms import first_error
from langnghe.units.selectors import unit_current, units_current

from . import selectors, services
from .calendar import TZ
from .forms import Open311RequestForm
from .lookups import MAX_CODES_PER_REQUEST, RATE_LIMITED, lookup_limited
from .models import CLOSED_STATUSES, OPEN_STATUSES, Case, Category, Channel, Open311Client
from .policies import NEVER_PUBLIC_CATEGORIES

MAX_RANGE = dt.timedelta(days=90)
LIST_LIMIT = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering ----------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str:
    return value.astimezone(TZ).isoformat(timespec="seconds") if value else ""


def _xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        _fill(ET.SubElement(root, item_tag) if item_tag else root, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _fill(node: ET.Element, item: dict) -> None:
    for key, value in item.items():
        if isinstance(value, list):
            container = ET.SubElement(node, key)
            child_tag = {"attributes": "attribute", "values": "value", "keywords": "keyword"}.get(
                key, "item"
            )
            for element in value:
                child = ET.SubElement(container, child_tag)
                if isinstance(element, dict):
                    _fill(child, element)
                else:
                    child.text = str(element)
        elif isinstance(value, dict):
            _fill(ET.SubElement(node, key), value)
        else:
            child = ET.SubElement(node, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)


def _respond(fmt: str, root_tag: str, item_tag: str, items, status: int = 200):
    if fmt == "xml":
        return HttpResponse(
            _xml(root_tag, item_tag, items), status=status, content_type="text/xml; charset=utf-8"
        )
    if root_tag == "service_definition":
        return JsonResponse(items[0], status=status, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(items, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str):
    return _respond(
        fmt, "errors", "error", [{"code": status, "description": description}], status=status
    )


def _handle(view):
    def wrapper(request, fmt, *args, **kwargs):
        try:
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
        except ApplicationError as exc:
            return _error(fmt, exc.status, exc.message)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- representation -------------------------------------------------------------------------------


def service_item(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": True,
        "type": "realtime",
        "keywords": category.legal_basis,
        "group": "Công an",
    }


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "unit",
                "datatype": "string",
                "required": False,
                "datatype_description": "Mã đơn vị nhận, ví dụ BG-X07201",
                "order": 1,
                "description": "Đơn vị Công an nhận (không bắt buộc; mặc định theo địa chỉ)",
            },
            {
                "variable": True,
                "code": "anonymous",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "",
                "order": 2,
                "description": "Gửi ẩn danh"
                if category.allows_anonymous
                else "Loại này không nhận tin ẩn danh",
                "values": [{"key": "false", "name": "Không"}]
                + ([{"key": "true", "name": "Có"}] if category.allows_anonymous else []),
            },
        ],
    }


def request_item(case: Case, current: dict | None = None) -> dict:
    """One request. ``current`` ({unit id: unit}, from ``units_current``): the unit carrying on
    a closed one (#25) is the agency responsible today."""
    unit = (current or {}).get(case.unit_id) or unit_current(case.unit)
    note = " ".join(text for text in (case.status_note, case.public_summary) if text)
    return {
        "service_request_id": case.tracking_code,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": note or case.get_status_display(),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": "",
        "agency_responsible": unit.name,
        "service_notice": "",
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.next_due_at),
        "address": case.unit.division_name,
        "address_id": "",
        "zipcode": "",
        "media_url": "",
    }


# --- views ----------------------------------------------------------------------------------------


@require_GET
@_handle
def services_list(request, fmt):
    items = [service_item(c) for c in selectors.category_list()]
    return _respond(fmt, "services", "service", items)


@require_GET
@_handle
def service_detail(request, fmt, code):
    category = selectors.category_list().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"Không có dịch vụ “{code}”.")
    return _respond(fmt, "service_definition", "", [service_definition(category)])


def _client(api_key: str) -> Open311Client:
    if not api_key:
        raise Open311Error(403, "Thiếu api_key.")
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    client = Open311Client.objects.filter(key_hash=digest, revoked_at__isnull=True).first()
    if client is None:
        raise Open311Error(403, "api_key không hợp lệ.")
    return client


def _parse_date(value: str, name: str) -> dt.datetime | None:
    try:
        return parse_date(value, field=name, with_time=True)
    except ApplicationError as exc:
        raise Open311Error(400, exc.message) from None


def _create(request, fmt):
    if is_ratelimited(
        request, group="open311.post", key="ip", rate="30/m", method="POST", increment=True
    ):
        raise Open311Error(429, "Quá nhiều yêu cầu, vui lòng thử lại sau.")
    form = Open311RequestForm(request.POST)
    if not form.is_valid():
        raise Open311Error(400, first_error(form))
    data = form.cleaned_data
    client = _client(data["api_key"])
    code = data["service_code"]
    if not code:
        raise Open311Error(400, "Thiếu service_code.")
    address = data["address_string"]
    lat, long = data["lat"], data["long"]
    if not (address or (lat and long) or data["address_id"]):
        raise Open311Error(400, "Cần vị trí: address_string, lat và long, hoặc address_id.")
    description = data["description"]
    if len(description) > 4000:
        raise Open311Error(400, "description tối đa 4000 ký tự.")
    name = " ".join(p for p in (data["first_name"], data["last_name"]) if p)
    reporter = {"name": name, "phone": data["phone"], "email": data["email"]}
    anonymous = data["attribute[anonymous]"].lower() == "true" or not (name and reporter["phone"])
    case, _receipt = services.case_create(
        category_code=code,
        description=description,
        unit_code=data["attribute[unit]"] or None,
        address=address,
        is_anonymous=anonymous,
        reporter=None if anonymous else reporter,
        location={"lat": lat, "long": long} if lat and long else None,
        channel=Channel.OPEN311,
        open311_client=client,
    )
    # An Open311 client has no place for the receipt: it follows up by service_request_id.
    notice = f"Đã chuyển đến {case.unit.name}. Mã tra cứu: {case.tracking_code}."
    return _respond(
        fmt,
        "service_requests",
        "request",
        [
            {
                "service_request_id": case.tracking_code,
                "token": case.tracking_code,
                "service_notice": notice,
                "account_id": "",
            }
        ],
        status=201,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_handle
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    qs = Case.objects.select_related("category", "unit").order_by("-received_at")
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_CODES_PER_REQUEST:
            raise Open311Error(
                400, f"Tối đa {MAX_CODES_PER_REQUEST} service_request_id mỗi yêu cầu."
            )
        _spend_lookups(request, len(ids))
        qs = qs.filter(tracking_code__in=ids)
    else:
        qs = (
            qs.exclude(category__code__in=NEVER_PUBLIC_CATEGORIES)
            .exclude(triage_category__in=NEVER_PUBLIC_CATEGORIES)
            .exclude(is_anonymous=True)
        )
        end = _parse_date(params.get("end_date", ""), "end_date") or timezone.now()
        start = _parse_date(params.get("start_date", ""), "start_date") or end - MAX_RANGE
        if end - start > MAX_RANGE:
            raise Open311Error(400, "Khoảng thời gian tối đa 90 ngày.")
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
        if code := params.get("service_code", "").strip():
            qs = qs.filter(category__code__in=code.split(","))
        status = params.get("status", "").strip()
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status == "closed":
            qs = qs.filter(status__in=CLOSED_STATUSES)
        elif status:
            raise Open311Error(400, "status phải là open hoặc closed.")
    cases = list(qs[:LIST_LIMIT])
    current = units_current({c.unit for c in cases})
    items = [request_item(c, current) for c in cases]
    return _respond(fmt, "service_requests", "request", items)


def _spend_lookups(request, codes: int) -> None:
    if lookup_limited(request, codes):
        raise Open311Error(429, RATE_LIMITED)


@require_GET
@_handle
def request_detail(request, fmt, request_id):
    _spend_lookups(request, 1)
    case = (
        Case.objects.select_related("category", "unit")
        .filter(tracking_code=request_id.strip().upper())
        .first()
    )
    if case is None:
        raise Open311Error(404, f"Không có yêu cầu “{request_id}”.")
    return _respond(fmt, "service_requests", "request", [request_item(case)])


@require_GET
@_handle
def token_detail(request, fmt, token):
    _spend_lookups(request, 1)
    case = Case.objects.filter(tracking_code=token.strip().upper()).first()
    if case is None:
        raise Open311Error(404, f"Không có token “{token}”.")
    return _respond(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": case.tracking_code, "token": token}],
    )
