"""Units that end (#25), the read side: a closed unit's history stays its own and rolls up to its
successor and the province; its page, QR codes, tracking codes and receipts lead there.

A unit is closed with the reorganisation's own ``unit_close`` (closed, hung under its successor),
or, for the chain alone, by setting its fields directly."""

import uuid

import pytest
from django.utils import timezone

from langnghe.accounts.models import Membership
from langnghe.cases.services import case_create
from langnghe.insights.materialize import insights_refresh
from langnghe.surveys.security import form_key, form_path
from langnghe.surveys.services import counters_fold, response_submit
from langnghe.units import pagecache
from langnghe.units.models import Unit
from langnghe.units.selectors import unit_current, unit_list, units_current
from langnghe.units.services import unit_close, unit_create

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG, TRAN_NGUYEN_HAN = "BG", "BG-H213", "BG-X07201", "BG-X07204"


def _close(code: str, successor: Unit, *, reparent: bool = True) -> Unit:
    unit = Unit.objects.get(code=code)
    if reparent:
        return unit_close(unit=unit, successor=successor)
    Unit.objects.filter(pk=unit.pk).update(
        is_active=False, closed_at=timezone.now(), successor=successor
    )
    unit.refresh_from_db()
    return unit


@pytest.fixture
def bac_ninh(unit):
    """A new province with one ward: Thọ Xương's successor lives elsewhere in the tree."""
    province_kind, commune_kind = unit(PROVINCE).kind, unit(THO_XUONG).kind
    province = unit_create(code="BN", kind=province_kind, name="Công an tỉnh Bắc Ninh")
    ward = unit_create(
        code="BN-P-BACGIANG",
        kind=commune_kind,
        name="Công an phường Bắc Giang",
        parent=province,
    )
    return province, ward


def _case(code=THO_XUONG):
    case, receipt = case_create(
        category_code="public_order",
        description="Tụ tập gây ồn ào sau 23 giờ.",
        unit_code=code,
        is_anonymous=True,
    )
    return case, receipt


def _response(code=THO_XUONG, overall="5"):
    response, _ = response_submit(
        unit_code=code, client_id=uuid.uuid4(), answers={"overall": overall}
    )
    return response


# --- the chain ----------------------------------------------------------------------------------


def test_unit_current_follows_the_chain_and_survives_a_loop(unit):
    a, b, c = unit(THO_XUONG), unit(TRAN_NGUYEN_HAN), unit(CITY)
    assert unit_current(a) == a  # open: itself
    _close(THO_XUONG, b, reparent=False)
    _close(TRAN_NGUYEN_HAN, c, reparent=False)
    assert unit_current(unit(THO_XUONG)) == c
    assert units_current([unit(THO_XUONG), unit(TRAN_NGUYEN_HAN), c]) == {
        a.pk: c,
        b.pk: c,
        c.pk: c,
    }
    # A loop written by hand (C closed into A): never endless, ends on a unit of the loop.
    Unit.objects.filter(pk=c.pk).update(is_active=False, successor=a)
    assert unit_current(unit(THO_XUONG)).pk in {a.pk, b.pk, c.pk}


# --- lists and the API --------------------------------------------------------------------------


def test_lists_show_only_open_units_and_the_api_answers_a_closed_code_with_its_successor(
    client, bac_ninh
):
    _province, ward = bac_ninh
    _close(THO_XUONG, ward)
    assert not unit_list(q="tho xuong").exists()
    listed = client.get("/api/v1/units?q=tho%20xuong&limit=100").json()
    assert listed["count"] == 0
    answer = client.get(f"/api/v1/units/{THO_XUONG.lower()}")
    assert answer.status_code == 301
    assert answer["Location"] == "/api/v1/units/BN-P-BACGIANG"
    assert answer.json()["successor"] == "BN-P-BACGIANG"
    assert answer.json()["code"] == "unit_closed"
    assert client.get(answer["Location"]).json()["name"] == "Công an phường Bắc Giang"
    # An unknown code is still a plain 404.
    assert client.get("/api/v1/units/BG-NOPE").status_code == 404


# --- the page -----------------------------------------------------------------------------------


