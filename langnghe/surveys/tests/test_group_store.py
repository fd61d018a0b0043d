"""Survey responses of concurrent requests stored together (PostgreSQL): one statement for a
batch, each response checked as if stored alone, every response stored once."""

import threading
import uuid

import pytest
from django.db import connection

from langnghe.core.exceptions import ApplicationError
from langnghe.core.groupcommit import GroupCommit
from langnghe.surveys import services
from langnghe.surveys.models import PendingCount, SurveyResponse
from langnghe.units.models import Unit

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gated(monkeypatch):
    """The process's group commit, its first write held until the other threads queue."""
    batches, started, release = [], threading.Event(), threading.Event()

    def write(rows):
        batches.append(len(rows))
        if len(batches) == 1:
            started.set()
            assert release.wait(10)
        return services._store_checked_many(rows)

    group = GroupCommit(write)
    monkeypatch.setattr(services.storage, "_batches", group)
    return group, batches, started, release


def submit_all(calls, gated):
    """Run each call in its own thread, the first alone, the rest while its write is held."""
    group, batches, started, release = gated
    results: list = [None] * len(calls)

    def run(i):
        try:
            results[i] = calls[i]()
        except ApplicationError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    while len(group._waiting) < len(calls) - 1:
        threading.Event().wait(0.005)
    release.set()
    for thread in threads:
        thread.join(10)
    return results


def submit(code, client_id=None, **extra):
    return lambda: services.response_submit(
        unit_code=code, client_id=client_id or uuid.uuid4(), answers={"overall": "4"}, **extra
    )


def test_concurrent_responses_share_a_statement_and_are_each_stored_once(demo_network, gated):
    if connection.vendor != "postgresql":
        pytest.skip("the group store is PostgreSQL's (elsewhere each response goes alone)")
    codes = list(
        Unit.objects.filter(kind__code="commune", is_active=True)
        .order_by("code")
        .values_list("code", flat=True)[:10]
    )
    again = uuid.uuid4()
    calls = [submit(code) for code in codes[:7]]
    calls += [submit(codes[7], again), submit(codes[8], again)]  # one client_id sent twice
    calls += [submit(codes[9], dossier_code="HS-1"), submit(codes[9], dossier_code="HS-1")]
    results = submit_all(calls, gated)
    batches = gated[1]
    assert batches[0] == 1 and max(batches) > 1, batches  # the waiting ones went together

    created = [r for r in results if isinstance(r, tuple) and r[1]]
    assert len(created) == 7 + 1 + 1
    first, second = results[7], results[8]
    assert {first[1], second[1]} == {True, False} and first[0].pk == second[0].pk
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert [r.code for r in refused] == ["dossier_already_rated"]

    stored = SurveyResponse.objects.filter(pk__in=[r[0].pk for r in created])
    assert stored.count() == 9
    assert SurveyResponse.objects.filter(client_id=again).count() == 1
    assert PendingCount.objects.filter(response_id__in=[r[0].pk for r in created]).count() == 9
    for response, _ in created:  # each row's own values, not a neighbour's
        row = SurveyResponse.objects.get(pk=response.pk)
        assert (row.unit_id, row.client_id, row.answers) == (
            response.unit_id,
            response.client_id,
            {"overall": "4"},
        )


def test_a_batch_reads_what_one_by_one_would(demo_network):
    """``_store_checked_many`` on rows built as the requests build them: stored, a client_id
    already stored answered with its id, and the counts those rows would have seen alone."""
    if connection.vendor != "postgresql":
        pytest.skip("the group store is PostgreSQL's")
    items, real = [], services.storage._batches
    services.storage._batches = type(
        "Keep", (), {"submit": lambda self, item, keys: items.append(item)}
    )()
    try:
        for _ in range(3):
            try:
                submit("BG-X07201")()
            except TypeError:
                pass  # the recorder returns nothing to unpack: the item is what we wanted
    finally:
        services.storage._batches = real
    first = services._store_checked_many(items)
    assert [stored is not None and existing is None for stored, existing, _ in first] == [True] * 3
    assert [counts[2] for _, _, counts in first] == [0, 0, 0]  # none saw the others (one unit)
    again = services._store_checked_many(items)
    assert [(stored, existing) for stored, existing, _ in again] == [
        (None, stored) for stored, _, _ in first
    ]
    assert [counts[2] for _, _, counts in again] == [3, 3, 3]
