import pytest

from langnghe.units.models import Unit

THO_XUONG = "BG-X07201"
TRAN_NGUYEN_HAN = "BG-X07204"
CITY = "BG-H213"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _fast_argon2(settings):
    # Same algorithm (Argon2id), cheaper parameters: the suite stays fast.
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture(autouse=True)
def _no_rate_limit_leak(monkeypatch):
    from django.core.cache import cache
    from django_ratelimit import core

    # One fixed window, so a test never straddles a minute boundary.
    monkeypatch.setattr(core, "_get_window", lambda value, period: 1_700_000_000)

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tho_xuong(db):
    return Unit.objects.get(code=THO_XUONG)


@pytest.fixture
def handler(make_staff):
    return make_staff(THO_XUONG, "investigator")


@pytest.fixture
def supervisor(make_staff):
    return make_staff(THO_XUONG, "supervisor")


@pytest.fixture
def post_case(client):
    def post(**overrides):
        body = {
            "category": "public_order",
            "unit": THO_XUONG,
            "description": "Đua xe trái phép mỗi tối trên đường Xương Giang.",
            "anonymous": False,
            "reporter": {"name": "Trần Thị Bích", "phone": "0912345678"},
        }
        body.update(overrides)
        return client.post("/api/v1/cases", body, content_type="application/json")

    return post
