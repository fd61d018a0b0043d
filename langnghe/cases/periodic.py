from .services import cases_escalate_overdue

# Overdue steps are reported to the supervisor of the unit above, once per step.
JOBS = [("cases.escalate_overdue", 300, cases_escalate_overdue)]
