"""The machine lane: a few stateless endpoints dispatched before the session stack.

A Zalo webhook and a survey response sent from a QR form are calls that carry no session, no
login and no CSRF token (the webhook checks Zalo's signature; the survey API takes no
authentication and its ``client_id`` makes a resend harmless). In a campaign or an incident
they come by the thousand, so they are answered here, before the session, CSRF,
authentication, 2FA, messages and lockout middleware that can have nothing to do with them;
the security headers around this middleware still apply.

A view belongs here only when it needs none of that stack and is safe to run twice: after a
connection broken by a database restart it is run once more on a fresh connection, and if the
database is still away the answer is the 503 with Retry-After that
``langnghe.security.middleware`` gives everywhere else (both take it from
``langnghe.core.middleware``: core imports no other app). The views are named in
``settings.LANGNGHE_MACHINE_LANE`` (``namespace:url_name`` → methods); the route is the
project's own (the root URLconf), so the lane never answers a path the site would not.

``settings.LANGNGHE_MACHINE_LANE_HANDLERS`` may name, for a lane view, a quicker handler of
the usual request (a valid survey response, without django-ninja's per-call work): it returns
the answer, or None to leave the request to the view — which then answers it as always (every
refusal and error message stays the view's, and the handler must have changed nothing).
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.module_loading import import_string

from langnghe.core.middleware import unavailable_response

log = logging.getLogger("langnghe.security")


def machine_lane(get_response):
    views: dict[str, set[str]] = {
        name: {m.upper() for m in methods}
        for name, methods in getattr(settings, "LANGNGHE_MACHINE_LANE", {}).items()
    }
    prefixes = tuple(getattr(settings, "LANGNGHE_MACHINE_LANE_PREFIXES", ("/",)))
    handlers = {
        name: import_string(dotted)
        for name, dotted in getattr(settings, "LANGNGHE_MACHINE_LANE_HANDLERS", {}).items()
    }

    # The route of each path seen, kept for the process (the URLconf does not change while it
    # runs): resolving a webhook's path walks most of the site's patterns, a fifth of an
    # acknowledgement's time in a profile. Bounded: when full, it starts afresh.
    matches: dict[str, ResolverMatch | None] = {}

    def route(path: str) -> ResolverMatch | None:
        # Read once and return what was read: under gthread workers another thread may clear
        # the dict between a write and a second read.
        if (found := matches.get(path, False)) is not False:
            return found
        if len(matches) >= 10_000:
            matches.clear()
        try:
            found = resolve(path)
        except Resolver404:
            found = None
        matches[path] = found
        return found

    def middleware(request):
        if request.method not in ("POST", "PUT") or not request.path.startswith(prefixes):
            return get_response(request)
        match = route(request.path)
        if match is None or request.method not in views.get(match.view_name, ()):
            return get_response(request)
        handler = handlers.get(match.view_name)

        def answer():
            if handler is not None and (quick := handler(request, *match.args, **match.kwargs)):
                return quick
            return match.func(request, *match.args, **match.kwargs)

        try:
            return answer()
        except (OperationalError, InterfaceError):
            # A connection broken by a database restart: once more on a fresh one.
            connection.close()
        try:
            return answer()
        except (OperationalError, InterfaceError):
            log.error("database unavailable: %s refused with 503", match.view_name)
            return unavailable_response(request)

    return middleware
