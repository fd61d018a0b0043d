"""When the database is away: a clear 503 instead of a server error.

A view that hits ``OperationalError`` / ``InterfaceError`` (PostgreSQL stopped, restarting,
out of connections) answers 503 with ``Retry-After``: JSON ``{"detail", "code":
"db_unavailable"}`` under /api/, a short Vietnamese page elsewhere. Nothing was stored (the
transaction failed), so the client may safely retry — survey responses carry a client_id,
so a retry is never counted twice.
"""

import logging

from django.db import InterfaceError, OperationalError

# The answer itself is core's (langnghe.core.lanes gives it too): core imports no other app.
from langnghe.core.middleware import unavailable_response

log = logging.getLogger("langnghe.security")


def database_unavailable(get_response):
    def middleware(request):
        return get_response(request)

    def process_exception(request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            log.error("database unavailable: %s", type(exception).__name__)
            return unavailable_response(request)
        return None

    middleware.process_exception = process_exception
    return middleware
