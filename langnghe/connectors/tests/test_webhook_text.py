"""A signed Zalo event is cleaned, not refused, for a broken character: a lone surrogate in a
citizen's message becomes U+FFFD and the message is kept (langnghe.core.text.json_loads_clean);
Zalo would not correct and resend it."""

import json
import time

import pytest

from langnghe.connectors.models import WebhookEvent
from langnghe.connectors.simulator import mac
from langnghe.inbox.models import Conversation

from .conftest import APP_ID, SECRET, UNIT

pytestmark = pytest.mark.django_db


def test_a_lone_surrogate_in_a_zalo_message_is_replaced_and_the_message_kept(
    sim, connection, deliver
):
    sim.user("zu-2001")
    # Signed like the simulator does, the JSON written with escapes (as JavaScript's
    # JSON.stringify writes a lone surrogate): "\ud800".
    event = {
        "app_id": APP_ID,
        "timestamp": str(int(time.time() * 1000)),
        **sim.text_event("zu-2001", "Cho hỏi \ud800 thủ tục"),
    }
    body = json.dumps(event).encode()
    assert b"\\ud800" in body
    signature = mac(APP_ID, body, event["timestamp"], SECRET)
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={signature}"}
    response = deliver(body, headers)
    assert response.status_code == 200 and response.json()["error"] == 0
    assert WebhookEvent.objects.count() == 1
    conversation = Conversation.objects.get(unit__code=UNIT, external_id="zu-2001")
    [message] = conversation.messages.filter(direction="in")
    assert message.text == "Cho hỏi \ufffd thủ tục"
