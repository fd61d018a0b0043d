"""Public pages (a post, a channel's posts, the Atom feed, counted share links) and the staff
console for writing posts. Thin: parsing, then one service or selector call."""

from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.accounts.selectors import has_role
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.forms import first_error
from langnghe.units import pagecache
from langnghe.units.selectors import subtree, unit_choose, unit_get_by_slug

from . import selectors, services
from .forms import BODY_TOO_LONG, NO_BUTTON, ImageForm, PostActionForm, PostForm, PreviewForm
from .images import cover_url
from .models import Post
from .rendering import body_render

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


def _cross_post(unit, data, picked: list[str]) -> str | list[str]:
    """The audience: "none", "descendants", or the codes of the units picked (hidden fields
    the picker fills, ``audience_unit``) plus the one typed when the page runs without
    JavaScript. ``services.audience_resolve`` checks they are all below ``unit``."""
    if data["audience"] != Post.Audience.UNITS:
        return data["audience"]
    codes = list(picked)
    typed = data["audience_codes"].strip()
    if typed:
        chosen = unit_choose(
            within=subtree(unit, include_self=False), text=typed, field="audience_codes"
        )
        codes.append(chosen.code)
    return codes or "none"


def _fields(data) -> dict:
    return {
        "kind": data["kind"],
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "body_format": Post.BodyFormat.MARKDOWN,
        "field": data["field"],
        "tags": [t.strip() for t in data["tags"].split(",") if t.strip()],
        "cover_alt": data["cover_alt"],
        "video_url": data["video_url"],
        "is_pinned": data["is_pinned"],
    }


MISSING_ALT = (
    "Hãy nhập “Mô tả ảnh chèn”: một câu ngắn nói ảnh có gì, đọc thay ảnh cho người khiếm thị."
)


def _body_with_image(request, unit, data) -> str:
    """The body, with the image chosen in the form (the editor without JavaScript) stored and
    inserted at its end as Markdown."""
    body = data["body"]
    if data.get("image"):
        alt = _markdown_alt(data.get("image_alt") or "")
        if not alt:
            raise ApplicationError(MISSING_ALT, code="image_alt_required", field="image_alt")
        url = services.post_image_upload(by=request.user, unit=unit, upload=data["image"])
        body = f"{body.rstrip()}\n\n![{alt}]({url})\n" if body.strip() else f"![{alt}]({url})\n"
    return body


def _markdown_alt(text: str) -> str:
    """An image description safe inside ``![…]``."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())[:200]


def _publish_message(post) -> str:
    """Where the post now shows: its unit's page and how many units below, named."""
    reach = selectors.post_reach(post)
    if not reach:
        return format_html("Đã đăng bài trên trang của {}.", post.unit.name)
    shown = ", ".join(u.name for u in reach[:3])
    rest = f" và {len(reach) - 3} đơn vị khác" if len(reach) > 3 else ""
    return format_html(
        "Đã đăng bài trên trang của {} và tới {} đơn vị cấp dưới: {}{} "
        '(<a href="#don-vi-nhan">xem danh sách</a>).',
        post.unit.name,
        len(reach),
        shown,
        rest,
    )


