"""core.sql: the cached insert statement prepares the same values as Django's compiler."""

import uuid

import pytest
from django.db import connection
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from langnghe.core.sql import insert_ignore, insert_ignore_sql
from langnghe.surveys.models import SurveyResponse
from langnghe.surveys.selectors import template_effective


def _compiled(obj):
    model = type(obj)
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values([f for f in model._meta.concrete_fields if f is not model._meta.pk], [obj])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [model._meta.pk]
    return compiler.as_sql()[0]


@pytest.mark.django_db
def test_insert_ignore_matches_the_compiler_and_ignores_a_second_copy(unit):
    commune = unit("BG-X07201")
    now = timezone.now()

    def make(client_id):
        return SurveyResponse(
            client_id=client_id,
            unit=commune,
            template=template_effective(commune),
            answers={"overall": "5", "note": "Tốt"},
            submitted_at=now,
            day=timezone.localdate(now),
        )

    response = make(uuid.uuid4())
    sql, params = insert_ignore_sql(response)
    expected_sql, expected_params = _compiled(response)
    assert sql == expected_sql
    assert [str(p) for p in params] == [str(p) for p in expected_params]
    first = insert_ignore(response)
    assert first and SurveyResponse.objects.get(pk=first).answers["note"] == "Tốt"
    assert insert_ignore(make(response.client_id)) is None  # same client_id: nothing stored
    assert SurveyResponse.objects.filter(client_id=response.client_id).count() == 1


@pytest.mark.django_db
def test_update_many_saves_each_rows_own_values_and_nothing_else(unit):
    from langnghe.core.sql import update_many

    commune = unit("BG-X07201")
    now = timezone.now()
    template = template_effective(commune)
    rows = [
        SurveyResponse.objects.create(
            client_id=uuid.uuid4(),
            unit=commune,
            template=template,
            answers={"overall": str(n)},
            comment="giữ nguyên",
            submitted_at=now,
            day=timezone.localdate(now),
        )
        for n in range(1, 4)
    ]
    untouched = rows.pop()
    for n, row in enumerate(rows):
        row.flag_reason = f"lý do {n}"
        row.is_flagged = n == 0
        row.answers = {"overall": "9"}  # not among the fields saved
        row.comment = "đổi"
    with CaptureQueriesContext(connection) as queries:
        assert update_many(rows, ["flag_reason", "is_flagged"]) == 2
    assert len([q for q in queries if q["sql"].startswith("UPDATE")]) <= 2  # no CASE per row
    stored = {r.pk: r for r in SurveyResponse.objects.all()}
    for n, row in enumerate(rows):
        assert (stored[row.pk].flag_reason, stored[row.pk].is_flagged) == (f"lý do {n}", n == 0)
        assert stored[row.pk].comment == "giữ nguyên" and stored[row.pk].answers["overall"] != "9"
    assert (stored[untouched.pk].flag_reason, stored[untouched.pk].is_flagged) == ("", False)
    assert update_many([], ["flag_reason"]) == 0


@pytest.mark.django_db
def test_prepared_statements_share_one_cursor_per_connection_and_a_failure_drops_it():
    from django.db import DatabaseError, transaction

    from langnghe.core.sql import fetch_one

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    assert fetch_one("SELECT %s::int + 1", [1], prepared=True) == (2,)
    first = connection._langnghe_server_cursor
    assert fetch_one("SELECT %s::int + 1", [2], prepared=True) == (3,)
    assert connection._langnghe_server_cursor is first  # kept, not one per statement
    with pytest.raises(DatabaseError), transaction.atomic():  # Django's error, as its cursors'
        fetch_one("SELECT 1 / %s::int", [0], prepared=True)
    assert connection._langnghe_server_cursor is None
    assert fetch_one("SELECT %s::int + 1", [3], prepared=True) == (4,)
    assert connection._langnghe_server_cursor is not first


