"""Admin for the data that configures case work: categories (deadline policies) and which
communes are remote (48-hour forwarding). Cases themselves are worked in the console, where
scope and audit apply; they are not editable here."""

from django.contrib import admin

from .models import Category, Open311Client, UnitCaseProfile


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "allows_anonymous", "is_active", "order")
    list_editable = ("is_active", "order")


@admin.register(UnitCaseProfile)
class UnitCaseProfileAdmin(admin.ModelAdmin):
    list_display = ("unit", "is_remote")
    list_filter = ("is_remote",)
    autocomplete_fields = ("unit",)
    search_fields = ("unit__name", "unit__code")


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at")
