"""Public pages (a post, a channel's posts, the Atom feed, counted share links) and the staff
console for writing posts. Thin: parsing, then one service or selector call."""

from datetime import datetime
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.accounts.selectors import has_role
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.units import pagecache
from langnghe.units.selectors import unit_get_by_slug

from . import selectors, services
from .images import cover_url
from .models import Post

# Share endpoints of the networks [U: Zalo's plugin URL is not in the official reference].
SHARE_URLS = {
    "facebook": "https://www.facebook.com/sharer/sharer.php?u={url}",
    "zalo": "https://sp.zalo.me/plugins/share?href={url}",
}


def _absolute(path: str) -> str:
    return settings.LANGNGHE_PUBLIC_URL + path


def _client_ip(request) -> str:
    # Only hashed (with the day's salt) for de-duplication; never stored or logged.
    return request.META.get("REMOTE_ADDR", "")


def post_page(request, pk: int, slug: str):
    try:
        post = selectors.post_get_published(pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    if slug != post.slug:
        return redirect(post.get_absolute_url(), permanent=True)
    # Kept whole for anonymous visitors (langnghe/units/pagecache.py) until a post service bumps
    # the version of the post's unit; each hit still counts the view (view_hit).
    versions = pagecache.versions_now([post.unit_id])
    if request.method == "GET":
        _view_record(request, post)
    response = _post_render(request, post)
    return pagecache.mark(response, versions, hit="langnghe.content.views.view_hit", hit_arg=pk)


def view_hit(request, pk: int) -> None:
    """A cached post page was served: count the view as the page itself would."""
    _view_record(request, Post(pk=pk))


def _view_record(request, post) -> None:
    services.post_view_record(
        post=post, ip=_client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


def _post_render(request, post):
    cover = cover_url(post.cover_variants, 1200)
    return render(
        request,
        "content/post.html",
        {
            "post": post,
            "unit": post.unit,
            "canonical_url": _absolute(post.get_absolute_url()),
            "og_image": _absolute(cover) if cover else "",
            "cover_small": cover_url(post.cover_variants, 320),
            "cover_medium": cover_url(post.cover_variants, 640),
            "cover_large": cover,
            "share_links": [
                ("zalo", "Chia sẻ qua Zalo", f"/chia-se/{post.pk}/?to=zalo"),
                ("facebook", "Chia sẻ lên Facebook", f"/chia-se/{post.pk}/?to=facebook"),
            ],
        },
    )


def share(request, pk: int):
    """Count a share click, then hand over to the network's share dialog."""
    to = request.GET.get("to", "")
    try:
        post = selectors.post_get_published(pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    if to not in SHARE_URLS:
        return HttpResponseBadRequest("Chỉ chia sẻ được qua zalo hoặc facebook.".encode())
    services.post_share_record(post=post, to=to)
    target = SHARE_URLS[to].format(url=quote(_absolute(post.get_absolute_url()), safe=""))
    return redirect(target)


def media_file(request, name: str):
    """Covers and videos from the local storage (the embedded default has no other media
    server). Names are random, so the answer may be cached for a year."""
    if ".." in name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name), as_attachment=False)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def unit_posts(request, slug: str):
    try:
        unit = unit_get_by_slug(slug=slug)
    except NotFound as exc:
        raise Http404 from exc
    qs = selectors.posts_for_unit(unit).order_by("-published_at", "-id")
    kind = request.GET.get("loai", "")
    if kind in Post.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "content/unit_posts.html",
        {"unit": unit, "page": page, "kind": kind, "kinds": Post.Kind.choices},
    )


class UnitFeed(Feed):
    """Atom feed of a channel: its posts and those cross-posted to it."""

    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        try:
            return unit_get_by_slug(slug=slug)
        except NotFound as exc:
            raise Http404 from exc

    def title(self, unit):
        return f"{unit.name} — bài viết và thông báo"

    def link(self, unit):
        return unit.get_absolute_url()

    def feed_url(self, unit):
        return unit.get_absolute_url() + "feed.atom"

    def subtitle(self, unit):
        return f"Thông tin chính thức của {unit.name}"

    def items(self, unit):
        return selectors.posts_for_unit(unit).order_by("-published_at", "-id")[:30]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.summary

    def item_link(self, post):
        return post.get_absolute_url()

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at

    def item_author_name(self, post):
        return post.unit.name

    def item_categories(self, post):
        return [post.get_field_display()] if post.field else []


# --- staff console ------------------------------------------------------------------------------


