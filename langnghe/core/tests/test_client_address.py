"""The client's address, one rule for every per-address limit and the login lockout
(langnghe/core/clientaddr.py): X-Forwarded-For is read only through LANGNGHE_TRUSTED_PROXIES,
a malformed value never answers 5xx, and the lockout is per user name *and* address."""

import json
import time
import types
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from conftest import THO_XUONG, served
from langnghe.core.clientaddr import resolve

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
BAD_TIP = {"category": "no_such", "description": "x", "anonymous": True}  # 400, stores nothing
CASE_LIMIT = 10  # cases.create: 10/m per address


@pytest.fixture(autouse=True)
def frozen_counters(monkeypatch):
    """Empty counters and a clock that stands still (django-ratelimit's fixed windows)."""
    import django_ratelimit.core

    frozen = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: frozen))
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "trusted, peer, forwarded_for, client",
    [
        # Nobody trusted (the default): the header is never read.
        ([], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
        ([], "127.0.0.1", "203.0.113.1", "127.0.0.1"),
        # Through a trusted proxy: the first untrusted hop from the right.
        ([PROXY], PROXY, "203.0.113.1", "203.0.113.1"),
        (["10.0.0.0/8"], PROXY, "6.6.6.6, 203.0.113.1, 10.0.0.9", "203.0.113.1"),
        (["10.0.0.0/8"], PROXY, "6.6.6.6,203.0.113.1", "203.0.113.1"),
        (
            ["10.0.0.0/8", "2001:db8::/32"],
            "2001:db8::1",
            "203.0.113.9, 2001:db8::2, 10.0.0.3",
            "203.0.113.9",
        ),
        (["10.0.0.0/8"], PROXY, "2001:DB8:0:0::7", "2001:db8::7"),
        (["10.0.0.0/8"], PROXY, "::ffff:203.0.113.5", "203.0.113.5"),
        # Malformed hops end the walk at the last hop read (a proxy of ours).
        (["10.0.0.0/8"], PROXY, "10.2.2.c", PROXY),
        (["10.0.0.0/8"], PROXY, "203.0.113.1, 10.0.0.2, 10.2.2.c", PROXY),
        (["10.0.0.0/8"], PROXY, "203.0.113.1:4711", PROXY),
        (["10.0.0.0/8"], PROXY, "[2001:db8::1]:80", PROXY),
        (["10.0.0.0/8"], PROXY, "fe80::1%eth0", PROXY),
        (["10.0.0.0/8"], PROXY, "\x00\u1ea1 garbage", PROXY),
        (["10.0.0.0/8"], PROXY, "", PROXY),
        (["10.0.0.0/8"], PROXY, " , ,", PROXY),
        # Every hop trusted: the leftmost.
        (["10.0.0.0/8"], PROXY, "10.0.0.7, 10.0.0.8", "10.0.0.7"),
        # No usable peer address (a unix socket, a rewritten value): one shared bucket.
        (["10.0.0.0/8"], "", "203.0.113.1", "0.0.0.0"),
        ([], "10.2.2.c", "", "0.0.0.0"),
    ],
)
def test_the_address_rule(trusted, peer, forwarded_for, client):
    with override_settings(LANGNGHE_TRUSTED_PROXIES=trusted):
        assert resolve(peer, forwarded_for) == client


def _tip(client, **headers):
    return client.post(
        "/api/v1/cases", data=json.dumps(BAD_TIP), content_type="application/json", **headers
    )


def test_a_malformed_peer_address_never_answers_5xx():
    """What uvicorn used to make of ``X-Forwarded-For: 10.2.2.c`` (its proxy headers rewrote
    the client's address): django-ratelimit raised ValueError, a 500."""
    client = Client(REMOTE_ADDR="10.2.2.c")
    for _ in range(CASE_LIMIT):
        assert _tip(client).status_code == 400
    assert _tip(client).status_code == 429


