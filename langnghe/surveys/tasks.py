"""Background jobs of the surveys app: small, idempotent, take ids. Services queue them by
name (``jobs.enqueue("surveys.export_build", …)``) and never import this module."""

from langnghe.core import jobs

from .exports import export_run


@jobs.job("surveys.export_build")
def export_build(export_id: str) -> None:
    """Build an export file; a finished or running export is left alone (idempotent)."""
    export_run(export_id)