class PostForm(forms.Form):
    """Parses the console form; every rule lives in the services."""

    kind = forms.ChoiceField(label="Loại", choices=Post.Kind.choices)
    title = forms.CharField(label="Tiêu đề", max_length=200)
    summary = forms.CharField(label="Tóm tắt", max_length=300, required=False)
    body = forms.CharField(label="Nội dung (HTML)", required=False, widget=forms.Textarea)
    field = forms.ChoiceField(label="Lĩnh vực", choices=[("", "—"), *Post.Field.choices],
                              required=False)  # fmt: skip
    tags = forms.CharField(label="Thẻ (cách nhau bởi dấu phẩy)", required=False)
    cover = forms.FileField(label="Ảnh bìa (JPEG/PNG/WebP, tối đa 5 MB)", required=False)
    cover_alt = forms.CharField(label="Mô tả ảnh bìa", max_length=200, required=False)
    video_url = forms.CharField(label="Đường dẫn video", required=False)
    audience = forms.ChoiceField(label="Đăng tới", choices=Post.Audience.choices,
                                 widget=forms.RadioSelect, initial="none")  # fmt: skip
    audience_codes = forms.CharField(
        label="Mã các đơn vị cấp dưới (khi chọn “Một số đơn vị”)", required=False
    )
    is_pinned = forms.BooleanField(label="Ghim thông báo lên đầu trang", required=False)


def _cross_post(data) -> str | list[str]:
    if data["audience"] == Post.Audience.UNITS:
        return [c for c in data["audience_codes"].replace(",", " ").split() if c] or "none"
    return data["audience"]


def _fields(data) -> dict:
    return {
        "kind": data["kind"],
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "field": data["field"],
        "tags": [t.strip() for t in data["tags"].split(",") if t.strip()],
        "cover_alt": data["cover_alt"],
        "video_url": data["video_url"],
        "is_pinned": data["is_pinned"],
    }


def _parse_publish_at(value: str):
    try:
        naive = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ApplicationError(
            "Thời điểm hẹn đăng không hợp lệ.", code="invalid_publish_at", field="publish_at"
        ) from exc
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _run_action(request, post, action: str) -> None:
    by = request.user
    if action == "publish":
        services.post_publish(
            post=post, by=by, zalo_broadcast=request.POST.get("zalo_broadcast") == "on"
        )
    elif action == "schedule":
        services.post_schedule(
            post=post, by=by, publish_at=_parse_publish_at(request.POST.get("publish_at", ""))
        )


@login_required
def console_list(request):
    unit = current_unit(request)
    state = request.GET.get("state", "")
    qs = selectors.staff_posts(user=request.user, within=unit) if unit else Post.objects.none()
    if state in Post.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "content/console_list.html",
        {
            "unit": unit,
            "page": page,
            "state": state,
            "states": Post.State.choices,
            "can_write": unit is not None and has_role(request.user, unit, services.PUBLISH_ROLES),
        },
    )


@login_required
def console_new(request):
    unit = current_unit(request)
    if unit is None:
        raise Http404
    form = PostForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                post = services.post_create(
                    by=request.user,
                    unit=unit,
                    cover=data["cover"],
                    cross_post=_cross_post(data),
                    **_fields(data),
                )
                _run_action(request, post, request.POST.get("action", "draft"))
        except ApplicationError as exc:
            error = exc
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Đã lưu bài viết.")
            return redirect(f"/staff/content/{post.pk}/")
    return render(
        request,
        "content/console_edit.html",
        {"unit": unit, "form": form, "error": error, "post": None},
    )


@login_required
def console_edit(request, pk: int):
    try:
        post = selectors.staff_post_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    initial = {
        **{k: getattr(post, k) for k in ("kind", "title", "summary", "body", "field")},
        "tags": ", ".join(post.tags),
        "cover_alt": post.cover_alt,
        "video_url": post.video_url,
        "audience": post.audience,
        "audience_codes": " ".join(u.code for u in post.audience_units.all()),
        "is_pinned": post.is_pinned,
    }
    form = PostForm(request.POST or None, request.FILES or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                post = services.post_update(
                    post=post,
                    by=request.user,
                    cover=data["cover"],
                    cross_post=_cross_post(data),
                    **_fields(data),
                )
                _run_action(request, post, request.POST.get("action", "draft"))
        except ApplicationError as exc:
            error = exc
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Đã lưu bài viết.")
            return redirect(f"/staff/content/{post.pk}/")
    return render(
        request,
        "content/console_edit.html",
        {
            "unit": post.unit,
            "form": form,
            "error": error,
            "post": post,
            "cover": cover_url(post.cover_variants, 320),
            "broadcasts": post.broadcasts.order_by("-requested_at")[:5],
        },
    )


@login_required
@require_POST
def console_action(request, pk: int):
    """Archive, pin/unpin, publish, or broadcast on Zalo from the post's page."""
    try:
        post = selectors.staff_post_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    action = request.POST.get("action", "")
    try:
        if action == "archive":
            services.post_archive(post=post, by=request.user)
            messages.success(request, "Đã lưu trữ bài.")
        elif action in ("pin", "unpin"):
            services.post_pin(post=post, by=request.user, pinned=action == "pin")
            messages.success(request, "Đã cập nhật ghim.")
        elif action == "zalo_broadcast":
            services.broadcast_request(post=post, by=request.user)
            messages.success(request, "Đã xếp hàng gửi tin truyền thông Zalo.")
        elif action in ("publish", "schedule"):
            with transaction.atomic():
                _run_action(request, post, action)
            messages.success(request, "Đã đăng bài." if action == "publish" else "Đã hẹn giờ.")
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"/staff/content/{post.pk}/")
