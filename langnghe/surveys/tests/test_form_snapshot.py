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
