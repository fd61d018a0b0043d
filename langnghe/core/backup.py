"""Encrypted backups: the database (as Django fixtures, so a backup taken on SQLite restores on
PostgreSQL and back) and the attachments folder, in one file sealed with AES-256-GCM under a
key derived from a passphrase (scrypt). A leaked backup file alone reveals nothing."""

import io
import json
import os
import tarfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from langnghe.core.exceptions import ApplicationError

MAGIC = b"LNBK1"
SALT_BYTES, NONCE_BYTES = 16, 12
# Rebuilt by the application itself, never restored from a backup.
EXCLUDED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "admin.logentry",
}


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase or "") < 12:
        raise ApplicationError("Mật khẩu sao lưu phải có ít nhất 12 ký tự.", code="weak_passphrase")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _models():
    for model in apps.get_models():
        if (
            model._meta.label_lower not in EXCLUDED_MODELS
            and model._meta.managed
            and not model._meta.proxy
        ):
            yield model


def _database_json() -> bytes:
    objects = []
    for model in _models():
        objects.extend(model._default_manager.order_by("pk").iterator(chunk_size=2000))
    # Natural keys for content types and permissions: the restoring database makes its own.
    return serializers.serialize("json", objects, use_natural_foreign_keys=True).encode()


def backup_create(*, destination: Path, passphrase: str) -> dict:
    """Write the encrypted backup; returns what it holds (counts, not contents)."""
    buffer = io.BytesIO()
    media_root = Path(settings.MEDIA_ROOT)
    files = 0
    with transaction.atomic(), tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = _database_json()
        info = tarfile.TarInfo("database.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=f"media/{path.relative_to(media_root)}")
                    files += 1
        manifest = json.dumps({"format": 1, "files": files}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, buffer.getvalue(), MAGIC)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_suffix(destination.suffix + ".part")
    temporary.write_bytes(MAGIC + salt + nonce + sealed)
    temporary.chmod(0o600)
    temporary.replace(destination)
    return {"bytes": destination.stat().st_size, "files": files}


def backup_restore(*, source: Path, passphrase: str) -> dict:
    """Replace the database contents and attachments with the backup's. Nothing changes if the
    file is not a backup, was altered, or the passphrase is wrong."""
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ApplicationError(f"Không đọc được tệp sao lưu: {exc.strerror}.") from exc
    if not raw.startswith(MAGIC):
        raise ApplicationError("Tệp này không phải bản sao lưu của Lắng Nghe.", code="not_a_backup")
    header = len(MAGIC)
    salt = raw[header : header + SALT_BYTES]
    nonce = raw[header + SALT_BYTES : header + SALT_BYTES + NONCE_BYTES]
    try:
        archive = AESGCM(_key(passphrase, salt)).decrypt(
            nonce, raw[header + SALT_BYTES + NONCE_BYTES :], MAGIC
        )
    except InvalidTag as exc:
        raise ApplicationError(
            "Sai mật khẩu sao lưu, hoặc tệp đã bị sửa.", code="backup_tampered"
        ) from exc
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        data = tar.extractfile("database.json").read()
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            restored = 0
            with connection.constraint_checks_disabled():
                for item in serializers.deserialize("json", data):
                    item.save()
                    restored += 1
            connection.check_constraints()
            _reset_sequences()
        files = 0
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("media/"):
                tar.extract(member, path=media_root.parent / "_restore", filter="data")
                files += 1
    staged = media_root.parent / "_restore" / "media"
    if staged.is_dir():
        for path in staged.rglob("*"):
            if path.is_file():
                target = media_root / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.replace(target)
    return {"objects": restored, "files": files}


def _reset_sequences() -> None:
    """After rows are inserted with their ids, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(_models()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
