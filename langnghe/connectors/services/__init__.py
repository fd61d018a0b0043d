"""Every write of the Zalo connector, one module per topic: connecting an OA (``connect``),
receiving webhook events (``webhook``) and what each does (``events``), the outbox (``outbox``).

This package re-exports them, so ``from langnghe.connectors.services import X`` and
``services.X`` keep working.
"""

from langnghe.core.exceptions import ApplicationError, NotFound

from ._common import (
    CONNECTION_TTL,
    _outbox_connections,
    _units,
    _webhook_connections,
)
from .connect import (
    sandbox_address,
    token_refresh,
    zalo_connect,
    zalo_move,
)
from .outbox import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    FINISH_FIELDS,
    MAX_ATTEMPTS,
    NOT_FOLLOWER_NOTE,
    RATE_PER_MINUTE,
    RATE_RESERVE,
    TOKEN_REFRESH_MARGIN,
    WINDOW_NOTE,
    outbound_enqueue,
    outbound_enqueue_many,
    outbound_send,
    outbound_send_many,
    outbox_run,
)
from .webhook import (
    DRAIN_BATCH,
    DRAIN_FLAG,
    DRAIN_MAX_SECONDS,
    LOCK_CONFLICTS,
    MAX_WEBHOOK_BODY,
    SWEEP_AFTER,
    WEBHOOK_MAX_AGE,
    WEBHOOK_MAX_SKEW,
    _drain_batch,
    _flag_seen,
    webhook_event_process,
    webhook_events_drain,
    webhook_events_sweep,
    webhook_receive,
)

__all__ = [
    # What the tests drive or reset (conftest.py's fresh flags, one drain batch).
    "_drain_batch",
    "_flag_seen",
    "_outbox_connections",
    "_units",
    "_webhook_connections",
    "ApplicationError",
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "CONNECTION_TTL",
    "DRAIN_BATCH",
    "DRAIN_FLAG",
    "DRAIN_MAX_SECONDS",
    "FINISH_FIELDS",
    "LOCK_CONFLICTS",
    "MAX_ATTEMPTS",
    "MAX_WEBHOOK_BODY",
    "NOT_FOLLOWER_NOTE",
    "NotFound",
    "RATE_PER_MINUTE",
    "RATE_RESERVE",
    "SWEEP_AFTER",
    "TOKEN_REFRESH_MARGIN",
    "WEBHOOK_MAX_AGE",
    "WEBHOOK_MAX_SKEW",
    "WINDOW_NOTE",
    "outbound_enqueue",
    "outbound_enqueue_many",
    "outbound_send",
    "outbound_send_many",
    "outbox_run",
    "sandbox_address",
    "token_refresh",
    "webhook_event_process",
    "webhook_events_drain",
    "webhook_events_sweep",
    "webhook_receive",
    "zalo_connect",
    "zalo_move",
]