@override_settings(LANGNGHE_TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize("garbage", ["10.2.2.c", "203.0.113.1:80", "<script>", "1.2.3.4.5"])
def test_a_malformed_forwarded_for_never_answers_5xx_and_is_still_limited(garbage):
    # From an untrusted peer: the header is not read, the peer is limited.
    direct = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=garbage)
    for _ in range(CASE_LIMIT):
        assert _tip(direct).status_code == 400
    assert _tip(direct).status_code == 429
    # Through our proxy, which appends the address it saw: the client's own garbage to the
    # left is never read, the real address is limited, and another client is not.
    proxied = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{garbage}, 203.0.113.1")
    for _ in range(CASE_LIMIT):
        assert _tip(proxied).status_code == 400
    assert _tip(proxied).status_code == 429
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{garbage}, 203.0.113.2")
    assert _tip(other).status_code == 400


def _survey(client):
    import uuid

    body = {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": "4"}}
    return client.post(
        "/api/v1/surveys/responses", data=json.dumps(body), content_type="application/json"
    )


@override_settings(LANGNGHE_TRUSTED_PROXIES=[PROXY], LANGNGHE_SURVEY_IP_LIMIT=3)
@pytest.mark.parametrize(
    "send, limit, refused",
    [(_tip, CASE_LIMIT, 429), (_survey, 3, 429)],
    ids=["case-create", "survey-response"],
)
def test_two_clients_behind_a_trusted_proxy_are_limited_apart(send, limit, refused):
    """Before: every client had the proxy's address, so one person filled the limit for all."""
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    for _ in range(limit):
        assert send(first).status_code != refused
    assert send(first).status_code == refused
    # The same person writing another address in front of the proxy's gains nothing.
    spoofing = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.1")
    assert send(spoofing).status_code == refused
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert send(second).status_code != refused


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=10)
def test_lockout_from_one_address_does_not_lock_the_officer_out_elsewhere(make_staff):
    """Before: the lockout was by user name alone, so anyone could lock a duty officer out."""
    make_staff(THO_XUONG, "duty_officer", username="tb.khoa")
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    for i in range(10):
        attacker.post("/staff/login/", {"username": "tb.khoa", "password": f"sai-{i}"})
    locked = attacker.post("/staff/login/", {"username": "tb.khoa", "password": "password-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    officer = Client(REMOTE_ADDR="203.0.113.10")
    response = officer.post("/staff/login/", {"username": "tb.khoa", "password": "password-123"})
    assert response.status_code == 302
    assert "_auth_user_id" in officer.session


# --- the served shape: uvicorn as `langnghe serve` starts it ------------------------------------


def _served_uvicorn_options() -> dict:
    """The proxy options of the uvicorn command line that `langnghe serve` runs."""
    from uvicorn.main import main

    from langnghe.core.management.commands.serve import web_commands

    [command] = web_commands(host="127.0.0.1", port=8000, workers=1, http="wsgi", ws_port=8001)
    arguments = command[command.index("uvicorn") + 1 :]
    params = main.make_context("uvicorn", arguments).params
    return {
        "proxy_headers": params["proxy_headers"],
        "forwarded_allow_ips": params["forwarded_allow_ips"],
    }


@pytest.fixture
def served_url(transactional_db, demo_network):
    from langnghe.asgi import application

    with served(application, **_served_uvicorn_options()) as url:
        yield url


def _post_tip(url: str, forwarded_for: str) -> int:
    request = urllib.request.Request(
        url + "/api/v1/cases",
        data=json.dumps(BAD_TIP).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_served_rotating_or_malformed_forwarded_for_neither_evades_nor_breaks(served_url):
    """Before: uvicorn believed X-Forwarded-For from loopback — a client rotating it was never
    limited, and ``10.2.2.c`` became the client's address (a 500 inside django-ratelimit)."""
    statuses = [_post_tip(served_url, f"203.0.113.{i}") for i in range(CASE_LIMIT - 1)]
    statuses.append(_post_tip(served_url, "10.2.2.c"))
    assert statuses == [400] * CASE_LIMIT
    assert _post_tip(served_url, "203.0.113.200") == 429
