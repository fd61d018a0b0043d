"""Public unit directory API. Staff-scoped views of the tree are under /units/mine."""

from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from langnghe.accounts.auth import staff_auth
from langnghe.accounts.selectors import visible_units
from langnghe.core.pagination import Pages

from . import selectors
from .models import Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str = Field(alias="kind.code")
    parent_code: str | None = Field(None, alias="parent.code")
    division_code: str
    division_name: str
    hotline: str
    duty_phone: str
    url: str

    @staticmethod
    def resolve_url(obj: Unit) -> str:
        return settings.LANGNGHE_PUBLIC_URL + obj.get_absolute_url()


class UnitRef(Schema):
    code: str
    name: str
    kind: str = Field(alias="kind.code")


class UnitChoiceOut(Schema):
    """A unit offered by a picker of the staff console (search as you type)."""

    code: str
    name: str
    parent_name: str | None = Field(None, alias="parent.name")


class UnitDetail(UnitOut):
    feed_url: str
    address: str
    office_hours: str
    ancestors: list[UnitRef]
    children_count: int

    @staticmethod
    def resolve_feed_url(obj: Unit) -> str:
        # The Atom feed of the unit's channel (served by the content app).
        return settings.LANGNGHE_PUBLIC_URL + obj.get_absolute_url() + "feed.atom"


class UnitFilter(Schema):
    kind: str | None = Field(None, description="province, department, district, commune")
    parent: str | None = Field(None, description="mã đơn vị cấp trên trực tiếp")
    q: str | None = Field(None, max_length=200, description="tìm theo tên, không cần dấu")


@router.get("", response=list[UnitOut], auth=None, summary="Danh bạ đơn vị")
@paginate(Pages)
def unit_list(request, filters: Query[UnitFilter]):
    return selectors.unit_list(kind=filters.kind, parent=filters.parent, q=filters.q)


class NearestQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, description="vĩ độ (WGS 84)")
    lon: float = Field(..., ge=-180, le=180, description="kinh độ (WGS 84)")
    limit: int = Field(3, ge=1, le=10, description="số đơn vị tối đa")


class NearUnitOut(Schema):
    unit: UnitOut
    distance_km: float


class NearestOut(Schema):
    within_km: float
    results: list[NearUnitOut]


@router.get(
    "/nearest",
    response=NearestOut,
    auth=None,
    summary="Đơn vị đang hoạt động gần một vị trí nhất (Công an cấp xã trước)",
)
def unit_nearest(request, query: Query[NearestQuery]):
    results = selectors.nearest_units(latitude=query.lat, longitude=query.lon, limit=query.limit)
    return {"within_km": selectors.NEAREST_WITHIN_KM, "results": results}


@router.get(
    "/mine",
    response=list[UnitOut],
    auth=staff_auth,
    summary="Các đơn vị trong phạm vi của cán bộ đang đăng nhập",
)
@paginate(Pages)
def unit_list_mine(request, filters: Query[UnitFilter]):
    within = visible_units(request.auth).filter(is_active=True).select_related("kind", "parent")
    return selectors.unit_list(kind=filters.kind, parent=filters.parent, q=filters.q, within=within)


class UnitMoved(Schema):
    detail: str
    code: str = Field(description="unit_closed")
    successor: str = Field(description="mã đơn vị kế thừa hiện nay")


@router.get(
    "/{code}",
    response={200: UnitDetail, 301: UnitMoved},
    auth=None,
    summary="Một đơn vị và các cấp trên",
    description="Mã của một đơn vị đã kết thúc (sáp nhập, #25): 301, Location là đơn vị kế "
    "thừa hiện nay. Danh bạ chỉ liệt kê các đơn vị đang hoạt động.",
)
def unit_detail(request, code: str):
    current = selectors.closed_unit_successor(code=code)
    if current is not None:
        response = JsonResponse(
            {
                "detail": f"Đơn vị mã “{code.strip().upper()}” đã kết thúc; nay là {current.name}.",
                "code": "unit_closed",
                "successor": current.code,
            },
            status=301,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Location"] = f"/api/v1/units/{quote(current.code)}"
        return response
    unit = selectors.unit_get(code=code)
    unit.ancestors = selectors.ancestors(unit)
    unit.children_count = unit.children.filter(is_active=True).count()
    return unit
