"""Posts (articles, videos, notices) of a unit's channel, their audience down the tree, and the
counters of views and shares.

A post belongs to exactly one unit. Cross-posting never copies: the post's ``audience`` says
which units below its own also show it (none, the whole subtree, or a list of units and their
subtrees), so a provincial warning edited once is current on every commune page.

Counters are written in batches (``PostCounterDelta`` rows flushed by ``counters_flush``): a
viral notice adds small rows instead of updating its own row on every view.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Post(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Bài viết"
        VIDEO = "video", "Video"
        NOTICE = "notice", "Thông báo"

    class State(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        SCHEDULED = "scheduled", "Đã hẹn giờ"
        PUBLISHED = "published", "Đã đăng"
        ARCHIVED = "archived", "Đã lưu trữ"

    class Audience(models.TextChoices):
        NONE = "none", "Chỉ đơn vị đăng"
        DESCENDANTS = "descendants", "Tất cả đơn vị cấp dưới"
        UNITS = "units", "Một số đơn vị cấp dưới"

    class Field(models.TextChoices):
        FRAUD = "canh-bao-lua-dao", "Cảnh báo lừa đảo"
        PROCEDURES = "thu-tuc-hanh-chinh", "Thủ tục hành chính"
        TRAFFIC = "an-toan-giao-thong", "An toàn giao thông"
        FIRE = "phong-chay-chua-chay", "Phòng cháy, chữa cháy"
        SECURITY = "an-ninh-trat-tu", "An ninh, trật tự"
        NEWS = "tin-hoat-dong", "Tin hoạt động"

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    title = models.CharField("tiêu đề", max_length=200)
    slug = models.SlugField(max_length=90, allow_unicode=False)
    summary = models.CharField("tóm tắt", max_length=300, blank=True)

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"

    # Sanitised HTML (nh3, allow-list in content.sanitize); never rendered unsanitised. It is
    # what pages show, whatever the editor wrote (content.rendering.body_render).
    body = models.TextField("nội dung", blank=True)
    # What the editor wrote: Markdown from the console; empty for HTML posts (the API's, and
    # every post written before the Markdown editor), whose source is ``body`` itself.
    body_format = models.CharField(
        "định dạng nội dung", max_length=10, choices=BodyFormat.choices, default=BodyFormat.HTML
    )
    body_source = models.TextField("nội dung soạn thảo", blank=True)
    field = models.CharField("lĩnh vực", max_length=40, choices=Field.choices, blank=True)
    tags = models.JSONField("thẻ", default=list, blank=True)
    # Cover: re-encoded JPEG variants by width, {"320": "content/covers/…", ...}; no EXIF.
    cover_variants = models.JSONField(default=dict, blank=True)
    cover_alt = models.CharField("mô tả ảnh bìa", max_length=200, blank=True)
    video_file = models.FileField(upload_to="content/videos/%Y/%m/", blank=True)
    video_url = models.URLField("đường dẫn video", max_length=500, blank=True)
    audience = models.CharField(
        "phạm vi đăng", max_length=12, choices=Audience.choices, default=Audience.NONE
    )
    audience_units = models.ManyToManyField(
        "units.Unit", through="PostAudienceUnit", related_name="cross_posts", blank=True
    )
    is_pinned = models.BooleanField("ghim", default=False)
    publish_at = models.DateTimeField("hẹn giờ đăng", null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Totals, moved forward in batches by counters_flush (never per request).
    views_count = models.PositiveBigIntegerField(default=0)
    shares_zalo_count = models.PositiveBigIntegerField(default=0)
    shares_facebook_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state", "published_at"]),
            models.Index(fields=["state", "audience", "published_at"]),
            models.Index(fields=["state", "publish_at"]),
        ]
        verbose_name = "bài viết"
        verbose_name_plural = "bài viết"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/bai-viet/{self.pk}-{self.slug}/"

    @property
    def shares_count(self) -> int:
        return self.shares_zalo_count + self.shares_facebook_count


class PostAudienceUnit(models.Model):
    """A unit below the post's own that shows it (with its subtree) when audience = units."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_links")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "unit"], name="post_audience_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.unit_id}"


class PostCounterDelta(models.Model):
    """One pending +1 to a post counter. Inserting a row takes no lock on the post; the flush
    adds them up and writes one UPDATE per post per batch."""

    class Metric(models.TextChoices):
        VIEW = "view", "Lượt xem"
        SHARE_ZALO = "share_zalo", "Chia sẻ Zalo"
        SHARE_FACEBOOK = "share_facebook", "Chia sẻ Facebook"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=16, choices=Metric.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.post_id} +1 {self.metric}"


class DailySalt(models.Model):
    """The secret of one day for hashing visitors (IP + user agent). Deleted once the day is
    over, so yesterday's hashes can no longer be linked to an address (NĐ 13/2023: keep the
    minimum of personal data; no IP is ever stored)."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.day.isoformat()


class PostView(models.Model):
    """A visitor seen on a post on a day: the unique row makes a view count once per visitor per
    day. Rows are deleted with their day's salt."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "day", "visitor_hash"], name="post_view_once")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} · {self.day}"


class BroadcastRequest(models.Model):
    """A request to create a post as an article on the unit's Zalo OA and broadcast it to the
    followers. Counted against Zalo's limits before anything is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Không gửi được"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="broadcasts")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    article_token = models.CharField(max_length=200, blank=True)
    article_id = models.CharField(max_length=100, blank=True)
    zalo_message_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "requested_at"])]

    def __str__(self) -> str:
        return f"Zalo broadcast {self.pk} · {self.status}"
