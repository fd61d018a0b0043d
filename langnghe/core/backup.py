"""Encrypted backups: one consistent snapshot of the database and the attachments folder, in
one file sealed under a key derived from a passphrase (scrypt). A leaked backup file alone
reveals nothing.

Streaming all the way, so memory stays flat whatever the database's size:

- PostgreSQL: ``pg_dump --format=custom`` (one snapshot: pg_dump reads in one repeatable-read
  transaction) piped straight into the archive;
- SQLite: the online backup API (``sqlite3.Connection.backup``, in one step: one read
  transaction, which in WAL mode does not hold back writers) into a private temporary file,
  then streamed into the archive.

The archive is a tar stream (the manifest, the database in parts, ``media/…``, a closing record
with the counts), gzip-compressed and sealed in frames with AES-256-GCM
(``langnghe.core.sealedstream``). ``backup_restore`` opens and checks the whole archive — every
frame's tag, the closing record, the engine — and stages it before it replaces anything.

A backup restores on the engine that made it (to move between SQLite and PostgreSQL use
``dumpdata``/``loaddata``). Archives of the earlier format (``LNBK1``, Django fixtures sealed
in one piece) are still restored.
"""

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection

from langnghe.core.exceptions import ApplicationError
from langnghe.core.sealedstream import OpeningReader, SealingWriter, StreamDamaged

MAGIC = b"LNBK2"
LEGACY_MAGIC = b"LNBK1"
SALT_BYTES = 16
FORMAT = 2
PART = 8 << 20  # bytes of the database per archive member (held in memory once)
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# libpq's environment variables for the connection settings pg_dump and pg_restore need.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase or "") < 12:
        raise ApplicationError("Mật khẩu sao lưu phải có ít nhất 12 ký tự.", code="weak_passphrase")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _engine() -> str:
    if connection.vendor not in ENGINES:
        raise ApplicationError(f"Không sao lưu được cơ sở dữ liệu {connection.vendor}.")
    return connection.vendor


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ApplicationError(
            f"Không tìm thấy chương trình {name} (gói postgresql-client, cùng phiên bản chính "
            "với máy chủ PostgreSQL hoặc mới hơn). Cài nó rồi chạy lại.",
            code="program_missing",
        )
    return path


def _libpq_environment() -> dict:
    """The database's connection settings for pg_dump/pg_restore, as libpq's variables (the
    password never on a command line, where `ps` would show it)."""
    database = connection.settings_dict
    variables = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
    }
    for option, variable in LIBPQ_OPTIONS.items():
        if value := (database.get("OPTIONS") or {}).get(option):
            variables[variable] = str(value)
    return {**os.environ, **{name: value for name, value in variables.items() if value}}


# --- Writing ---------------------------------------------------------------------------------


@contextmanager
def _sqlite_snapshot() -> Iterator[io.BufferedReader]:
    connection.ensure_connection()
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix=".backup-") as folder:
        copy = Path(folder) / "database.sqlite3"
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1): one read transaction, so one consistent snapshot; stepping
            # would restart whenever another connection writes.
            connection.connection.backup(target, pages=-1)
        finally:
            target.close()
        with copy.open("rb") as stream:
            yield stream


@contextmanager
def _postgresql_dump() -> Iterator[io.BufferedReader]:
    command = [
        _program("pg_dump"),
        "--format=custom",
        "--no-password",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.PIPE, stderr=errors, env=_libpq_environment()
        )
        try:
            yield process.stdout
        except BaseException:
            process.kill()
            process.wait()
            raise
        process.stdout.close()
        if process.wait() != 0:
            errors.seek(0)
            raise ApplicationError(
                f"pg_dump thất bại: {errors.read().decode(errors='replace').strip()[-500:]}",
                code="dump_failed",
            )


DUMPS = {"sqlite": _sqlite_snapshot, "postgresql": _postgresql_dump}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_database(tar: tarfile.TarFile, stream) -> tuple[int, int]:
    """The database stream as members ``database/000001``… of at most PART bytes each (a tar
    member's size must be known before its bytes; pg_dump's output has no size until it
    ends). Returns (parts, bytes)."""
    parts = size = 0
    while chunk := stream.read(PART):
        parts += 1
        size += len(chunk)
        _add_bytes(tar, f"database/{parts:06d}", chunk)
    return parts, size


