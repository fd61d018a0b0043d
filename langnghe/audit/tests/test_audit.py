import pytest
from django.db import DatabaseError, transaction

from langnghe.audit.models import AuditEntry
from langnghe.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_services_record_who_did_what_where(make_staff, unit):
    from langnghe.units.services import unit_update

    admin = make_staff("BG", "admin")
    tho_xuong = unit("BG-X07201")
    unit_update(unit=tho_xuong, hotline="0204 1111 222", by=admin)
    entry = AuditEntry.objects.filter(action="unit.update").latest("id")
    assert entry.actor == admin and entry.actor_label == admin.username
    assert entry.unit == tho_xuong and entry.target_id == str(tho_xuong.pk)
    assert entry.data == {"fields": ["hotline"]}


def test_entries_cannot_be_updated():
    entry = audit_record(actor=None, action="test.thing", target_type="x", target_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    entry.refresh_from_db()
    assert entry.action == "test.thing"


def _verify():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as exc:
        return False, str(exc)
    return True, out.getvalue()


def _make_entries(n=3):
    return [
        audit_record(
            actor=None,
            action="test.step",
            target_type="x",
            target_id=str(i),
            data={"i": i, "note": "thử"},
        )
        for i in range(n)
    ]


def test_intact_chain_verifies():
    _make_entries()
    ok, message = _verify()
    assert ok, message


def test_removed_row_is_named():
    entries = _make_entries(4)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    ok, message = _verify()
    assert not ok and f"mục {entries[2].id}" in message


def test_changed_row_is_named():
    from django.db import connection

    entries = _make_entries(3)
    with connection.cursor() as cursor:
        # Someone with direct database access drops the guard and edits a row.
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_no_update ON audit_auditentry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute(
            "UPDATE audit_auditentry SET action = 'forged' WHERE id = %s", [entries[1].pk]
        )
    ok, message = _verify()
    assert not ok and f"mục {entries[1].id}: nội dung đã bị sửa" in message


def test_a_batch_joins_the_chain_at_its_end_and_drops_what_was_cut():
    from langnghe.audit.services import audit_batch

    before = AuditEntry.objects.count()
    with transaction.atomic(), audit_batch() as pending:
        audit_record(actor=None, action="test.batch", target_type="x", target_id="1")
        mark = len(pending)
        audit_record(actor=None, action="test.batch", target_type="x", target_id="2")
        del pending[mark:]  # the second one's work was rolled back (a savepoint)
        audit_record(actor=None, action="test.batch", target_type="x", target_id="3")
        assert AuditEntry.objects.count() == before  # nothing stored before the batch ends
    stored = list(AuditEntry.objects.filter(action="test.batch").order_by("id"))
    assert [e.target_id for e in stored] == ["1", "3"]
    assert stored[1].prev_hash == stored[0].hash
    audit_record(actor=None, action="test.after", target_type="x", target_id="4")
    ok, message = _verify()
    assert ok, message
    with pytest.raises(ValueError), transaction.atomic(), audit_batch():
        audit_record(actor=None, action="test.lost", target_type="x", target_id="5")
        raise ValueError("the batch fails")
    assert not AuditEntry.objects.filter(action="test.lost").exists()
