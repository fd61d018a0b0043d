"""Background jobs of the surveys app: small, idempotent, take ids."""

from django_tasks import task


@task()
def export_build(export_id: str) -> None:
    """Build an export file; a finished or running export is left alone (idempotent)."""
    from .exports import export_run  # cycle: exports → services → tasks

    export_run(export_id)
