"""The job dispatcher: a service enqueues by name, the app's tasks module declares the task."""

import pytest
from django.db import transaction

from langnghe.core import jobs

RAN: list = []


def record(value):
    RAN.append(value)


def other():
    pass


record_task = jobs.job("tests.record")(record)


def test_every_app_job_is_found_by_name():
    task = jobs.get("insights.report_generate")
    assert task.func.__module__ == "langnghe.insights.tasks"


def test_an_unknown_job_is_an_error():
    with pytest.raises(LookupError):
        jobs.get("nowhere.nothing")


def test_two_tasks_for_one_name_are_refused():
    with pytest.raises(ValueError):
        jobs.job("tests.record")(other)


@pytest.mark.django_db(transaction=True)
def test_on_commit_waits_for_the_transaction():
    RAN.clear()
    with transaction.atomic():
        jobs.enqueue("tests.record", 7, on_commit=True)
        assert RAN == []  # the test settings run tasks at once (immediate backend)
    assert RAN == [7]
