"""The duty desk (trực ban): conversations with citizens, their messages, notes and replies.

One conversation per citizen per unit per channel (Zalo user id, or the web chat's random id),
reopened when the citizen writes again. Response times are kept on the conversation for the
dashboards (first response, resolution), like Chatwoot's reporting events.
"""

from django.conf import settings
from django.db import models


class ChannelKind(models.TextChoices):
    WEB = "web", "Trò chuyện trên web"
    ZALO = "zalo", "Zalo OA"


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Đang mở"
    WAITING = "waiting", "Chờ người dân"
    RESOLVED = "resolved", "Đã xong"


class Conversation(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="conversations")
    channel = models.CharField(max_length=10, choices=ChannelKind.choices)
    # The citizen on that channel: Zalo's per-OA user id, or the web chat's random id.
    external_id = models.CharField(max_length=100)
    # The name and phone the citizen chose to give, sealed like a case's reporter identity
    # (AES-GCM, cases.crypto, bound to this row): never stored or searched in the clear.
    # Luật BVDLCN 91/2025/QH15: personal data of a crime report is sensitive; shown only to the
    # desk roles (selectors.conversation_for), every reading audited.
    identity_sealed = models.TextField(blank=True)
    has_identity = models.BooleanField(default=False)
    # The citizen chose to write anonymously: no name or phone is asked for or kept, and a case
    # made from the conversation is anonymous too.
    is_anonymous = models.BooleanField("ẩn danh", default=False)
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    labels = models.JSONField(default=list, blank=True)
    is_urgent = models.BooleanField(default=False)
    unread_count = models.PositiveIntegerField(default=0)
    case_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_incoming_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Retention (retention.py): when the messages, notes and identity were deleted; the row
    # stays for the response-time statistics.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "channel", "external_id"], name="conversation_one_per_citizen"
            )
        ]
        indexes = [models.Index(fields=["unit", "status", "-last_message_at"])]
        verbose_name = "hội thoại"
        verbose_name_plural = "hội thoại"

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · #{self.pk}"

    @property
    def display_name(self) -> str:
        """What lists and banners call the citizen: never their name (that is sealed)."""
        return f"Người dân #{self.pk}"

    def sealing_context(self) -> str:
        """Associated data binding the sealed identity to this row (no swapping)."""
        return f"conversation:{self.pk}:identity"

    @property
    def first_response_seconds(self) -> int | None:
        if self.first_response_at is None:
            return None
        return int((self.first_response_at - self.created_at).total_seconds())

    @property
    def resolution_seconds(self) -> int | None:
        if self.resolved_at is None:
            return None
        return int((self.resolved_at - self.created_at).total_seconds())


class Direction(models.TextChoices):
    IN = "in", "Người dân gửi"
    OUT = "out", "Đơn vị trả lời"


class Delivery(models.TextChoices):
    RECEIVED = "received", "Đã nhận"
    PENDING = "pending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    DELIVERED = "delivered", "Đã đến"
    SEEN = "seen", "Đã xem"
    FAILED = "failed", "Không gửi được"


class Message(models.Model):
    # Zalo's limit for a consultation text message (reference/zalo-oa-api.md §2).
    MAX_TEXT = 2000

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=20, default="text")  # text, image, file, location, …
    text = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    is_automatic = models.BooleanField(default=False)
    # Category the triage classifier read in an incoming message (langnghe.triage); officers
    # may correct it, and corrections become training data.
    triage_category = models.CharField(max_length=30, blank=True)
    # The channel's id for the message (Zalo msg_id / message_id); idempotency key for inbound.
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    sent_at = models.DateTimeField()
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    delivery_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "external_id"],
                condition=~models.Q(external_id=""),
                name="message_external_id_once",
            )
        ]
        verbose_name = "tin nhắn"
        verbose_name_plural = "tin nhắn"

    def __str__(self) -> str:
        return f"{self.direction} · {self.text[:40]}"


class Note(models.Model):
    """An internal note: officers only, never sent to the citizen."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class CannedReply(models.Model):
    """A saved answer for a unit (and the units below it)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ReplySignature(models.TextChoices):
    DESK = "desk", "Tên bộ phận trực ban"
    OFFICER = "officer", "Tên cán bộ trả lời"


class DeskProfile(models.Model):
    """How a unit's desk signs its answers on the citizen's chat page."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="desk_profile")
    signature = models.CharField(
        "ký tên trả lời",
        max_length=10,
        choices=ReplySignature.choices,
        default=ReplySignature.DESK,
    )
    desk_name = models.CharField("tên bộ phận trực ban", max_length=150, blank=True)

    class Meta:
        verbose_name = "cài đặt trực ban"
        verbose_name_plural = "cài đặt trực ban"

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_signature_display()}"


class DutyShift(models.Model):
    """One officer's shift on a unit's duty desk (lịch trực ban).

    A unit that keeps a roster is staffed exactly while one of its shifts runs, at night too;
    a unit without one is staffed in its office hours (``rules.is_on_duty``). An emergency is
    given to the officer leading the running shift (``is_lead``: trực chính), or else to the
    first officer on duty, and its note names everyone on duty."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="duty_shifts")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_shifts"
    )
    starts_at = models.DateTimeField("bắt đầu")
    ends_at = models.DateTimeField("kết thúc")
    is_lead = models.BooleanField("trực chính", default=False)
    note = models.CharField("ghi chú", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "-is_lead", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="duty_shift_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "starts_at"]),
            models.Index(fields=["officer", "starts_at"]),
        ]
        verbose_name = "ca trực"
        verbose_name_plural = "lịch trực"

    def __str__(self) -> str:
        from django.utils import timezone

        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{self.officer} · {start:%H:%M %d/%m}–{end:%H:%M %d/%m}"