@pytest.mark.django_db
def test_insert_many_stores_what_bulk_create_would_with_ascending_ids(unit):
    """COPY on PostgreSQL, bulk_create on SQLite: the same rows either way (JSON, text with
    tabs, newlines and backslashes that COPY's text format must escape, an empty string, a
    NULL, an aware datetime, a date), each object given its id, in order."""
    from langnghe.audit.models import AuditEntry
    from langnghe.core.sql import insert_many

    commune = unit("BG-X07201")
    now = timezone.now()
    template = template_effective(commune)
    odd = "tab\there\nnew line \\ back\\slash, \\N, “Thọ Xương” 😀"
    rows = [
        SurveyResponse(
            client_id=uuid.uuid4(),
            unit=commune,
            template=template,
            answers={"overall": str(i % 5 + 1), "note": odd, "list": ["a", None, 2]},
            comment=odd if i % 2 else "",
            lowest_score=None if i % 3 else i % 5 + 1,
            submitted_at=now,
            day=timezone.localdate(now),
        )
        for i in range(7)
    ]
    with CaptureQueriesContext(connection) as queries:
        stored = insert_many(rows)
    assert stored is rows
    ids = [r.pk for r in rows]
    assert all(ids) and ids == sorted(ids) and len(set(ids)) == 7
    assert not any(r._state.adding for r in rows)
    # Two statements on PostgreSQL (the ids, the COPY), bulk_create's one on SQLite: never one
    # per row.
    assert len(queries) == (2 if connection.vendor == "postgresql" else 1)
    for i, row in enumerate(SurveyResponse.objects.filter(pk__in=ids).order_by("pk")):
        assert row.pk == ids[i] and row.client_id == rows[i].client_id
        assert row.answers == {"overall": str(i % 5 + 1), "note": odd, "list": ["a", None, 2]}
        assert row.comment == (odd if i % 2 else "")
        assert row.lowest_score == (None if i % 3 else i % 5 + 1)
        assert row.submitted_at == now and row.day == timezone.localdate(now)
    # The ids come from the table's own sequence: an ordinary insert before them takes a lower
    # one, and one after them a higher one, never one of theirs.
    before = AuditEntry.objects.create(action="test.before", data={})
    entries = insert_many([AuditEntry(action="test.many", data={"n": n}) for n in range(3)])
    after = AuditEntry.objects.create(action="test.after", data={})
    assert before.pk < entries[0].pk < entries[1].pk < entries[2].pk < after.pk
    stored = AuditEntry.objects.filter(action="test.many").order_by("pk")
    assert [(e.pk, e.data["n"]) for e in stored] == [(e.pk, n) for n, e in enumerate(entries)]
    assert insert_many([]) == []


@pytest.mark.django_db
def test_insert_many_fails_as_bulk_create_would_and_stores_nothing(unit):
    """A row the table refuses (here a client_id already stored) raises Django's
    IntegrityError, as bulk_create does, whichever the database; no row of the batch stays."""
    from django.db import IntegrityError, transaction

    from langnghe.core.sql import insert_many

    commune = unit("BG-X07201")
    now = timezone.now()
    template = template_effective(commune)
    taken = uuid.uuid4()

    def make(client_id):
        return SurveyResponse(
            client_id=client_id,
            unit=commune,
            template=template,
            answers={"overall": "4"},
            submitted_at=now,
            day=timezone.localdate(now),
        )

    insert_many([make(taken)])
    before = SurveyResponse.objects.count()
    fresh = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many([make(fresh), make(taken)])
    assert SurveyResponse.objects.count() == before
    assert not SurveyResponse.objects.filter(client_id=fresh).exists()


@pytest.mark.django_db
def test_prepared_statements_are_prepared_on_the_server():
    """What prepared statements buy (docs/benchmarks.md, "What each speed mechanism buys")
    needs them prepared by PostgreSQL: a statement run through ``fetch_one(prepared=True)`` is
    in ``pg_prepared_statements`` with one plan per run. (The forced generic plan was removed:
    PostgreSQL's default mode is in force.)"""
    from langnghe.core.sql import fetch_one

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"
    for value in range(4):
        assert fetch_one("SELECT %s::int + 7 AS server_probe", [value], prepared=True) == (
            value + 7,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%server_probe%"],
        )
        rows = cursor.fetchall()
    assert rows, "the statement was not prepared on the server"
    assert rows[0][0] == 4, rows
