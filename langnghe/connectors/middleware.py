"""The Zalo webhook's own lane through the stack.

A webhook is a machine's POST: no session, no cookie, no user, no CSRF token (the view is
CSRF-exempt and checks Zalo's signature instead). During an incident these calls come by the
thousand, so they are dispatched here, before the session, CSRF, authentication, 2FA and lockout
middleware that can have nothing to do with them; the security headers around this middleware
still apply. The route is the one in ``connectors/urls.py`` (resolved from that module alone),
and a database outage answers 503 as ``langnghe.security.middleware`` would.
"""

import logging

from django.db import InterfaceError, OperationalError, connection
from django.urls import URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern

from langnghe.security.middleware import unavailable_response

log = logging.getLogger("langnghe.security")

PREFIX = "/webhooks/"


def _resolver() -> URLResolver:
    return URLResolver(RegexPattern(r"^/"), "langnghe.connectors.urls")


def webhook_lane(get_response):
    resolver = _resolver()

    def middleware(request):
        if not request.path.startswith(PREFIX):
            return get_response(request)
        try:
            match = resolver.resolve(request.path)
        except Resolver404:
            return get_response(request)
        if match.url_name != "zalo_webhook":
            return get_response(request)
        try:
            return match.func(request, *match.args, **match.kwargs)
        except (OperationalError, InterfaceError):
            # A connection broken by a database restart: once more on a fresh one (storing an
            # event is idempotent on its key), else 503 for Zalo to resend.
            connection.close()
        try:
            return match.func(request, *match.args, **match.kwargs)
        except (OperationalError, InterfaceError):
            log.error("database unavailable: Zalo webhook refused with 503")
            return unavailable_response(request)

    return middleware
