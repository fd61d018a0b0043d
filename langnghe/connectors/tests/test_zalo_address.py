"""Zalo is reached at its own hosts over https; another address (the simulator) only in a
sandbox the operator declared (LANGNGHE_ZALO_SANDBOX=1). The test settings declare one, so
each test of the real rule turns it off."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from langnghe.connectors import zalo
from langnghe.connectors.models import OutboundMessage, ZaloConnection
from langnghe.connectors.services import token_refresh
from langnghe.inbox import services as inbox
from langnghe.inbox.models import Conversation

from .conftest import APP_ID, SECRET, UNIT

pytestmark = pytest.mark.django_db

no_sandbox = override_settings(LANGNGHE_ZALO_SANDBOX=False)


def _connect_args(unit_code: str, *extra: str) -> list[str]:
    return [
        "zalo_connect", "--unit", unit_code, "--app-id", "1", "--oa-id", "2",
        "--secret-key", "s", "--access-token", "a", "--refresh-token", "r", *extra,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://openapi.zalo.me/v3.0/oa/message/cs", True),
        ("https://oauth.zaloapp.com/v4/oa/access_token", True),
        ("http://openapi.zalo.me/v3.0/oa/message/cs", False),  # plain http
        ("https://openapi.zalo.me.example.com/x", False),
        ("https://openapi.zalo.me:8443/x", False),
        ("https://user@openapi.zalo.me/x", False),
        ("http://127.0.0.1:8899/v3.0/oa/message/cs", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("https://[::1", False),  # malformed
    ],
)
def test_only_zalo_hosts_over_https_outside_a_sandbox(url, allowed):
    with no_sandbox:
        assert zalo.address_allowed(url) is allowed


def test_a_request_elsewhere_is_refused_before_anything_is_sent(sim):
    with no_sandbox, pytest.raises(zalo.ZaloAddressRefused):
        zalo.send_consultation(
            sim.url, access_token="at-initial", user_id="u", message={"text": "x"}
        )
    assert sim.sent == []
    # The same call in the declared sandbox reaches the simulator.
    sim.user("u")
    answer = zalo.send_consultation(
        sim.url, access_token="at-initial", user_id="u", message={"text": "x"}
    )
    assert answer["error"] == 0 and len(sim.sent) == 1


def test_command_refuses_another_address_outside_a_sandbox(sim, unit):
    unit("BG-X07204")
    with no_sandbox, pytest.raises(CommandError, match="LANGNGHE_ZALO_SANDBOX"):
        call_command(*_connect_args("BG-X07204", "--api-base", sim.url))
    assert not ZaloConnection.objects.exists()


def test_command_keeps_an_existing_connection_when_refused(connection, sim):
    before = ZaloConnection.objects.values().get(pk=connection.pk)
    with no_sandbox, pytest.raises(CommandError):
        call_command(*_connect_args(UNIT, "--api-base", "http://10.0.0.5:8080"))
    assert ZaloConnection.objects.values().get(pk=connection.pk) == before


def test_command_outside_a_sandbox_connects_to_zalo_itself(unit):
    unit("BG-X07204")
    with no_sandbox:
        call_command(*_connect_args("BG-X07204"))
    connection = ZaloConnection.objects.get(unit__code="BG-X07204")
    assert (connection.api_base, connection.oauth_base) == (zalo.API_BASE, zalo.OAUTH_BASE)


def test_command_accepts_the_simulator_in_a_sandbox(sim, unit):
    unit("BG-X07204")
    call_command(*_connect_args("BG-X07204", "--api-base", sim.url))
    connection = ZaloConnection.objects.get(unit__code="BG-X07204")
    assert (connection.api_base, connection.oauth_base) == (sim.url, sim.url)


def test_reconnecting_to_zalo_drops_the_simulator_address(connection):
    call_command(*_connect_args(UNIT))
    connection.refresh_from_db()
    assert (connection.api_base, connection.oauth_base) == (zalo.API_BASE, zalo.OAUTH_BASE)


def test_console_form_has_no_address_field_outside_a_sandbox(client, make_staff, sim):
    client.force_login(make_staff(UNIT, "admin"))
    client.post("/staff/unit/", {"unit": UNIT})
    with no_sandbox:
        page = client.get("/staff/zalo/").content.decode()
        assert 'name="app_id"' in page and 'name="oauth_base"' not in page
        # A value posted anyway is refused, and no flow is started.
        response = client.post(
            "/staff/zalo/connect/",
            {"app_id": APP_ID, "app_secret": SECRET, "oauth_base": sim.url},
        )
    assert response.status_code == 200  # the form shown again with its error
    assert "LANGNGHE_ZALO_SANDBOX" in response.content.decode()
    assert "zalo_oauth" not in client.session
    # Without the field, the admin is sent to Zalo's own permission page.
    with no_sandbox:
        start = client.post("/staff/zalo/connect/", {"app_id": APP_ID, "app_secret": SECRET})
    assert start.status_code == 302
    assert start.url.startswith("https://oauth.zaloapp.com/v4/oa/permission?")


def test_console_form_offers_the_simulator_in_a_sandbox(client, make_staff, sim):
    client.force_login(make_staff(UNIT, "admin"))
    client.post("/staff/unit/", {"unit": UNIT})
    assert 'name="oauth_base"' in client.get("/staff/zalo/").content.decode()
    start = client.post(
        "/staff/zalo/connect/", {"app_id": APP_ID, "app_secret": SECRET, "oauth_base": sim.url}
    )
    assert start.status_code == 302 and start.url.startswith(sim.url)


def test_a_stored_address_is_refused_at_use_outside_a_sandbox(sim, connection, deliver):
    """A connection made in a sandbox (or written straight into the database) does not make a
    production server send the token or a citizen's reply to that address."""
    sim.user("zu-1")
    body, headers = sim.signed(sim.text_event("zu-1", "Xin chào", msg_id="m-1"))
    deliver(body, headers)
    conversation = Conversation.objects.get(external_id="zu-1")
    message = inbox.message_reply(conversation=conversation, by=None, text="Chúng tôi đã nhận.")
    refreshes = sim.refresh_count
    with no_sandbox:
        call_command("outbox_run", "--once")
        with pytest.raises(zalo.ZaloUnavailable):
            token_refresh(connection_id=connection.pk)
    row = OutboundMessage.objects.get(message=message)
    assert row.status == "pending" and "chính thức" in row.last_error
    assert sim.sent == [] and sim.refresh_count == refreshes
