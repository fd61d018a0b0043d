"""Posts API: public reads of published posts, staff writes through the services."""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db import transaction
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from langnghe.accounts.auth import staff_auth
from langnghe.accounts.selectors import visible_unit_get
from langnghe.core.exceptions import ApplicationError
from langnghe.core.pagination import Pages
from langnghe.units.api import UnitChoiceOut
from langnghe.units.selectors import subtree, unit_choices, unit_get

from . import selectors, services
from .images import cover_url
from .models import Post

router = Router(tags=["posts"])
router.prefix = "/posts"

CrossPost = Literal["none", "descendants"] | list[str]


class PostIn(Schema):
    unit: str = Field(..., description="mã đơn vị đăng bài", max_length=32)
    kind: Literal["article", "video", "notice"] = "article"
    title: str = Field(..., max_length=200)
    body: str = Field("", description="HTML; thẻ script và thuộc tính sự kiện bị loại bỏ")
    summary: str = Field("", max_length=300)
    field: str = Field("", description="lĩnh vực, ví dụ canh-bao-lua-dao")
    tags: list[str] = Field(default_factory=list)
    video_url: str = ""
    publish: bool = Field(False, description="đăng ngay")
    publish_at: datetime | None = Field(None, description="hẹn giờ đăng (có múi giờ)")
    cross_post: CrossPost = Field("none", description="none, descendants hoặc danh sách mã")
    pinned: bool = Field(False, description="ghim (chỉ thông báo)")
    zalo_broadcast: bool = Field(False, description="gửi tin truyền thông tới người quan tâm OA")


class PostPatch(Schema):
    kind: Literal["article", "video", "notice"] | None = None
    title: str | None = Field(None, max_length=200)
    body: str | None = None
    summary: str | None = Field(None, max_length=300)
    field: str | None = None
    tags: list[str] | None = None
    video_url: str | None = None
    pinned: bool | None = None
    cross_post: CrossPost | None = None


class PostOut(Schema):
    id: int
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    kind: str
    state: str
    title: str
    summary: str
    field: str
    tags: list[str]
    audience: str
    pinned: bool = Field(alias="is_pinned")
    published_at: datetime | None
    publish_at: datetime | None
    views: int = Field(alias="views_count")
    shares: int = Field(alias="shares_count")
    url: str
    cover_url: str
    video_url: str

    @staticmethod
    def resolve_url(obj: Post) -> str:
        return settings.LANGNGHE_PUBLIC_URL + obj.get_absolute_url()

    @staticmethod
    def resolve_cover_url(obj: Post) -> str:
        url = cover_url(obj.cover_variants, 1200)
        return settings.LANGNGHE_PUBLIC_URL + url if url else ""


class PostDetail(PostOut):
    body: str
    shares_zalo: int = Field(alias="shares_zalo_count")
    shares_facebook: int = Field(alias="shares_facebook_count")
    audience_units: list[str]

    @staticmethod
    def resolve_audience_units(obj: Post) -> list[str]:
        return [u.code for u in obj.audience_units.all()]


class PostFilter(Schema):
    unit: str | None = Field(None, description="mã đơn vị: bài của đơn vị và bài cấp trên gửi tới")
    kind: Literal["article", "video", "notice"] | None = None
    field: str | None = None


class StaffPostFilter(Schema):
    unit: str | None = Field(None, description="chỉ bài của đơn vị này và cấp dưới")
    state: Literal["draft", "scheduled", "published", "archived"] | None = None


class PublishIn(Schema):
    publish_at: datetime | None = Field(None, description="bỏ trống: đăng ngay")
    zalo_broadcast: bool = False


@router.post("", response={201: PostDetail}, auth=staff_auth, summary="Viết bài (nháp/đăng/hẹn)")
def post_create(request, payload: PostIn):
    unit = unit_get(code=payload.unit)
    if payload.publish and payload.publish_at:
        raise ApplicationError(
            "Chọn đăng ngay hoặc hẹn giờ, không chọn cả hai.", code="publish_conflict"
        )
    # One transaction: a refused schedule time or Zalo limit leaves no draft behind.
    with transaction.atomic():
        post = services.post_create(
            by=request.auth,
            unit=unit,
            kind=payload.kind,
            title=payload.title,
            body=payload.body,
            summary=payload.summary,
            field=payload.field,
            tags=payload.tags,
            video_url=payload.video_url,
            cross_post=payload.cross_post,
            is_pinned=payload.pinned,
        )
        if payload.publish_at:
            post = services.post_schedule(post=post, by=request.auth, publish_at=payload.publish_at)
        elif payload.publish:
            post = services.post_publish(
                post=post, by=request.auth, zalo_broadcast=payload.zalo_broadcast
            )
    return Status(201, post)


