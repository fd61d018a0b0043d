import pytest
from django.core.management import CommandError, call_command

from langnghe.audit.models import AuditEntry
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)
PASSPHRASE = "mot-mat-khau-sao-luu-dai"


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "anh.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return settings.MEDIA_ROOT


def test_round_trip(tmp_path, media, monkeypatch, demo_network, make_staff):
    from langnghe.units.services import unit_update

    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    make_staff("BG-X07201", "duty_officer", username="truoc.sao.luu")
    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 9999 999")
    audit_before = list(AuditEntry.objects.order_by("id").values_list("hash", flat=True))
    target = tmp_path / "backup.lnbk"
    call_command("backup", "--to", str(target))
    raw = target.read_bytes()
    assert b"0204 9999 999" not in raw and b"truoc.sao.luu" not in raw  # sealed

    # After the backup: changes that the restore must undo.
    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 0000 000")
    (media / "cases" / "anh.jpg").unlink()

    call_command("restore", str(target), "--yes")
    assert Unit.objects.count() == 224
    assert Unit.objects.get(code="BG-X07201").hotline == "0204 9999 999"
    assert (media / "cases" / "anh.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"
    assert list(AuditEntry.objects.order_by("id").values_list("hash", flat=True)) == audit_before
    call_command("audit_verify")
    # New rows after a restore get fresh ids (sequences moved past the restored rows).
    make_staff("BG", "viewer", username="sau.khoi.phuc")


def test_wrong_passphrase_or_altered_file_changes_nothing(
    tmp_path, media, monkeypatch, demo_network
):
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "backup.lnbk"
    call_command("backup", "--to", str(target))
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", "mat-khau-khac-hoan-toan")
    with pytest.raises(CommandError, match="Sai mật khẩu"):
        call_command("restore", str(target), "--yes")
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    data = bytearray(target.read_bytes())
    data[-5] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="đã bị sửa"):
        call_command("restore", str(target), "--yes")
    assert Unit.objects.count() == 224


def test_backup_needs_a_passphrase(tmp_path, monkeypatch):
    monkeypatch.delenv("LANGNGHE_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="LANGNGHE_BACKUP_PASSPHRASE"):
        call_command("backup", "--to", str(tmp_path / "x"))
