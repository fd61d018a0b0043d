"""Drafting posts: the fields checked and cleaned, create, update, images of the body."""

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.core.text import slugify_vi
from langnghe.units.models import Unit
from langnghe.units.pagecache import unit_page_changed

from ..images import body_image_store, cover_delete, cover_store
from ..models import Post, PostAudienceUnit
from ..rendering import body_render
from ..sanitize import plain_text
from .access import _require_publisher, audience_resolve

MAX_TAGS = 10
MAX_VIDEO_BYTES = 200 * 1024 * 1024  # [U] a local limit, not Zalo's


def _clean_text(value: str, *, field: str, label: str, max_length: int, required=False) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ApplicationError(f"Vui lòng nhập {label}.", code="required", field=field)
    if len(value) > max_length:
        raise ApplicationError(
            f"{label.capitalize()} dài quá {max_length} ký tự.", code="too_long", field=field
        )
    return value


def _clean_tags(tags) -> list[str]:
    cleaned: list[str] = []
    for tag in tags or []:
        tag = " ".join(str(tag).split())[:40]
        if tag and tag.lower() not in {t.lower() for t in cleaned}:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ApplicationError(f"Tối đa {MAX_TAGS} thẻ.", code="too_many_tags", field="tags")
    return cleaned


def _clean_video_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ApplicationError(
            "Đường dẫn video phải bắt đầu bằng https://",
            code="invalid_video_url",
            field="video_url",
        )
    if len(url) > 500:
        raise ApplicationError("Đường dẫn video quá dài.", code="too_long", field="video_url")
    return url


def _check_video_file(upload) -> None:
    if upload is None:
        return
    if upload.size > MAX_VIDEO_BYTES:
        raise ApplicationError("Tệp video quá lớn: tối đa 200 MB.", code="video_too_large",
                               field="video_file")  # fmt: skip
    head = upload.read(16)
    upload.seek(0)
    # MP4/MOV carry "ftyp" at byte 4; WebM starts with the EBML magic.
    if head[4:8] != b"ftyp" and not head.startswith(b"\x1a\x45\xdf\xa3"):
        raise ApplicationError(
            "Tệp video phải là MP4 hoặc WebM.", code="video_not_video", field="video_file"
        )


def _apply_fields(post: Post, fields: dict) -> list[str]:
    """Validate and set editable fields; returns the names changed (no personal data)."""
    changed = []
    if "kind" in fields:
        if fields["kind"] not in Post.Kind.values:
            raise ApplicationError(
                "Loại bài phải là article, video hoặc notice.", code="invalid_kind", field="kind"
            )
        post.kind = fields["kind"]
        changed.append("kind")
    if "title" in fields:
        post.title = _clean_text(
            fields["title"], field="title", label="tiêu đề", max_length=200, required=True
        )
        post.slug = slugify_vi(post.title)[:80].strip("-") or "bai-viet"
        changed.append("title")
    if "summary" in fields:
        post.summary = _clean_text(fields["summary"], field="summary", label="tóm tắt",
                                   max_length=300)  # fmt: skip
        changed.append("summary")
    if "body" in fields:
        source = fields["body"] or ""
        if len(source) > 200_000:
            raise ApplicationError("Nội dung quá dài.", code="too_long", field="body")
        body_format = fields.get("body_format") or Post.BodyFormat.HTML
        if body_format not in Post.BodyFormat.values:
            raise ApplicationError("Định dạng nội dung phải là markdown hoặc html.",
                                   code="invalid_body_format", field="body")  # fmt: skip
        # The same function renders the console's preview (content.rendering.body_render).
        post.body = body_render(source, body_format)
        post.body_format = body_format
        post.body_source = source if body_format == Post.BodyFormat.MARKDOWN else ""
        changed.append("body")
    if "field" in fields:
        if fields["field"] and fields["field"] not in Post.Field.values:
            raise ApplicationError(
                "Lĩnh vực không hợp lệ. Các lĩnh vực: " + ", ".join(Post.Field.values) + ".",
                code="invalid_field",
                field="field",
            )
        post.field = fields["field"] or ""
        changed.append("field")
    if "tags" in fields:
        post.tags = _clean_tags(fields["tags"])
        changed.append("tags")
    if "cover_alt" in fields:
        post.cover_alt = _clean_text(fields["cover_alt"], field="cover_alt", label="mô tả ảnh",
                                     max_length=200)  # fmt: skip
        changed.append("cover_alt")
    if "video_url" in fields:
        post.video_url = _clean_video_url(fields["video_url"])
        changed.append("video_url")
    if "is_pinned" in fields:
        post.is_pinned = bool(fields["is_pinned"])
        changed.append("is_pinned")
    if post.is_pinned and post.kind != Post.Kind.NOTICE:
        raise ApplicationError("Chỉ thông báo mới được ghim.", code="pin_not_notice",
                               field="is_pinned")  # fmt: skip
    if not post.summary and post.body:
        post.summary = plain_text(post.body)[:297].rsplit(" ", 1)[0] + "…"
    return changed


