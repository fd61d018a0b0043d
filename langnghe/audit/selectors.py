from django.db.models import QuerySet

from langnghe.accounts.selectors import visible_units

from .models import AuditEntry


def audit_list(
    *, user, unit_code: str | None = None, action: str | None = None
) -> QuerySet[AuditEntry]:
    """Entries about units the user may see (scope check); entries with no unit are for
    superusers only."""
    qs = AuditEntry.objects.select_related("unit")
    if not user.is_superuser:
        qs = qs.filter(unit__in=visible_units(user))
    if unit_code:
        qs = qs.filter(unit__code__iexact=unit_code)
    if action:
        qs = qs.filter(action=action)
    return qs
