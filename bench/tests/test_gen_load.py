"""`langnghe gen_load` (issue 10): synthetic activity in bulk, its counters equal to the rows.

The test database holds the demo network, so each run here says it is a scratch database."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum

from bench import loadgen
from langnghe.cases.crypto import unseal
from langnghe.cases.models import Case
from langnghe.inbox.models import Conversation, Message
from langnghe.surveys.models import (
    DailyCount,
    MonthlyCount,
    QuestionType,
    SurveyResponse,
    SurveyTemplate,
)
from langnghe.surveys.services import _counter_cells

SCRATCH = "--i-know-this-is-a-scratch-database"


def _quiet():
    return open("/dev/null", "w")  # noqa: SIM115 — closed with the test process


def _expected_counters() -> tuple[Counter, Counter]:
    """The daily and monthly cells the app itself would have counted, response by response."""
    templates = SurveyTemplate.objects.prefetch_related("questions").in_bulk()
    daily, monthly = Counter(), Counter()
    rows = SurveyResponse.objects.values_list(
        "unit_id", "template_id", "day", "is_flagged", "answers", "comment"
    )
    for unit_id, template_id, day, flagged, answers, comment in rows:
        for metric, value in _counter_cells(templates[template_id], answers, comment):
            daily[(unit_id, day, metric, str(value), flagged)] += 1
            monthly[(unit_id, day.replace(day=1), metric, str(value), flagged)] += 1
    return daily, monthly


def _counters() -> tuple[Counter, Counter]:
    fields = ("unit_id", "metric", "value", "flagged", "count")
    daily = Counter(
        {(u, d, m, v, f): n for d, u, m, v, f, n in DailyCount.objects.values_list("day", *fields)}
    )
    monthly = Counter(
        {
            (u, d, m, v, f): n
            for d, u, m, v, f, n in MonthlyCount.objects.values_list("month", *fields)
        }
    )
    return daily, monthly


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_gen_load_on_the_existing_network_counts_what_it_made():
    before = SurveyResponse.objects.count(), Case.objects.count(), Message.objects.count()
    call_command(
        "gen_load", SCRATCH, "--network", "existing", "--responses", "300", "--cases", "40",
        "--messages", "60", stdout=_quiet(),
    )  # fmt: skip
    assert SurveyResponse.objects.count() == before[0] + 300
    assert Case.objects.count() == before[1] + 40
    assert Message.objects.count() >= before[2] + 60
    # The counters were rebuilt from the rows: day and month totals both equal the row count.
    for model in (DailyCount, MonthlyCount):
        total = model.objects.filter(metric="responses").aggregate(n=Sum("count"))["n"]
        assert total == SurveyResponse.objects.count()
    # … and every cell is the one the app would have counted.
    assert _counters() == _expected_counters()
    case = Case.objects.order_by("-id").first()
    assert unseal(case.description_sealed, context=case.sealing_context("description"))


@pytest.mark.django_db
def test_counters_rebuild_counts_an_answer_outside_the_choices():
    """A value no choice has (old data, a changed template) is still counted: the rebuild then
    counts cell by cell instead of by column."""
    call_command("gen_load", SCRATCH, "--network", "existing", "--responses", "50", stdout=_quiet())
    response = SurveyResponse.objects.first()
    question = response.template.questions.exclude(type=QuestionType.TEXT).first()
    response.answers = {**response.answers, question.key: "không có trong lựa chọn"}
    response.save(update_fields=["answers"])
    loadgen.survey_counters_rebuild()
    assert _counters() == _expected_counters()


@pytest.mark.django_db
def test_gen_load_refuses_negative_sizes():
    with pytest.raises(CommandError):
        call_command("gen_load", SCRATCH, "--network", "existing", "--responses", "-1")
    assert not SurveyResponse.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes dropped: PostgreSQL")
@pytest.mark.django_db
def test_indexes_left_dropped_by_a_run_that_died_are_built_by_the_next():
    table = Message._meta.db_table
    indexes = _indexes(table)
    loadgen.indexes_deferred(table, parts=2).__enter__()  # … and the process dies here
    assert _indexes(table) < indexes
    call_command("gen_load", SCRATCH, "--network", "existing", stdout=_quiet())
    assert _indexes(table) == indexes
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [table])
        assert cursor.fetchone()[0] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parts_on_several_connections_make_each_row_once(demo_network, monkeypatch):
    """Outside a transaction PostgreSQL loads on ``PARTS`` connections at once: every response
    is made once (distinct client ids, the count asked for), the indexes come back, and the
    counters — grouped by unit on two connections — equal the app's own count of the rows."""
    monkeypatch.setattr(loadgen, "PARTS", 2)
    monkeypatch.setattr(loadgen, "BATCH", 700)  # 5 batches shared by the two parts
    shared, alongside = [], loadgen._alongside

    def spy(here, others):
        shared.append(len(others))
        return alongside(here, others)

    monkeypatch.setattr(loadgen, "_alongside", spy)
    table = SurveyResponse._meta.db_table
    indexes = _indexes(table)
    call_command(
        "gen_load", SCRATCH, "--network", "existing", "--responses", "3100", "--cases", "30",
        "--messages", "40", stdout=_quiet(),
    )  # fmt: skip
    assert shared == [1, 1, 1]  # the responses, their index builds, the counters' grouping
    assert SurveyResponse.objects.count() == 3100
    assert SurveyResponse.objects.values("client_id").distinct().count() == 3100
    assert _indexes(table) == indexes
    assert _counters() == _expected_counters()
    assert Case.objects.count() == 30
    assert Case.objects.values("tracking_code").distinct().count() == 30
    assert Message.objects.count() == 40
    # Messages go round the new conversations: 8 conversations of 5 messages.
    assert Conversation.objects.count() == 8
    per_conversation = Counter(Message.objects.values_list("conversation_id", flat=True))
    assert len(per_conversation) == 8 and set(per_conversation.values()) == {5}
