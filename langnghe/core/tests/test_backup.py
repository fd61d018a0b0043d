"""Backups: a streamed, consistent snapshot sealed in frames; `restore` checks the whole archive
before it replaces anything. The drill restores into a scratch database (a SQLite file, or a
PostgreSQL database made and dropped here) through the real commands in a separate process."""

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection

from langnghe.core import backup
from langnghe.core.sealedstream import FRAME, LAST
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)
PASSPHRASE = "mot-mat-khau-sao-luu-dai"
HEADER = len(backup.MAGIC) + backup.SALT_BYTES


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "anh.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(tmp_path, media, monkeypatch, demo_network):
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "backup.lnbk"
    call_command("backup", "--to", str(target))
    return target


def _frames(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of each sealed frame of an archive."""
    data, offset, frames = path.read_bytes(), HEADER, []
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big") & ~LAST
        frames.append((offset, 4 + length))
        offset += 4 + length
    return frames


def _hotline() -> str:
    return Unit.objects.get(code="BG-X07201").hotline


def test_the_archive_is_sealed_owner_only_and_in_frames(archive, make_staff):
    raw = archive.read_bytes()
    assert raw.startswith(backup.MAGIC)
    assert b"BG-X07201" not in raw and b"SQLite format" not in raw and b"PGDMP" not in raw
    assert os.stat(archive).st_mode & 0o777 == 0o600
    assert not list(archive.parent.glob("*.part"))
    frames = _frames(archive)
    assert sum(length for _, length in frames) == len(raw) - HEADER  # nothing outside frames
    assert all(length <= 4 + FRAME + 16 for _, length in frames)


def _altered(path: Path, change) -> None:
    data = bytearray(path.read_bytes())
    path.write_bytes(bytes(change(data)))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d[:-7] + bytes([d[-7] ^ 1]) + d[-6:], "đã bị sửa"),  # one bit of the last
        (lambda d: d[: HEADER + 40] + bytes([d[HEADER + 40] ^ 1]) + d[HEADER + 41 :], "đã bị sửa"),
        (lambda d: d[:-200], "không trọn vẹn"),  # cut short
        (lambda d: d + b"more", "dữ liệu lạ sau phần cuối"),
        (lambda d: d[: HEADER - 1] + bytes([d[HEADER - 1] ^ 1]) + d[HEADER:], "Sai mật khẩu"),
    ],
    ids=["last-frame", "first-frame", "truncated", "trailing", "salt"],
)
def test_an_altered_archive_restores_nothing(archive, media, change, message, monkeypatch):
    from langnghe.units.services import unit_update

    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 0000 000")
    (media / "cases" / "anh.jpg").unlink()
    _altered(archive, change)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked before checking"))
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive))
    assert _hotline() == "0204 0000 000" and Unit.objects.count() == 224
    assert not (media / "cases" / "anh.jpg").exists()
    assert not list(media.parent.glob(".restore-*"))  # staging removed


def test_frames_in_another_order_are_refused(tmp_path, media, monkeypatch, demo_network):
    monkeypatch.setattr("langnghe.core.sealedstream.FRAME", 4096)  # many frames
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "backup.lnbk"
    call_command("backup", "--to", str(target))
    frames = _frames(target)
    assert len(frames) >= 4
    (a, a_length), (b, b_length) = frames[1], frames[2]
    _altered(
        target,
        lambda d: d[:a] + d[b : b + b_length] + d[a : a + a_length] + d[b + b_length :],
    )
    with pytest.raises(CommandError, match="đã bị sửa"):
        call_command("restore", str(target), "--yes")
    assert Unit.objects.count() == 224


def test_wrong_passphrase_restores_nothing(archive, monkeypatch):
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", "mat-khau-khac-hoan-toan")
    with pytest.raises(CommandError, match="Sai mật khẩu"):
        call_command("restore", str(archive), "--yes")
    assert Unit.objects.count() == 224


def test_an_archive_of_the_other_engine_is_refused(archive, monkeypatch):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    monkeypatch.setattr(backup, "_engine", lambda: other)
    monkeypatch.setattr(backup, "_program", lambda name: name)
    restored = []
    monkeypatch.setitem(backup.RESTORES, other, restored.append)
    with pytest.raises(CommandError, match="Khôi phục trên cùng loại cơ sở dữ liệu"):
        call_command("restore", str(archive), "--yes")
    assert restored == []


def test_the_prompt_comes_after_the_check_and_no_keeps_everything(archive, media, monkeypatch):
    from langnghe.units.services import unit_update

    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 0000 000")
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "khong")
    with pytest.raises(CommandError, match="Đã hủy"):
        call_command("restore", str(archive))
    assert asked and _hotline() == "0204 0000 000"


def test_without_pg_dump_or_pg_restore_the_commands_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(backup, "_engine", lambda: "postgresql")
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    target = tmp_path / "backup.lnbk"
    with pytest.raises(
        CommandError, match="Không tìm thấy chương trình pg_dump.*postgresql-client"
    ):
        call_command("backup", "--to", str(target))
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(backup.MAGIC + bytes(100))
    with pytest.raises(CommandError, match="Không tìm thấy chương trình pg_restore"):
        call_command("restore", str(target), "--yes")


def test_a_failing_pg_dump_leaves_no_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(backup, "_engine", lambda: "postgresql")
    monkeypatch.setattr(backup, "_program", lambda name: "false")  # exits 1, writes nothing
    with pytest.raises(CommandError, match="pg_dump thất bại"):
        call_command("backup", "--to", str(tmp_path / "backup.lnbk"))
    assert list(tmp_path.iterdir()) == []


def test_backup_needs_a_passphrase(tmp_path, monkeypatch):
    monkeypatch.delenv("LANGNGHE_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="LANGNGHE_BACKUP_PASSPHRASE"):
        call_command("backup", "--to", str(tmp_path / "x"))


def test_an_archive_of_the_earlier_format_still_restores(
    tmp_path, media, monkeypatch, demo_network
):
    """LNBK1: Django fixtures in a tar.gz sealed in one piece (before #24)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from langnghe.units.models import UnitKind
    from langnghe.units.services import unit_update

    hotline = _hotline()
    data = serializers.serialize("json", [*UnitKind.objects.all(), *Unit.objects.order_by("pk")])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in [("database.json", data.encode()), ("media/old.txt", b"old")]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(backup._key(PASSPHRASE, salt)).encrypt(nonce, buffer.getvalue(), b"LNBK1")
    target = tmp_path / "old.lnbak"
    target.write_bytes(b"LNBK1" + salt + nonce + sealed)
    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 0000 000")
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    call_command("restore", str(target), "--yes")
    assert Unit.objects.count() == 224 and _hotline() == hotline
    assert (media / "old.txt").read_bytes() == b"old"


# --- The drill: the real commands, in their own process, on a scratch database ---------------


@pytest.fixture
def scratch_database(tmp_path):
    """An empty database apart from the one under test: a SQLite file, or a PostgreSQL database
    created here and dropped after. Yields (DATABASE_URL, a function running SQL on it)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "scratch.sqlite3"

        def run_sql(sql):
            with sqlite3.connect(path) as database:
                return database.execute(sql).fetchall()

        yield f"sqlite:///{path}", run_sql
        return
    import psycopg

    database = connection.settings_dict
    name = f"{database['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    server = {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def run_sql(sql):
        with psycopg.connect(dbname=name, autocommit=True, **server) as scratch:
            cursor = scratch.execute(sql)
            return cursor.fetchall() if cursor.description else []

    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    try:
        yield f"postgres://{database['USER']}{password}@{host}/{name}", run_sql
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _langnghe(*args: str, database_url: str, folder: Path) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TEST_DATABASE_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "langnghe.settings.base",
        "DATABASE_URL": database_url,
        "LANGNGHE_VAR_DIR": str(folder / "var"),
        "MEDIA_ROOT": str(folder / "media"),
        "SECRET_KEY": django_settings.SECRET_KEY,
        "LANGNGHE_BACKUP_PASSPHRASE": PASSPHRASE,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "langnghe", *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


COUNTED = ["units_unit", "accounts_user", "audit_auditentry"]


def test_restore_drill(tmp_path, media, scratch_database, monkeypatch, demo_network, make_staff):
    """Back up here, restore into an empty scratch database elsewhere; there, back up, lose
    rows and attachments, restore, and find every one of them again, the audit chain intact."""
    from langnghe.units.services import unit_update

    url, run_sql = scratch_database
    make_staff("BG-X07201", "duty_officer", username="truoc.sao.luu")
    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 9999 999")
    expected = {table: _count(table) for table in COUNTED}
    assert expected["audit_auditentry"] > 0 and expected["accounts_user"] > 0
    monkeypatch.setenv("LANGNGHE_BACKUP_PASSPHRASE", PASSPHRASE)
    first = tmp_path / "first.lnbk"
    call_command("backup", "--to", str(first))

    def counts():
        return {table: run_sql(f"SELECT count(*) FROM {table}")[0][0] for table in COUNTED}

    def hotline():
        return run_sql("SELECT hotline FROM units_unit WHERE code = 'BG-X07201'")[0][0]

    elsewhere = tmp_path / "elsewhere"
    _langnghe("restore", str(first), "--yes", database_url=url, folder=elsewhere)
    assert counts() == expected and hotline() == "0204 9999 999"
    restored_file = elsewhere / "media" / "cases" / "anh.jpg"
    assert restored_file.read_bytes() == b"\xff\xd8 not really a jpeg"

    second = tmp_path / "second.lnbk"
    _langnghe("backup", "--to", str(second), database_url=url, folder=elsewhere)
    run_sql("DELETE FROM audit_auditentry")
    run_sql("UPDATE units_unit SET hotline = '0204 0000 000'")
    restored_file.unlink()
    assert counts()["audit_auditentry"] == 0

    result = _langnghe("restore", str(second), "--yes", database_url=url, folder=elsewhere)
    assert "Đã khôi phục" in result.stdout
    assert counts() == expected and hotline() == "0204 9999 999"
    assert restored_file.exists()
    _langnghe("audit_verify", database_url=url, folder=elsewhere)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a constant list)
        return cursor.fetchone()[0]
