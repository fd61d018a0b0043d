"""What the connector's services share: the per-process memos of connections and units."""

from langnghe.core.memo import ProcessMemo
from langnghe.units.models import Unit

# A unit's webhook connection (unit id, app id, unsealed secret), kept per process for
# CONNECTION_TTL seconds: an event then costs no query and no unsealing to check. A reconnect
# (zalo_connect) reaches this process at once and the others within the TTL, as does a connection
# switched off in the admin.
CONNECTION_TTL = 10.0
_webhook_connections = ProcessMemo(CONNECTION_TTL)
_units = ProcessMemo(CONNECTION_TTL)
# The active connection of a unit that answers on Zalo (its id, for the outbox rows), kept as
# the webhook's: a reconnect shows at once here, a connection switched off within the TTL.
_outbox_connections = ProcessMemo(CONNECTION_TTL)


def _unit(unit_id: int) -> Unit:
    """The event's unit, kept per process for CONNECTION_TTL seconds (a burst is for a few)."""
    return _units.get(unit_id, lambda: Unit.objects.get(pk=unit_id))