def _set_audience(post: Post, audience: str, units: list[Unit]) -> None:
    """Replace the audience (the post is saved, locked, inside the caller's transaction)."""
    if post.audience != audience:
        post.audience = audience
        post.save(update_fields=["audience", "updated_at"])
    PostAudienceUnit.objects.filter(post=post).delete()
    PostAudienceUnit.objects.bulk_create([PostAudienceUnit(post=post, unit=u) for u in units])


# --- lifecycle ----------------------------------------------------------------------------------


def post_create(
    *,
    by,
    unit: Unit,
    title: str,
    kind: str = Post.Kind.ARTICLE,
    body: str = "",
    body_format: str = Post.BodyFormat.HTML,
    summary: str = "",
    field: str = "",
    tags=(),
    cover=None,
    cover_alt: str = "",
    video_file=None,
    video_url: str = "",
    cross_post="none",
    is_pinned: bool = False,
) -> Post:
    """A draft post of ``unit``. Nothing is stored when any field is refused. ``body`` is
    Markdown when ``body_format`` is "markdown" (the console), HTML otherwise (the API)."""
    _require_publisher(by, unit)
    audience, audience_units = audience_resolve(unit=unit, cross_post=cross_post)
    post = Post(unit=unit, author=by if by is not None else None)
    _apply_fields(
        post,
        {
            "kind": kind, "title": title, "summary": summary, "body": body,
            "body_format": body_format, "field": field,
            "tags": tags, "cover_alt": cover_alt, "video_url": video_url, "is_pinned": is_pinned,
        },
    )  # fmt: skip
    _check_video_file(video_file)
    variants = cover_store(cover) if cover is not None else {}
    try:
        with transaction.atomic():
            post.cover_variants = variants
            if video_file is not None:
                post.video_file = video_file
            post.save()
            _set_audience(post, audience, audience_units)
            audit_record(
                actor=by,
                action="post.create",
                target=post,
                unit=unit,
                data={"kind": post.kind, "audience": audience, "units": len(audience_units)},
            )
    except Exception:
        cover_delete(variants)
        raise
    return post


def post_image_upload(*, by, unit: Unit, upload) -> str:
    """Store an image to be shown in the body of a post of ``unit`` (checked by Pillow, its
    metadata dropped, a random name); returns its URL. The editor inserts it as Markdown."""
    _require_publisher(by, unit)
    name = body_image_store(upload)
    try:
        with transaction.atomic():
            audit_record(actor=by, action="post.image_upload", unit=unit,
                         target_type="content.image", target_id=name.rsplit("/", 1)[-1])  # fmt: skip
    except Exception:
        default_storage.delete(name)
        raise
    return default_storage.url(name)


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("unit").get(pk=post.pk)


def post_update(*, post: Post, by, cover=None, cross_post=None, **fields) -> Post:
    """Edit a post that is not archived; a published post stays published."""
    _require_publisher(by, post.unit)
    unknown = set(fields) - {
        "kind", "title", "summary", "body", "body_format", "field", "tags", "cover_alt",
        "video_url", "is_pinned",
    }  # fmt: skip
    if unknown:
        raise ApplicationError(f"Không sửa được: {', '.join(sorted(unknown))}.", code="invalid")
    audience = audience_resolve(unit=post.unit, cross_post=cross_post) if cross_post else None
    variants = cover_store(cover) if cover is not None else None
    try:
        with transaction.atomic():
            post = _locked(post)
            if post.state == Post.State.ARCHIVED:
                raise ApplicationError("Bài đã lưu trữ, không sửa được.", code="archived",
                                       status=409)  # fmt: skip
            changed = _apply_fields(post, fields)
            old_variants = post.cover_variants
            if variants is not None:
                post.cover_variants = variants
                changed.append("cover")
            post.save()
            if audience is not None:
                _set_audience(post, *audience)
                changed.append("audience")
            audit_record(actor=by, action="post.update", target=post, unit=post.unit,
                         data={"fields": changed})  # fmt: skip
            transaction.on_commit(partial(unit_page_changed, post.unit_id))
    except Exception:
        if variants:
            cover_delete(variants)
        raise
    if variants is not None and old_variants:
        transaction.on_commit(lambda: cover_delete(old_variants))
    return post
