from .retention import retention_job
from .services import cases_escalate_overdue

# Overdue steps are reported to the supervisor of the unit above, once per step.
# Retention: warn handlers, then delete the sealed content of closed cases past their period.
JOBS = [
    ("cases.escalate_overdue", 300, cases_escalate_overdue),
    ("cases.retention", 86400, retention_job),
]
