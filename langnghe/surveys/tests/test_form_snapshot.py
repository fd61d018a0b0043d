"""The survey form's per-process snapshot (selectors.form_config): a response costs no query to
know its unit and template, and edits reach the snapshot at its next refresh."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from langnghe.core.exceptions import NotFound
from langnghe.surveys import selectors
from langnghe.surveys.services import template_assign, template_create, template_revise
from langnghe.units.services import unit_update

COMMUNE = "BG-X07201"


@pytest.fixture
def snapshot_on(settings):
    settings.LANGNGHE_SURVEY_CONFIG_TTL = 10
    selectors.form_config_forget()
    yield
    selectors.form_config_forget()


def _expire():
    selectors._snapshot[0].expires = 0  # as if the TTL had passed


@pytest.mark.django_db
def test_snapshot_serves_without_queries_and_follows_edits(unit, make_staff, snapshot_on):
    commune, province = unit(COMMUNE), unit("BG")
    admin = make_staff("BG", "admin")
    first, template = selectors.form_config(COMMUNE.lower())  # any case
    assert first.pk == commune.pk and template.code == "sipas"
    with CaptureQueriesContext(connection) as hit:
        selectors.form_config(COMMUNE)
    assert len(hit.captured_queries) == 0

    # A unit edit, a template assigned at the province, then revised: each seen after refresh.
    unit_update(unit=commune, name="Công an phường Thọ Xương (mới)")
    custom = template_create(
        owner=province,
        name="Phiếu riêng",
        questions=[{"text": "Anh/chị hài lòng không?", "type": "scale", "required": True}],
        by=admin,
    )
    template_assign(unit=province, template_code=custom.code, by=admin)
    _expire()
    with CaptureQueriesContext(connection) as refresh:
        refreshed, template = selectors.form_config(COMMUNE)
    assert refreshed.name == "Công an phường Thọ Xương (mới)"
    assert template.pk == custom.pk
    assert len(refresh.captured_queries) <= 5  # not the whole network again
    revised = template_revise(template=custom, name="Phiếu riêng (2)", questions=[
        {"text": "Thủ tục có nhanh không?", "type": "scale", "required": True},
    ], by=admin)  # fmt: skip
    _expire()
    assert selectors.form_config(COMMUNE)[1].pk == revised.pk

    # A unit switched off is refused after the refresh.
    commune.is_active = False
    commune.save()
    _expire()
    with pytest.raises(NotFound):
        selectors.form_config(COMMUNE)


@pytest.mark.django_db(transaction=True)
def test_threads_of_a_process_share_one_snapshot_and_never_see_it_half_refreshed(
    demo_network, snapshot_on, monkeypatch
):
    """gthread workers: the threads that find no snapshot wait for one load; while one thread
    refreshes it, the others go on with the snapshot as it was, every unit still in it."""
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("threads on the in-memory SQLite test database lock each other's tables")

    made, built = [], selectors._FormSnapshot
    monkeypatch.setattr(selectors, "_FormSnapshot", lambda **kw: made.append(1) or built(**kw))
    start, seen, missing, errors = threading.Barrier(12), [], [], []

    def ask():
        try:
            start.wait(5)
            for _ in range(20):
                try:
                    seen.append(selectors.form_config(COMMUNE)[0].code)
                except NotFound:
                    missing.append(1)
                if seen and len(seen) % 40 == 0:
                    _expire()  # another thread refreshes while the rest read
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(made) == 1  # one load for the process, not one per thread
    assert not missing and seen == [COMMUNE] * 240
