"""The client's address: one rule, used by every per-address limit and by the login lockout.

The address is the TCP peer's, unless the peer is one of ``LANGNGHE_TRUSTED_PROXIES``
(addresses or networks; empty by default: nobody is trusted). Then ``X-Forwarded-For`` is
read from the right, each trusted hop skipped: the first address that is not a trusted proxy
is the client's — what the nearest proxy we trust saw. What a client writes into the header
itself stands to the left of that and is never read. A value that is not a plain IP address
(``10.2.2.c``, a port, garbage) ends the walk: the client is then the last hop that was read,
a proxy of ours. The web servers do not rewrite the address themselves (``langnghe serve``
runs uvicorn with ``--no-proxy-headers``; gunicorn never does), so this is the only rule.

``client_address_middleware`` (first in MIDDLEWARE) puts the result into
``request.META["REMOTE_ADDR"]``, which django-ratelimit (``key="ip"``), the survey and
content address hashes and the triage limit read; django-ratelimit and django-axes are also
pointed at ``client_address`` itself (RATELIMIT_IP_META_KEY, AXES_CLIENT_IP_CALLABLE).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Some servers (a unix socket, a test harness) give no peer address: those requests are
# counted together under this one instead of failing.
UNKNOWN = "0.0.0.0"  # noqa: S104
PEER_KEY = "langnghe.peer_address"  # the TCP peer, kept beside the client's address
RESOLVED_KEY = "langnghe.client_address"


def parse_address(value: str) -> Address | None:
    """A plain IPv4 or IPv6 address (an IPv4-mapped IPv6 one as IPv4), else None: no port,
    no zone, no brackets, nothing else."""
    value = (value or "").strip()
    if not value or "%" in value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(setting: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in setting)


def trusted_networks() -> tuple[Network, ...]:
    """``LANGNGHE_TRUSTED_PROXIES`` as networks (checked when the settings are loaded)."""
    return _networks(tuple(getattr(settings, "LANGNGHE_TRUSTED_PROXIES", ())))


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def resolve(peer: str, forwarded_for: str) -> str:
    """The client's address from the peer's and the ``X-Forwarded-For`` header's value (all
    its lines joined by commas, as Django gives them)."""
    client = parse_address(peer)
    if client is None:
        return UNKNOWN
    networks = trusted_networks()
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()] if forwarded_for else []
    while hops and _trusted(client, networks):
        hop = parse_address(hops.pop())
        if hop is None:
            break
        client = hop
    return str(client)


def client_address(request) -> str:
    """The client's address of a request (computed once; see the module's docstring)."""
    meta = request.META
    if RESOLVED_KEY not in meta:
        peer = meta.get("REMOTE_ADDR", "")
        meta[PEER_KEY] = peer
        meta[RESOLVED_KEY] = resolve(peer, meta.get("HTTP_X_FORWARDED_FOR", ""))
    return meta[RESOLVED_KEY]


def client_address_middleware(get_response):
    """REMOTE_ADDR becomes the client's address, for every reader below."""

    def middleware(request):
        request.META["REMOTE_ADDR"] = client_address(request)
        return get_response(request)

    return middleware
