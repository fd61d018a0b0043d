"""core.sql: the cached insert statement prepares the same values as Django's compiler."""

import uuid

import pytest
from django.db import connection
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
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