def _parse_publish_at(value: str):
    try:
        naive = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ApplicationError(
            "Thời điểm hẹn đăng không hợp lệ.", code="invalid_publish_at", field="publish_at"
        ) from exc
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _run_action(request, post, buttons: dict) -> None:
    """Publish or schedule (``buttons``: the cleaned ``PostActionForm``); others do nothing."""
    by, action = request.user, buttons["action"]
    if action == "publish":
        services.post_publish(post=post, by=by, zalo_broadcast=buttons["zalo_broadcast"])
    elif action == "schedule":
        services.post_schedule(
            post=post, by=by, publish_at=_parse_publish_at(buttons["publish_at"])
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


def _save(request, form, buttons: dict, unit, post):
    """Create or update from the form, then run the button's action. Returns (post, message)
    or raises ApplicationError; one transaction, so a refused action changes nothing."""
    data = form.cleaned_data
    action = buttons["action"]
    with transaction.atomic():
        body = _body_with_image(request, unit, data)
        fields = {**_fields(data), "body": body}
        cross_post = _cross_post(unit, data, buttons["audience_unit"])
        if post is None:
            post = services.post_create(
                by=request.user, unit=unit, cover=data["cover"], cross_post=cross_post, **fields
            )
        else:
            post = services.post_update(
                post=post, by=request.user, cover=data["cover"], cross_post=cross_post, **fields
            )
        _run_action(request, post, buttons)
    if action == "publish":
        return post, _publish_message(post)
    if action == "schedule":
        return post, "Đã lưu và hẹn giờ đăng bài."
    return post, "Đã lưu bài viết."


def _editor(request, *, unit, post, initial=None):
    """The editor page (new post or existing one): save, or preview without saving."""
    form = PostForm(request.POST or None, request.FILES or None, initial=initial)
    # Every field of the buttons' form is optional: valid whenever the page was sent.
    action_form = PostActionForm(request.POST or None)
    buttons = action_form.cleaned_data if action_form.is_valid() else NO_BUTTON
    error = preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if buttons["action"] == "preview":
                # The page without JavaScript: the same rendering as publishing, nothing saved
                # (an image chosen is stored and inserted, so the preview shows it).
                data = form.cleaned_data
                body = _body_with_image(request, unit, data)
                preview = body_render(body, Post.BodyFormat.MARKDOWN)
                shown = form.data.copy()  # the image now in the body: not chosen again
                shown["body"], shown["image_alt"] = body, ""
                form = PostForm(shown)
                form.is_valid()
            else:
                post, message = _save(request, form, buttons, unit, post)
                messages.success(request, message)
                return redirect(f"/staff/content/{post.pk}/")
        except ApplicationError as exc:
            error = exc
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
    picked = (
        list(post.audience_units.order_by("path"))
        if post is not None and not request.POST
        else list(subtree(unit, include_self=False).filter(code__in=buttons["audience_unit"][:500]))
    )
    context = {
        "unit": unit,
        "form": form,
        "error": error,
        "post": post,
        "preview": preview,
        "audience_picked": picked,
    }
    if post is not None:
        context.update(
            cover=cover_url(post.cover_variants, 320),
            broadcasts=post.broadcasts.order_by("-requested_at")[:5],
            reach=selectors.post_reach(post),
        )
    return render(request, "content/console_edit.html", context)


@login_required
def console_new(request):
    unit = current_unit(request)
    if unit is None:
        raise Http404
    return _editor(request, unit=unit, post=None)


@login_required
def console_edit(request, pk: int):
    try:
        post = selectors.staff_post_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    initial = {
        **{k: getattr(post, k) for k in ("kind", "title", "summary", "field")},
        # A post written before the Markdown editor opens with its HTML, valid Markdown too.
        "body": post.body_source if post.body_format == Post.BodyFormat.MARKDOWN else post.body,
        "tags": ", ".join(post.tags),
        "cover_alt": post.cover_alt,
        "video_url": post.video_url,
        "audience": post.audience,
        "is_pinned": post.is_pinned,
    }
    return _editor(request, unit=post.unit, post=post, initial=initial)


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_POST
def console_preview(request):
    """The body as it will be published (``body_render``, the function publishing uses), for
    the editor's preview. Nothing is stored."""
    unit = current_unit(request)
    if unit is None or not has_role(request.user, unit, services.PUBLISH_ROLES):
        return _json_error("Bạn không có quyền viết bài cho đơn vị này.", 403)
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return _json_error(BODY_TOO_LONG, 400)
    return JsonResponse({"html": body_render(form.cleaned_data["body"], Post.BodyFormat.MARKDOWN)})


@login_required
@require_POST
def console_image(request):
    """Store an image for a post's body (the editor's "Chèn ảnh" button); answers its URL and
    the Markdown to insert, or a Vietnamese error."""
    unit = current_unit(request)
    if unit is None:
        return _json_error("Bạn không có quyền viết bài cho đơn vị này.", 403)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _json_error(first_error(form), 400)
    upload = form.cleaned_data["image"]
    alt = _markdown_alt(form.cleaned_data["alt"])
    if not alt and has_role(request.user, unit, services.PUBLISH_ROLES):
        return _json_error(MISSING_ALT, 400)  # (anyone else: refused below, 403)
    try:
        url = services.post_image_upload(by=request.user, unit=unit, upload=upload)
    except ApplicationError as exc:
        return _json_error(exc.message, exc.status)
    return JsonResponse({"url": url, "markdown": f"![{alt}]({url})"}, status=201)


@login_required
@require_POST
def console_action(request, pk: int):
    """Archive, pin/unpin, publish, or broadcast on Zalo from the post's page."""
    try:
        post = selectors.staff_post_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = PostActionForm(request.POST)
    buttons = form.cleaned_data if form.is_valid() else NO_BUTTON
    action = buttons["action"]
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
                _run_action(request, post, buttons)
            messages.success(
                request, _publish_message(post) if action == "publish" else "Đã hẹn giờ."
            )
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"/staff/content/{post.pk}/")
