from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A staff member. Citizens never need an account."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị"
    SUPERVISOR = "supervisor", "Chỉ huy / giám sát"
    EDITOR = "editor", "Biên tập"
    DUTY_OFFICER = "duty_officer", "Cán bộ trực ban"
    INVESTIGATOR = "investigator", "Cán bộ thụ lý"
    VIEWER = "viewer", "Xem"


class Membership(models.Model):
    """A person's role in a unit. The role holds for the unit and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]
        verbose_name = "phân công"
        verbose_name_plural = "phân công"

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored: tokens are 256-bit random, so a
    fast hash is enough (no dictionary to attack) and lookups stay one indexed query."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # LANGNGHE_API_TOKEN_DAYS after creation; a token without one is refused (fails closed).
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class EnrolmentCode(models.Model):
    """A one-time code that lets a staff member enrol their authenticator app: the password
    alone does not (whoever stole it would enrol their own phone). Issued by an admin or a
    commander of the member's unit or above (or an operator with `langnghe enrolment_code`),
    shown once, stored as its SHA-256 (the code is random, ~60 bits: no dictionary to try),
    valid for LANGNGHE_ENROLMENT_CODE_HOURS, used once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mã kích hoạt xác thực hai lớp"
        verbose_name_plural = "mã kích hoạt xác thực hai lớp"

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
