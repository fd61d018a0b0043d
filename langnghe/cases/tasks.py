"""Background work: small, idempotent."""

from django_tasks import task

from .services import cases_escalate_overdue


@task()
def escalate_overdue() -> int:
    """Report overdue steps to the unit above; run every few minutes (see the command)."""
    return cases_escalate_overdue()