def test_a_closed_units_page_redirects_for_good_to_the_end_of_its_chain(client, bac_ninh):
    _province, ward = bac_ninh
    old = _close(THO_XUONG, Unit.objects.get(code=TRAN_NGUYEN_HAN))
    _close(TRAN_NGUYEN_HAN, ward)  # closed in its turn: the old page leads to today's unit
    answer = client.get(f"/don-vi/{old.slug}/")
    assert answer.status_code == 301
    assert answer["Location"] == f"{ward.get_absolute_url()}?tu={old.slug}"
    assert client.get(answer["Location"]).status_code == 200
    plain = client.get(ward.get_absolute_url()).content.decode()
    assert "Đơn vị trước đây" in plain and "Công an phường Trần Nguyên Hãn" in plain


@pytest.mark.parametrize("into", ["elsewhere", "parent"])
def test_the_page_cache_does_not_serve_a_closed_units_old_page(
    client, settings, bac_ninh, django_capture_on_commit_callbacks, unit, into
):
    """Closed into a unit elsewhere (it moves) or into its own parent (it stays put): either
    way its stored page is forgotten."""
    settings.LANGNGHE_UNIT_PAGE_CACHE = True
    pagecache.memo_clear()
    ward = bac_ninh[1] if into == "elsewhere" else unit(CITY)
    slug = Unit.objects.get(code=THO_XUONG).slug
    client.cookies.clear()
    assert client.get(f"/don-vi/{slug}/").status_code == 200  # stored for anonymous visitors
    assert client.get(f"/don-vi/{slug}/").status_code == 200  # and served from the copy
    with django_capture_on_commit_callbacks(execute=True):
        _close(THO_XUONG, ward)
    assert client.get(f"/don-vi/{slug}/").status_code == 301
    pagecache.memo_clear()


# --- QR codes -----------------------------------------------------------------------------------


def test_a_closed_units_qr_code_opens_the_successors_form_and_counts_there(client, bac_ninh):
    _province, ward = bac_ninh
    printed = form_path(THO_XUONG)  # the poster on the wall, printed before the merger
    _close(THO_XUONG, ward)
    answer = client.get(printed)
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"/khao-sat/{ward.code}/?k=")
    form = client.get(answer["Location"])
    assert form.status_code == 200
    assert "Công an phường Bắc Giang" in form.content.decode()
    # The response sent from there counts for the successor.
    response, created = response_submit(
        unit_code=ward.code,
        client_id=uuid.uuid4(),
        answers={"overall": "5"},
        key=form_key(ward.code),
        require_key=True,
    )
    assert created and response.unit_id == ward.pk
    # A forged key for the old code leads nowhere.
    assert client.get(f"/khao-sat/{THO_XUONG}/?k=forged").status_code == 404


# --- rollups and scope --------------------------------------------------------------------------


def test_history_stays_its_own_and_rolls_up_to_the_successor_and_its_province(
    api_client, make_staff, bac_ninh
):
    province, ward = bac_ninh
    insights_refresh()
    case, _receipt = _case()
    _response(overall="1")
    counters_fold()
    insights_refresh()
    old_province = make_staff(PROVINCE, "supervisor")
    before = api_client(old_province).get(f"/api/v1/insights/summary?unit={PROVINCE}").json()

    old = _close(THO_XUONG, ward)
    insights_refresh()
    case.refresh_from_db()
    assert case.unit_id == old.pk  # the history keeps its unit

    leader = make_staff("BN", "supervisor")
    summary = api_client(leader).get("/api/v1/insights/summary?unit=BN").json()
    assert summary["cases"]["received"] >= 1
    assert summary["surveys"]["responses"] >= 1
    of_ward = api_client(leader).get(f"/api/v1/insights/summary?unit={ward.code}").json()
    assert of_ward["cases"]["received"] == summary["cases"]["received"]
    # The old province's totals moved with the unit: what it lost, the new one holds.
    after = api_client(old_province).get(f"/api/v1/insights/summary?unit={PROVINCE}").json()
    assert before["cases"]["received"] - after["cases"]["received"] == summary["cases"]["received"]
    # Rankings list open units only; the successor's row carries the closed unit's history.
    rows = api_client(leader).get("/api/v1/insights/breakdown?unit=BN").json()["items"]
    assert [r["code"] for r in rows] == [ward.code]
    assert rows[0]["cases_received"] == summary["cases"]["received"]
    results = api_client(leader).get("/api/v1/surveys/results?unit=BN").json()
    assert results["responses"] >= 1
    assert [c["code"] for c in results["children"]] == [ward.code]
    # Staff of the successor read the closed unit's cases; the province's too.
    listed = api_client(leader).get("/api/v1/cases").json()
    assert case.tracking_code in [c["tracking_code"] for c in listed["items"]]


