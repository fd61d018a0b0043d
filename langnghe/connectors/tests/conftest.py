import pytest

from langnghe.connectors.services import zalo_connect
from langnghe.connectors.simulator import ZaloSimulator

UNIT = "BG-X07201"
APP_ID = "3141592653"
SECRET = "oa-secret-key-for-tests"


@pytest.fixture
def sim():
    simulator = ZaloSimulator(
        app_id=APP_ID, secret_key=SECRET, access_token="at-initial", refresh_token="rt-initial"
    ).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def connection(db, unit, sim):
    desk = unit(UNIT)
    # Duty desk always on, so tests do not depend on the hour they run (see test_rules).
    desk.office_hours = "trực ban 24/7"
    desk.save(update_fields=["office_hours"])
    return zalo_connect(
        unit=desk,
        app_id=APP_ID,
        oa_id="oa-thoxuong",
        secret_key=SECRET,
        access_token="at-initial",
        refresh_token="rt-initial",
        api_base=sim.url,
    )


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Post a (signed) event to the webhook and run what it queues after commit."""

    def post(body: bytes, headers: dict, unit_code: str = UNIT):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        extra.pop("HTTP_CONTENT_TYPE", None)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/webhooks/zalo/{unit_code}/", data=body, content_type="application/json", **extra
            )

    return post
