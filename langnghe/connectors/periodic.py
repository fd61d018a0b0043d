from .retention import retention_job
from .services import outbox_run, webhook_events_sweep

JOBS = [
    # Send due outbox messages (first tries are enqueued on commit; this picks up retries).
    ("connectors.outbox", 5, outbox_run),
    # Stored webhook events whose processing task was lost (crash right after the commit).
    ("connectors.webhook_sweep", 30, webhook_events_sweep),
    # Retention: delete processed webhook events (citizens' raw messages) past their period.
    ("connectors.retention", 86400, retention_job),
]
