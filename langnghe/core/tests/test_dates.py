import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from langnghe.core.dates import parse_date
from langnghe.core.exceptions import ApplicationError


def test_dates():
    assert parse_date("2026-12-05") == dt.date(2026, 12, 5)
    assert parse_date("") is None and parse_date(None) is None
    with pytest.raises(ApplicationError) as caught:
        parse_date("05/12/2026", field="to")
    assert caught.value.code == "invalid_date" and caught.value.field == "to"
    assert "YYYY-MM-DD" in caught.value.message


def test_moments():
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    assert parse_date("2025-01-31T08:00:00", with_time=True) == dt.datetime(
        2025, 1, 31, 8, tzinfo=hanoi
    )
    assert parse_date("2025-01-31T01:00:00Z", with_time=True) == dt.datetime(
        2025, 1, 31, 8, tzinfo=hanoi
    )
    with pytest.raises(ApplicationError) as caught:
        parse_date("hôm qua", field="start_date", with_time=True)
    assert caught.value.message.startswith("start_date phải theo ISO 8601")


@pytest.mark.django_db
def test_open311_names_the_bad_date(client):
    response = client.get("/open311/v2/requests.json?start_date=hom-qua")
    assert response.status_code == 400
    assert "start_date phải theo ISO 8601" in response.content.decode()
    window = "start_date=2025-01-31T08:00:00Z&end_date=2025-02-01T08:00:00"
    assert client.get(f"/open311/v2/requests.json?{window}").status_code == 200
