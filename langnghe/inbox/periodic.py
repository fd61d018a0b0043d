from .retention import retention_job

# Retention: delete the messages, notes and identity of conversations past their period.
JOBS = [
    ("inbox.retention", 86400, retention_job),
]
