"""Zalo OA connections, raw webhook events, followers and the outbox of outbound messages."""

from django.db import models

from langnghe.cases import crypto

from .zalo import API_BASE as ZALO_API_BASE
from .zalo import OAUTH_BASE as ZALO_OAUTH_BASE


class ZaloConnection(models.Model):
    """A unit's Zalo Official Account. Secrets are sealed with AES-GCM (langnghe.cases.crypto),
    bound to this unit and field, so a database dump alone does not reveal them."""

    unit = models.OneToOneField(
        "units.Unit", on_delete=models.CASCADE, related_name="zalo_connection"
    )
    app_id = models.CharField(max_length=40)
    oa_id = models.CharField(max_length=40)
    secret_key_sealed = models.TextField()  # OA secret key: verifies webhook signatures
    app_secret_sealed = models.TextField(blank=True)  # app secret: OAuth token requests
    access_token_sealed = models.TextField(blank=True)
    refresh_token_sealed = models.TextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    # Zalo's hosts; another address (the simulator) only in a declared sandbox, checked again
    # at every request (zalo.address_allowed).
    api_base = models.CharField(max_length=200, default=ZALO_API_BASE)
    oauth_base = models.CharField(max_length=200, default=ZALO_OAUTH_BASE)
    token_refreshed_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kết nối Zalo OA"
        verbose_name_plural = "kết nối Zalo OA"

    def __str__(self) -> str:
        return f"Zalo OA {self.oa_id} · {self.unit_id}"

    def _context(self, field: str) -> str:
        return f"zalo:{self.unit_id}:{field}"

    def secret(self, field: str) -> str:
        return crypto.unseal(getattr(self, f"{field}_sealed"), context=self._context(field))

    def set_secret(self, field: str, value: str) -> None:
        setattr(self, f"{field}_sealed", crypto.seal(value or "", context=self._context(field)))


class WebhookEvent(models.Model):
    """An inbound event stored before it is acknowledged; processed later, at most once.
    The raw body is sealed: it carries citizens' messages."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Đã nhận"
        PROCESSED = "processed", "Đã xử lý"
        IGNORED = "ignored", "Bỏ qua"
        FAILED = "failed", "Lỗi"

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    event_name = models.CharField(max_length=60)
    # msg_id when the event has one, else a hash of the body: Zalo redelivers the same body.
    event_key = models.CharField(max_length=120)
    body_sealed = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "event_key"], name="webhook_event_once")
        ]
        # What the drains and the sweep look for: the few events not yet processed.
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(status="received"), name="webhook_event_waiting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_name} · {self.event_key}"

    def body(self) -> str:
        return crypto.unseal(self.body_sealed, context=f"webhook:{self.unit_id}:{self.event_key}")


class Follower(models.Model):
    """A Zalo user who follows (người quan tâm) a unit's OA. Ids are per OA."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="followers")
    user_id = models.CharField(max_length=40)
    is_following = models.BooleanField(default=True)
    followed_at = models.DateTimeField(null=True, blank=True)
    unfollowed_at = models.DateTimeField(null=True, blank=True)
    last_interaction_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user_id"], name="follower_once")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.unit_id}"


class OutboundMessage(models.Model):
    """The durable outbox: a row per message to send; a worker sends due rows and retries with
    exponential backoff, so a message survives restarts and Zalo outages."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Không gửi được"

    connection = models.ForeignKey(ZaloConnection, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(
        "inbox.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="outbound"
    )
    recipient_user_id = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error_code = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    zalo_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.recipient_user_id} ({self.status})"
