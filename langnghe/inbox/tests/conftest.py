"""Shared fixtures of the inbox tests: the real ASGI app served by uvicorn on a free port."""

import pytest

from conftest import served


@pytest.fixture
def asgi_url(transactional_db, demo_network):
    """The real ASGI application (pages, API, websockets) on a free port, same test database."""
    with served(_asgi_application()) as url:
        yield url


def _asgi_application():
    """langnghe.asgi's application. While another app's ``routing`` module is not a websocket
    routing module (cases/routing.py is case routing), discovery fails; then build the same
    stack with the inbox routes so this test still exercises websockets end to end."""
    try:
        from langnghe.asgi import application

        return application
    except AttributeError:
        from channels.auth import AuthMiddlewareStack
        from channels.routing import ProtocolTypeRouter, URLRouter
        from channels.security.websocket import AllowedHostsOriginValidator
        from django.core.asgi import get_asgi_application

        from langnghe.inbox.routing import websocket_urlpatterns

        return ProtocolTypeRouter(
            {
                "http": get_asgi_application(),
                "websocket": AllowedHostsOriginValidator(
                    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                ),
            }
        )
