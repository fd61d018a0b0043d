"""The websocket over real HTTP (uvicorn): anonymous sockets are refused; an officer gets the
events of their own subtree only."""

import asyncio
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def _ws_url(asgi_url: str) -> str:
    return asgi_url.replace("http://", "ws://") + "/ws/inbox/"


def test_anonymous_socket_is_refused(asgi_url):
    import websockets

    async def run():
        with pytest.raises(websockets.exceptions.WebSocketException):
            async with websockets.connect(_ws_url(asgi_url), open_timeout=5) as ws:
                await ws.recv()

    _run_in_own_loop(run())


def test_officer_receives_events_of_own_units_only(asgi_url, make_staff, unit):
    import urllib.request

    import websockets

    for code in ("BG-X07201", "BG-X07204"):
        u = unit(code)
        u.office_hours = "trực ban 24/7"
        u.save(update_fields=["office_hours"])
    officer = make_staff("BG-X07201", "duty_officer")
    client = Client()
    client.force_login(officer)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    def chat(code: str, text: str) -> None:
        req = urllib.request.Request(
            f"{asgi_url}/api/v1/inbox/webchat/{code}",
            data=json.dumps({"text": text}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(req, timeout=5).read()  # noqa: S310

    async def run():
        async with websockets.connect(
            _ws_url(asgi_url),
            additional_headers={"Cookie": cookie, "Origin": asgi_url},
            open_timeout=5,
        ) as ws:
            await asyncio.to_thread(chat, "BG-X07204", "đơn vị khác")
            await asyncio.to_thread(chat, "BG-X07201", "của tôi")
            event = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert event["kind"] == "message" and event["message"]["text"] == "của tôi"
            assert event["unit"] == "BG-X07201"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.5)

    _run_in_own_loop(run())


def _run_in_own_loop(coroutine) -> None:
    """Run the websocket client in a thread with its own event loop: when Playwright's sync API
    is active in this process (browser tests), the main thread already has a running loop."""
    import threading

    errors: list[BaseException] = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
