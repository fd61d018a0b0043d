"""Shared test fixtures. The real 224-unit Bắc Giang network is loaded once per test database
(every test sees it and rolls back its own changes); staff are made with the real services."""

import pytest

from langnghe.accounts.services import staff_create
from langnghe.units.models import Unit

# Codes in the demo network (langnghe/units/networks.py).
PROVINCE = "BG"
CITY = "BG-H213"  # Công an thành phố Bắc Giang
THO_XUONG = "BG-X07201"  # Công an phường Thọ Xương (under the city)
TRAN_NGUYEN_HAN = "BG-X07204"  # Công an phường Trần Nguyên Hãn (under the city)
YEN_THE = "BG-H214"  # Công an huyện Yên Thế


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from langnghe.units.networks import load_demo_network

    with django_db_blocker.unblock():
        load_demo_network()


@pytest.fixture
def unit():
    def get(code: str) -> Unit:
        return Unit.objects.get(code=code)

    return get


@pytest.fixture
def make_staff(db):
    """make_staff("BG-X07201", "duty_officer") → a user with that role in that unit."""
    counter = {"n": 0}

    def make(code: str, role: str = "viewer", username: str | None = None):
        counter["n"] += 1
        name = username or f"staff{counter['n']}_{code.lower()}_{role}"
        return staff_create(username=name, password="password-123", unit=Unit.objects.get(code=code),
                            role=role)

    return make


@pytest.fixture
def api_client(client):
    """A Django test client with a bearer token for a user: api_client(user).get(...)."""
    from django.test import Client

    from langnghe.accounts.services import api_token_create

    def for_user(user) -> Client:
        _record, token = api_token_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return for_user
