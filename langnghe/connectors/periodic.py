from .services import outbox_run

# Send due outbox messages (first tries are enqueued on commit; this picks up retries).
JOBS = [("connectors.outbox", 5, outbox_run)]
