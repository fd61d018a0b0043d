"""A year of demo history: twelve months of plausible activity before today, so trends,
rankings and monthly reports have something to show.

``history_plan(today)`` is a pure function of the date and ``SEED``: the same plan every run
(relative to today). ``history_load()`` plays it in time order through the real services —
case intake and workflow (so the law's deadlines, met and missed, come from ``cases``' own
policies and holiday calendar), the duty desk, posts — with the clock set to each event's
moment, so every timestamp and every audit entry is honest (in the past, in order). Survey
responses, which are anonymous and not audited, take the responses' bulk path (rows plus their
pending counts, folded into the counters the same way the QR form's are).

History is the past: the after-commit side effects of those services (live events, the
notification tasks, the Zalo outbox) are dropped, not sent now. The history's Zalo replies are
stored as delivered and seen.

Idempotent: nothing is loaded when the history's marker cases exist. Called by
``langnghe ensure_demo`` (``make run``) and ``load_demo --history``; the plain ``load_demo``
(used by the tests' demo network) does not pay for it.
"""

from .plan import MARKER, SEED, Event, Plan, history_plan, history_start
from .player import history_exists, history_load

__all__ = [
    "MARKER",
    "SEED",
    "Event",
    "Plan",
    "history_exists",
    "history_load",
    "history_plan",
    "history_start",
]