@router.get("", response=list[PostOut], auth=None, summary="Bài đã đăng (theo đơn vị)")
@paginate(Pages)
def post_list(request, filters: Query[PostFilter]):
    qs = (
        selectors.posts_for_unit(unit_get(code=filters.unit))
        if filters.unit
        else selectors.published()
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.field:
        qs = qs.filter(field=filters.field)
    return qs.order_by("-published_at", "-id")


@router.get(
    "/mine", response=list[PostOut], auth=staff_auth, summary="Bài trong phạm vi (mọi trạng thái)"
)
@paginate(Pages)
def post_list_mine(request, filters: Query[StaffPostFilter]):
    within = visible_unit_get(user=request.auth, code=filters.unit) if filters.unit else None
    qs = selectors.staff_posts(user=request.auth, within=within)
    return qs.filter(state=filters.state) if filters.state else qs


@router.get(
    "/audience-units",
    response=list[UnitChoiceOut],
    auth=staff_auth,
    summary="Đơn vị cấp dưới để đăng bài tới (tìm theo tên, không cần dấu)",
)
def audience_unit_choices(
    request,
    unit: str = Query(..., max_length=32, description="mã đơn vị đăng bài"),
    q: str = Query("", max_length=200),
):
    owner = visible_unit_get(user=request.auth, code=unit)
    services.publisher_check(request.auth, owner)
    return unit_choices(within=subtree(owner, include_self=False), q=q)


@router.get("/{post_id}", response=PostDetail, auth=None, summary="Một bài đã đăng")
def post_detail(request, post_id: int):
    return selectors.post_get_published(pk=post_id)


@router.patch("/{post_id}", response=PostDetail, auth=staff_auth, summary="Sửa bài")
def post_update(request, post_id: int, payload: PostPatch):
    post = selectors.staff_post_get(user=request.auth, pk=post_id)
    changes = payload.dict(exclude_none=True)
    if "pinned" in changes:
        changes["is_pinned"] = changes.pop("pinned")
    return services.post_update(post=post, by=request.auth, **changes)


@router.post("/{post_id}/cover", response=PostDetail, auth=staff_auth, summary="Ảnh bìa (≤ 5 MB)")
def post_cover(request, post_id: int, cover: File[UploadedFile]):
    post = selectors.staff_post_get(user=request.auth, pk=post_id)
    return services.post_update(post=post, by=request.auth, cover=cover)


@router.post("/{post_id}/publish", response=PostDetail, auth=staff_auth, summary="Đăng/hẹn giờ")
def post_publish(request, post_id: int, payload: PublishIn):
    post = selectors.staff_post_get(user=request.auth, pk=post_id)
    if payload.publish_at:
        return services.post_schedule(post=post, by=request.auth, publish_at=payload.publish_at)
    return services.post_publish(post=post, by=request.auth, zalo_broadcast=payload.zalo_broadcast)


@router.post("/{post_id}/archive", response=PostDetail, auth=staff_auth, summary="Lưu trữ bài")
def post_archive(request, post_id: int):
    post = selectors.staff_post_get(user=request.auth, pk=post_id)
    return services.post_archive(post=post, by=request.auth)


@router.post(
    "/{post_id}/zalo-broadcast",
    response={202: dict},
    auth=staff_auth,
    summary="Gửi bài đã đăng tới người quan tâm Zalo OA (giới hạn 1/ngày, 4/tháng)",
)
def post_zalo_broadcast(request, post_id: int):
    post = selectors.staff_post_get(user=request.auth, pk=post_id)
    broadcast = services.broadcast_request(post=post, by=request.auth)
    return Status(202, {"id": broadcast.pk, "status": broadcast.status})
