"""The survey address and device hashes are keyed by a salt of the day, not SECRET_KEY (issue
24, point 10): the same address gives the same hash all day (the abuse limits work), another
day gives an unrelated one, and once the day's salt is deleted nobody — not even with
SECRET_KEY and the database — can test that day's hashes against candidate addresses."""

import uuid
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from langnghe.surveys.models import HashSalt, SurveyResponse
from langnghe.surveys.periodic import JOBS
from langnghe.surveys.security import day_salt_forget, hash_salts_purge, keyed_hash

THO_XUONG = "BG-X07201"
DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fresh_salt():
    day_salt_forget()
    yield
    day_salt_forget()


@pytest.mark.django_db
def test_same_address_same_day_gives_the_same_hash():
    first = keyed_hash("ip", "203.0.113.7", day=DAY)
    day_salt_forget()  # another process: it reads the same day's salt
    assert keyed_hash("ip", "203.0.113.7", day=DAY) == first
    assert keyed_hash("ip", "203.0.113.8", day=DAY) != first
    assert keyed_hash("device", "203.0.113.7", day=DAY) != first
    assert HashSalt.objects.filter(day=DAY).count() == 1


@pytest.mark.django_db
def test_the_next_day_gives_an_unrelated_hash():
    today = keyed_hash("ip", "203.0.113.7", day=DAY)
    assert keyed_hash("ip", "203.0.113.7", day=DAY + timedelta(days=1)) != today


@pytest.mark.django_db
def test_the_hash_does_not_depend_on_secret_key():
    with override_settings(SECRET_KEY="one-secret-key-" * 4):
        first = keyed_hash("ip", "203.0.113.7", day=DAY)
    with override_settings(SECRET_KEY="another-secret-key-" * 4):
        assert keyed_hash("ip", "203.0.113.7", day=DAY) == first


@pytest.mark.django_db
def test_past_salts_are_deleted_so_old_hashes_cannot_be_linked():
    yesterday = keyed_hash("ip", "203.0.113.7", day=DAY)
    keyed_hash("ip", "203.0.113.7", day=DAY + timedelta(days=1))
    assert hash_salts_purge(today=DAY + timedelta(days=1)) == 1
    assert list(HashSalt.objects.values_list("day", flat=True)) == [DAY + timedelta(days=1)]
    day_salt_forget()
    # Asked again for the purged day, only a new, unrelated salt exists: nothing matches.
    assert keyed_hash("ip", "203.0.113.7", day=DAY) != yesterday
    assert any(name == "surveys.hash_salts_purge" for name, _every, _job in JOBS)


@pytest.mark.django_db
def test_responses_from_one_address_share_the_days_hash(client):
    def post(address):
        body = {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": "5"}}
        r = client.post(
            "/api/v1/surveys/responses", body, content_type="application/json", REMOTE_ADDR=address
        )
        assert r.status_code == 201
        return SurveyResponse.objects.get(client_id=body["client_id"]).ip_hash

    first, again, other = post("198.51.100.4"), post("198.51.100.4"), post("198.51.100.5")
    assert first == again != other
    assert first == keyed_hash("ip", "198.51.100.4", day=timezone.localdate())
    assert "198.51.100.4" not in first
