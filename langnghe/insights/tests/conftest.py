import pytest


@pytest.fixture(autouse=True)
def _fast_case_intake(settings, tmp_path):
    # Cheap Argon2 for anonymous receipts; attachments (none here) in a temporary folder.
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
