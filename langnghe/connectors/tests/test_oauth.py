"""Connecting an OA from the console: OAuth v4 with PKCE, against the simulator over HTTP."""

import urllib.parse
import urllib.request

import pytest

from langnghe.connectors.models import ZaloConnection

from .conftest import APP_ID, SECRET, UNIT

pytestmark = pytest.mark.django_db


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _follow_permission(url: str) -> str:
    """The admin approves on Zalo's page: the simulator answers with a redirect back to us."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        return exc.headers["Location"]
    raise AssertionError("no redirect")


def test_admin_connects_an_oa_with_pkce(client, sim, make_staff):
    admin = make_staff(UNIT, "admin")
    client.force_login(admin)
    client.post("/staff/unit/", {"unit": UNIT})
    start = client.post(
        "/staff/zalo/connect/", {"app_id": APP_ID, "app_secret": SECRET, "oauth_base": sim.url}
    )
    assert start.status_code == 302 and start.url.startswith(f"{sim.url}/v4/oa/permission?")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(start.url).query)
    assert query["code_challenge"][0] and query["state"][0]
    back = _follow_permission(start.url)
    parsed = urllib.parse.urlparse(back)
    assert parsed.path == "/staff/zalo/callback/"
    done = client.get(parsed.path + "?" + parsed.query)
    assert done.status_code == 302
    connection = ZaloConnection.objects.get(unit__code=UNIT)
    assert connection.oa_id == sim.oa_id
    assert connection.secret("access_token") == sim.access_token
    # A replayed callback (same code and state) is refused: the flow is single-use.
    client.get(parsed.path + "?" + parsed.query)
    page = client.get("/staff/zalo/").content.decode()
    assert "không hợp lệ hoặc đã hết hạn" in page


def test_wrong_verifier_or_state_connects_nothing(client, sim, make_staff):
    client.force_login(make_staff(UNIT, "admin"))
    client.post("/staff/unit/", {"unit": UNIT})
    start = client.post(
        "/staff/zalo/connect/", {"app_id": APP_ID, "app_secret": SECRET, "oauth_base": sim.url}
    )
    back = urllib.parse.urlparse(_follow_permission(start.url))
    forged = back.query.replace("state=", "state=x")
    client.get(back.path + "?" + forged)
    assert not ZaloConnection.objects.filter(unit__code=UNIT).exists()


def test_only_an_admin_of_the_unit_may_connect(client, sim, make_staff):
    client.force_login(make_staff(UNIT, "duty_officer"))
    client.post("/staff/unit/", {"unit": UNIT})
    response = client.post(
        "/staff/zalo/connect/", {"app_id": APP_ID, "app_secret": SECRET, "oauth_base": sim.url}
    )
    assert response.status_code == 403
    assert not ZaloConnection.objects.exists()


def test_the_connect_form_may_be_sent_on_to_zalo(client, make_staff, settings):
    """The form's submission ends in a redirect to Zalo's permission page: the page holding the
    form lets it go there (CSP form-action), and only there outside a sandbox."""
    settings.LANGNGHE_ZALO_SANDBOX = False
    client.force_login(make_staff(UNIT, "admin"))
    client.post("/staff/unit/", {"unit": UNIT})
    csp = client.get("/staff/zalo/")["Content-Security-Policy"]
    assert "form-action 'self' https://oauth.zaloapp.com;" in csp
    assert "form-action 'self';" in client.get("/staff/")["Content-Security-Policy"]
