from django.contrib import admin

from .models import Unit, UnitKind


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rank"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "hotline"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "search_text"]
    readonly_fields = ["path", "depth", "search_text", "parent"]

    # Units are written only through units.services (which keep the path and the audit right).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
