"""Shared test fixtures. The real 224-unit Bắc Giang network is loaded once per test database
(every test sees it and rolls back its own changes); staff are made with the real services."""

import contextlib
import socket
import threading
import time

import pytest

from langnghe.accounts.services import staff_create
from langnghe.units.models import Unit

# Codes in the demo network (langnghe/units/networks.py).
PROVINCE = "BG"
CITY = "BG-H213"  # Công an thành phố Bắc Giang
THO_XUONG = "BG-X07201"  # Công an phường Thọ Xương (under the city)
TRAN_NGUYEN_HAN = "BG-X07204"  # Công an phường Trần Nguyên Hãn (under the city)
YEN_THE = "BG-H215"  # Công an huyện Yên Thế


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from langnghe.units.networks import load_demo_network

    with django_db_blocker.unblock():
        load_demo_network()


@pytest.fixture(autouse=True)
def _fresh_flags():
    """Per-process state of the Zalo intake (the drain's wake-up flag in the local-memory cache,
    the connections kept per process) must not pass from one test to the next."""
    from django.core.cache import cache

    from langnghe.connectors.services import (
        DRAIN_FLAG,
        _flag_seen,
        _outbox_connections,
        _units,
        _webhook_connections,
    )

    cache.delete(DRAIN_FLAG)
    _flag_seen[0] = float("-inf")
    _webhook_connections.clear()
    _units.clear()
    _outbox_connections.clear()


@pytest.fixture
def demo_network():
    """For transactional tests (browser tests with live_server): their tables are emptied after
    each test, so they load the network again when it is missing."""
    from langnghe.cases.models import Category
    from langnghe.cases.policies import categories_apply
    from langnghe.units.networks import load_demo_network

    if not Unit.objects.filter(code=PROVINCE).exists():
        load_demo_network()
    if not Category.objects.exists():  # made by a data migration, emptied with the tables
        categories_apply(Category)


@pytest.fixture
def unit():
    def get(code: str) -> Unit:
        return Unit.objects.get(code=code)

    return get


@pytest.fixture
def make_staff(db):
    """make_staff("BG-X07201", "duty_officer") → a user with that role in that unit."""
    counter = {"n": 0}

    def make(code: str, role: str = "viewer", username: str | None = None):
        counter["n"] += 1
        name = username or f"staff{counter['n']}_{code.lower()}_{role}"
        return staff_create(
            username=name, password="password-123", unit=Unit.objects.get(code=code), role=role
        )

    return make


@pytest.fixture
def api_client(client):
    """A Django test client with a bearer token for a user: api_client(user).get(...)."""
    from django.test import Client

    from langnghe.accounts.services import api_token_create

    def for_user(user) -> Client:
        _record, token = api_token_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return for_user


# --- Browser tests (Playwright driving Debian's chromium) ------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # calls from the test body are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser):
    """A page the size of a 360 px wide phone, Vietnamese locale."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@contextlib.contextmanager
def served(application, **uvicorn_options):
    """``application`` served by a real uvicorn on a free loopback port, in a thread; yields
    its base URL and stops the server on leaving."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            **uvicorn_options,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