def _add_media(tar: tarfile.TarFile) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    files = 0
    if media_root.is_dir():
        for path in sorted(media_root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                tar.add(path, arcname=f"media/{path.relative_to(media_root)}")
                files += 1
    return files


def backup_create(*, destination: Path, passphrase: str) -> dict:
    """Write the encrypted backup; returns what it holds (sizes and counts, not contents).
    The database is read in one snapshot, first; the attachments after it (a file added in
    between is kept too, one removed in between — by the retention job — is missing)."""
    engine = _engine()
    salt = os.urandom(SALT_BYTES)
    header = MAGIC + salt
    key = _key(passphrase, salt)
    if engine == "postgresql":
        _program("pg_dump")  # before the file is begun
    destination.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: created exclusively, owner-only (0600) from the start.
    descriptor, name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
    )
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            raw.write(header)
            sealed = SealingWriter(raw, key=key, header=header)
            with (
                gzip.GzipFile(fileobj=sealed, mode="wb", compresslevel=6, mtime=0) as packed,
                tarfile.open(fileobj=packed, mode="w|", format=tarfile.PAX_FORMAT) as tar,
            ):
                manifest = {
                    "format": FORMAT,
                    "engine": engine,
                    "created": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
                with DUMPS[engine]() as stream:
                    parts, size = _add_database(tar, stream)
                files = _add_media(tar)
                complete = {"database_parts": parts, "database_bytes": size, "files": files}
                _add_bytes(tar, "complete.json", json.dumps(complete).encode())
            sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        temporary.replace(destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return {"bytes": destination.stat().st_size, "database_bytes": size, "files": files}


# --- Checking and restoring ------------------------------------------------------------------


def _damaged(reason: str) -> ApplicationError:
    messages = {
        "tampered": "Sai mật khẩu sao lưu, hoặc tệp đã bị sửa.",
        "incomplete": "Tệp sao lưu không trọn vẹn (bị cắt cụt hoặc chép chưa xong).",
        "trailing": "Tệp sao lưu có dữ liệu lạ sau phần cuối: tệp đã bị sửa.",
        "layout": "Tệp sao lưu không đúng cấu trúc: tệp đã bị sửa hoặc hỏng.",
    }
    return ApplicationError(messages[reason], code=f"backup_{reason}")


def _read_json(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict:
    if not member.isfile() or member.size > 65536:
        raise _damaged("layout")
    try:
        return json.loads(tar.extractfile(member).read())
    except ValueError as exc:
        raise _damaged("layout") from exc


def _stage(raw, *, key: bytes, header: bytes, engine: str, staging: Path) -> dict:
    """Open every frame, check the archive's layout and counts and the engine, and write the
    database (``staging/database``) and the attachments (``staging/media/…``). Raises before
    anything outside ``staging`` is touched."""
    sealed = OpeningReader(raw, key=key, header=header)
    packed = gzip.GzipFile(fileobj=sealed, mode="rb")
    parts = size = files = 0
    complete = None
    try:
        with (
            tarfile.open(fileobj=packed, mode="r|") as tar,
            (staging / "database").open("wb") as database,
        ):
            for position, member in enumerate(tar):
                if complete is not None:
                    raise _damaged("layout")
                if position == 0:
                    if member.name != "manifest.json":
                        raise _damaged("layout")
                    manifest = _read_json(tar, member)
                    if manifest.get("format") != FORMAT:
                        raise _damaged("layout")
                    if manifest.get("engine") != engine:
                        made_on = ENGINES.get(manifest.get("engine"), "?")
                        raise ApplicationError(
                            f"Bản sao lưu này của {made_on}; cơ sở dữ liệu đang dùng là "
                            f"{ENGINES[engine]}. Khôi phục trên cùng loại cơ sở dữ liệu.",
                            code="backup_wrong_engine",
                        )
                elif member.name == f"database/{parts + 1:06d}" and member.isfile():
                    shutil.copyfileobj(tar.extractfile(member), database)
                    parts += 1
                    size += member.size
                elif (
                    member.name.startswith("media/")
                    and member.isfile()
                    and ".." not in Path(member.name).parts  # never over the staged database
                ):
                    tar.extract(member, path=staging, filter="data")
                    files += 1
                elif member.name == "complete.json":
                    complete = _read_json(tar, member)
                else:
                    raise _damaged("layout")
            while packed.read(1 << 16):  # the gzip trailer and the final frame
                pass
    except StreamDamaged as exc:
        raise _damaged(exc.reason) from exc
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError) as exc:
        raise _damaged("layout") from exc
    if not sealed.finished:
        raise _damaged("incomplete")
    counted = {"database_parts": parts, "database_bytes": size, "files": files}
    if complete != counted:
        raise _damaged("incomplete")
    return counted


def _check_sqlite(path: Path) -> None:
    database = sqlite3.connect(path)
    try:
        verdict = database.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _damaged("layout") from exc
    finally:
        database.close()
    if verdict != "ok":
        raise _damaged("layout")


def _restore_sqlite(path: Path) -> None:
    """Copy the staged database into the live one with the backup API, through this process's
    own connection: one write transaction, so other connections see the old or the new
    database, never a mix."""
    source = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        source.backup(connection.connection, pages=-1)
    finally:
        source.close()


def _check_postgresql(path: Path) -> None:
    result = subprocess.run(  # noqa: S603
        [_program("pg_restore"), "--list", str(path)], capture_output=True, check=False
    )
    if result.returncode != 0:
        raise _damaged("layout")


def _restore_postgresql(path: Path) -> None:
    """pg_restore in one transaction: the database is replaced whole or not at all."""
    connection.close()  # hold no locks of our own while pg_restore drops and recreates
    result = subprocess.run(  # noqa: S603
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        capture_output=True,
        env=_libpq_environment(),
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()[-500:]
        raise ApplicationError(
            f"pg_restore thất bại, cơ sở dữ liệu giữ nguyên: {message}", code="restore_failed"
        )


CHECKS = {"sqlite": _check_sqlite, "postgresql": _check_postgresql}
RESTORES = {"sqlite": _restore_sqlite, "postgresql": _restore_postgresql}


def _move_media(staged: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    if staged.is_dir():
        for path in staged.rglob("*"):
            if path.is_file():
                target = media_root / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.replace(target)


def backup_restore(
    *, source: Path, passphrase: str, confirm: Callable[[dict], bool] = lambda summary: True
) -> dict:
    """Replace the database and add the attachments of the backup. The whole archive is
    opened and checked first (every frame's tag, complete, made on this engine, the database
    readable) and staged; then ``confirm(summary)`` is asked; only then is anything replaced.
    Nothing changes if the file is not a backup, was altered or cut, the passphrase is wrong,
    or ``confirm`` says no."""
    engine = _engine()
    if engine == "postgresql":
        _program("pg_restore")
    try:
        raw = source.open("rb")
    except OSError as exc:
        raise ApplicationError(f"Không đọc được tệp sao lưu: {exc.strerror}.") from exc
    with raw:
        magic = raw.read(len(MAGIC))
        if magic == LEGACY_MAGIC:
            return _restore_legacy(magic + raw.read(), passphrase=passphrase, confirm=confirm)
        if magic != MAGIC:
            raise ApplicationError(
                "Tệp này không phải bản sao lưu của Lắng Nghe.", code="not_a_backup"
            )
        salt = raw.read(SALT_BYTES)
        header = magic + salt
        key = _key(passphrase, salt)
        media_parent = Path(settings.MEDIA_ROOT).parent
        media_parent.mkdir(parents=True, exist_ok=True)
        # Staged next to the attachments, so moving them in is a rename (mkdtemp: 0700).
        with tempfile.TemporaryDirectory(dir=media_parent, prefix=".restore-") as folder:
            staging = Path(folder)
            summary = _stage(raw, key=key, header=header, engine=engine, staging=staging)
            CHECKS[engine](staging / "database")
            if not confirm(summary):
                raise ApplicationError("Đã hủy, dữ liệu giữ nguyên.", code="cancelled")
            RESTORES[engine](staging / "database")
            _move_media(staging / "media")
    return summary


def _restore_legacy(raw: bytes, *, passphrase: str, confirm: Callable[[dict], bool]) -> dict:
    """Archives made before format 2: Django fixtures sealed in one piece (read in memory)."""
    from django.core import serializers
    from django.core.management import call_command
    from django.db import transaction

    header = len(LEGACY_MAGIC)
    salt, nonce = raw[header : header + SALT_BYTES], raw[header + SALT_BYTES : header + 28]
    try:
        archive = AESGCM(_key(passphrase, salt)).decrypt(nonce, raw[header + 28 :], LEGACY_MAGIC)
    except InvalidTag as exc:
        raise _damaged("tampered") from exc
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        data = tar.extractfile("database.json").read()
        media = [m for m in tar.getmembers() if m.isfile() and m.name.startswith("media/")]
        summary = {"database_bytes": len(data), "files": len(media)}
        if not confirm(summary):
            raise ApplicationError("Đã hủy, dữ liệu giữ nguyên.", code="cancelled")
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            with connection.constraint_checks_disabled():
                for item in serializers.deserialize("json", data):
                    item.save()
            connection.check_constraints()
            _reset_sequences()
        media_parent = Path(settings.MEDIA_ROOT).parent
        with tempfile.TemporaryDirectory(dir=media_parent, prefix=".restore-") as folder:
            for member in media:
                tar.extract(member, path=folder, filter="data")
            _move_media(Path(folder) / "media")
    return summary


def _reset_sequences() -> None:
    """After rows are inserted with their ids, PostgreSQL's sequences must move past them."""
    from django.apps import apps
    from django.core.management.color import no_style

    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
