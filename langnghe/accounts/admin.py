from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, EnrolmentCode, Membership, User


class MembershipInline(admin.TabularInline):
    """Shown, not edited: memberships change through accounts.services (audited), e.g.
    `langnghe create_staff`."""

    model = Membership
    extra = 0
    readonly_fields = ["unit", "role", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*UserAdmin.fieldsets, ("Lắng Nghe", {"fields": ["full_name"]}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"
    ]  # fmt: skip
    readonly_fields = ["prefix", "token_hash", "user", "created_at", "expires_at", "last_used_at"]


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(admin.ModelAdmin):
    """Seen, not made here: codes are issued in the console or with `langnghe enrolment_code`
    (shown once, audited)."""

    list_display = ["user", "issued_by", "created_at", "expires_at", "used_at"]
    readonly_fields = ["user", "code_hash", "issued_by", "created_at", "expires_at", "used_at"]

    def has_add_permission(self, request):
        return False
