"""Operator jobs: Open311 client keys, re-sealing under a new data key, and the hand-over of
open cases when a unit ends."""

import hashlib
import secrets

from django.db import transaction

from langnghe.audit.services import audit_record
from langnghe.units.models import Unit

from .. import crypto
from ..models import OPEN_STATUSES, Case, CaseEntry, EntryKind, Open311Client
from ._common import _entry, _lock, _text


def open311_client_create(*, name: str, by=None) -> tuple[Open311Client, str]:
    """Returns the client and its key, shown once; only the key's SHA-256 is stored."""
    name = _text(name, field="name", label="tên ứng dụng", max_length=100)
    key = "o311_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name, prefix=key[:10], key_hash=hashlib.sha256(key.encode()).hexdigest()
        )
        audit_record(
            actor=by,
            action="open311.client_create",
            target=client,
            data={"name": name, "prefix": client.prefix},
        )
    return client, key


def cases_reseal(*, batch: int = 500) -> int:
    """Re-encrypt every sealed value under the current data key (after adding a new key to
    LANGNGHE_DATA_KEYS); old keys can be removed once this has run."""
    fields = ("description_sealed", "reporter_sealed", "location_sealed", "address_sealed")
    context_of = {
        "description_sealed": "description",
        "reporter_sealed": "reporter",
        "location_sealed": "location",
        "address_sealed": "address",
    }
    count = 0
    for case in Case.objects.iterator(chunk_size=batch):
        changed = []
        for field in fields:
            token = getattr(case, field)
            if token and not crypto.is_current(token):
                context = case.sealing_context(context_of[field])
                setattr(
                    case, field, crypto.seal(crypto.unseal(token, context=context), context=context)
                )
                changed.append(field)
        if changed:
            Case.objects.filter(pk=case.pk).update(**{f: getattr(case, f) for f in changed})
            count += 1
        for entry in case.entries.exclude(body_sealed=""):
            if not crypto.is_current(entry.body_sealed):
                context = case.sealing_context(f"entry:{entry.pk}")
                body = crypto.unseal(entry.body_sealed, context=context)
                CaseEntry.objects.filter(pk=entry.pk).update(
                    body_sealed=crypto.seal(body, context=context)
                )
    if count:
        audit_record(actor=None, action="case.reseal", data={"cases": count})
    return count


def cases_move_open(*, from_unit: Unit, to_unit: Unit, note: str, by=None) -> int:
    """A unit that ends (the 2025 reorganisation) hands its open cases to its successor: the
    assignee, the status and every legal deadline stay as they are (the reform changes who
    handles a case, not the time the law gives); the move is on the case's timeline, told to
    the reporter, and audited. Closed cases stay as the old unit's history."""
    moved = 0
    for case in Case.objects.filter(unit=from_unit, status__in=OPEN_STATUSES):
        with transaction.atomic():
            case = _lock(case)
            Case.objects.filter(pk=case.pk).update(unit=to_unit)
            _entry(
                case,
                kind=EntryKind.TRANSFER,
                actor=by,
                body=note,
                visible=True,
                data={"from_unit": from_unit.code, "to_unit": to_unit.code, "reorganized": True},
            )
            audit_record(
                actor=by,
                action="case.reorganize",
                target=case,
                unit=to_unit,
                data={"from_unit": from_unit.code, "to_unit": to_unit.code},
            )
        moved += 1
    return moved
