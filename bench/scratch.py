"""Which databases the development tools may write to.

``gen_load`` drops a table's indexes and unique constraints while it loads, turns off the
foreign-key triggers (``SET session_replication_role = replica``) and rebuilds the survey
counters from the rows; ``bench_insights`` and ``bench_surveys`` delete the live counters and
aggregates (inside a transaction they roll back, but holding the tables' locks for minutes).
None of that may happen to a database that holds real data, so each of them first calls
``scratch_database_require``. A database is a scratch database when

- it carries the scratch marker: the table ``langnghe_scratch_database``, written by
  ``gen_load`` when it started on an empty database (the benchmark's own database: a second
  run of ``make bench`` finds it, even after the benchmark has added its staff accounts); or
- it is empty: no staff account, unit, case, conversation, survey response, post or audit
  entry (what a fresh ``migrate`` leaves); or
- the operator says so, for this run only, with ``--i-know-this-is-a-scratch-database``.

Anything else — the demo database of ``make run`` (its 224 units and demo staff), a province in
service — is refused with a non-zero exit before anything is written. The marker is a table of
its own, outside the apps' migrations, so no model, backup or restore carries it from one
database to another.
"""

from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

FLAG = "--i-know-this-is-a-scratch-database"
MARKER_TABLE = "langnghe_scratch_database"

# What counts as real data, each with the word the refusal uses. Migrations fill none of these
# (they write only categories, content types and permissions).
REAL_DATA = [
    ("accounts.User", "tài khoản"),
    ("units.Unit", "đơn vị"),
    ("cases.Case", "vụ việc"),
    ("inbox.Conversation", "hội thoại"),
    ("surveys.SurveyResponse", "phiếu khảo sát"),
    ("content.Post", "bài viết"),
    ("audit.AuditEntry", "nhật ký kiểm toán"),
]


def scratch_argument_add(parser) -> None:
    parser.add_argument(
        FLAG,
        dest="scratch_declared",
        action="store_true",
        help="Khẳng định đây là CSDL thử (dữ liệu giả), cho lần chạy này: bỏ qua kiểm tra.",
    )


def scratch_marked() -> bool:
    return MARKER_TABLE in connection.introspection.table_names()


def real_data_found() -> list[str]:
    """The kinds of real data the database holds (one ``exists()`` each: cheap on any size)."""
    return [word for label, word in REAL_DATA if apps.get_model(label)._default_manager.exists()]


def scratch_database_require(command: str, *, declared: bool) -> str:
    """Refuse (CommandError, nothing written) unless the database is a scratch database (see
    the module docstring). Returns why it is one: "declared", "marked" or "empty"."""
    if declared:
        return "declared"
    if scratch_marked():
        return "marked"
    found = real_data_found()
    if not found:
        return "empty"
    raise CommandError(
        f"Cơ sở dữ liệu {connection.settings_dict['NAME']} có dữ liệu thật ({', '.join(found)}) "
        f"và không mang dấu CSDL thử: `{command}` không chạy, không có gì bị thay đổi. "
        "Lệnh này chỉ dành cho CSDL thử (nó xoá hoặc viết lại chỉ mục, bộ đếm, dữ liệu tổng hợp). "
        f"Nếu đây đúng là CSDL thử, chạy lại với {FLAG}."
    )


def scratch_marker_write() -> None:
    """Mark this database as the load generator's own (idempotent)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(marked_at varchar(40) NOT NULL, note varchar(200) NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (marked_at, note) VALUES (%s, %s)",  # noqa: S608
            [timezone.now().isoformat(), "langnghe gen_load: scratch database, no real data"],
        )