def test_a_handler_still_sees_the_tip_sent_before(api_client, make_staff, bac_ninh):
    _province, ward = bac_ninh
    handler = make_staff(THO_XUONG, "investigator")
    case, _receipt = _case()
    _close(THO_XUONG, ward)
    # The reorganisation moves the commune's officers to the successor.
    Membership.objects.filter(user=handler).update(unit=ward)
    listed = api_client(handler).get("/api/v1/cases").json()
    assert case.tracking_code in [c["tracking_code"] for c in listed["items"]]
    assert api_client(handler).get(f"/api/v1/cases/{case.pk}").status_code == 200
    # The console's unit switcher offers open units only.
    from langnghe.accounts.console import switcher_units

    assert THO_XUONG not in [u.code for u in switcher_units(make_staff(CITY, "supervisor"))]


# --- tracking codes and receipts ----------------------------------------------------------------


def test_tracking_code_receipt_and_open311_name_the_successor(client, bac_ninh):
    _province, ward = bac_ninh
    case, receipt = _case()
    _close(THO_XUONG, ward)
    status = client.get(f"/phan-anh/tra-cuu/?ma={case.tracking_code}")
    assert status.status_code == 200
    text = status.content.decode()
    assert 'id="case-former-unit"' in text and "Công an phường Bắc Giang" in text
    mailbox = client.post("/phan-anh/bien-nhan/", {"receipt": receipt})
    assert mailbox.status_code == 200
    assert "Công an phường Bắc Giang" in mailbox.content.decode()
    open311 = client.get(f"/open311/v2/requests/{case.tracking_code}.json").json()
    assert open311[0]["agency_responsible"] == "Công an phường Bắc Giang"
    listed = client.get(f"/open311/v2/requests.json?service_request_id={case.tracking_code}")
    assert listed.json()[0]["agency_responsible"] == "Công an phường Bắc Giang"


def test_an_old_units_chat_link_opens_the_successors_chat(client, bac_ninh):
    _province, ward = bac_ninh
    _close(THO_XUONG, ward)
    response = client.get(f"/tro-chuyen/{THO_XUONG}/")
    assert response.status_code == 301
    assert response["Location"] == f"/tro-chuyen/{ward.code}/"
    assert client.get(response["Location"]).status_code == 200
    # A closed unit without a successor has no chat.
    Unit.objects.filter(code=TRAN_NGUYEN_HAN).update(is_active=False, closed_at=timezone.now())
    assert client.get(f"/tro-chuyen/{TRAN_NGUYEN_HAN}/").status_code == 404


@pytest.mark.parametrize(
    "address",
    ["Phường Thọ Xương, Thành phố Bắc Giang, Tỉnh Bắc Giang", "p. tho xuong, tp bac giang"],
)
def test_a_citizen_finds_the_duty_desk_by_address_and_it_is_not_kept(client, address):
    from langnghe.audit.models import AuditEntry

    audits = AuditEntry.objects.count()
    response = client.post("/tro-chuyen/", {"address": address})
    assert response.status_code == 302
    assert response["Location"] == f"/tro-chuyen/{THO_XUONG}/"
    assert "tho" not in response["Location"].lower()
    assert AuditEntry.objects.count() == audits


def test_an_address_that_places_nothing_says_so_in_vietnamese(client):
    for address in ["", "nhà tôi gần chợ"]:
        response = client.post("/tro-chuyen/", {"address": address})
        assert response.status_code == 200  # the form again, with its error
        assert "địa chỉ" in response.content.decode()
    assert client.get("/tro-chuyen/").status_code == 200
