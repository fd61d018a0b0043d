"""The hook other apps use to hear about cases, sent after commit.

``case_status_changed`` is sent with ``case_id``, ``tracking_code``, ``channel``,
``channel_ref``, ``old_status``, ``new_status`` and ``public_note`` (a text meant for the
reporter, never personal data). The duty desk connects a receiver to send the news back through
the conversation the case came from (Zalo, web chat):

    from langnghe.cases.events import case_status_changed
    case_status_changed.connect(my_receiver, dispatch_uid="inbox.case_status")

It is also sent for a reply to the reporter (``old_status == new_status``, the reply in
``public_note``), so the channel can pass the message on.

``case_escalated`` is sent with ``case_id``, ``deadline_step`` and ``to_unit_id``. Receivers
run with ``send_robust``: a failing receiver is logged and never undoes the case's change.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

case_status_changed = Signal()
case_escalated = Signal()


def _send(signal: Signal, **payload) -> None:
    for receiver, result in signal.send_robust(sender="cases", **payload):
        if isinstance(result, Exception):
            logger.error("case event receiver %r failed: %s", receiver, type(result).__name__)


def status_changed_on_commit(case, *, old_status: str, public_note: str = "") -> None:
    payload = {
        "case_id": case.pk,
        "tracking_code": case.tracking_code,
        "channel": case.channel,
        "channel_ref": case.channel_ref,
        "old_status": old_status,
        "new_status": case.status,
        "public_note": public_note,
    }
    transaction.on_commit(lambda: _send(case_status_changed, **payload))


def escalated_on_commit(*, case_id: int, deadline_step: str, to_unit_id: int) -> None:
    payload = {"case_id": case_id, "deadline_step": deadline_step, "to_unit_id": to_unit_id}
    transaction.on_commit(lambda: _send(case_escalated, **payload))
