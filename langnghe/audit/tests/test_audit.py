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
