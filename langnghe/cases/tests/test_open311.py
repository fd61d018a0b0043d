"""Open311 GeoReport v2: services, POST with api_key routed by address, read back JSON+XML."""

import xml.etree.ElementTree as ET  # noqa: S405

import pytest
from django.core.management import call_command

from langnghe.cases.models import Case, Open311Client

from .conftest import THO_XUONG

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key():
    from io import StringIO

    out = StringIO()
    call_command("open311_key", "--name", "Ứng dụng thử", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("o311_")
    assert not Open311Client.objects.filter(key_hash=key).exists()  # stored hashed
    return key


def test_services_in_json_and_xml(client):
    services = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} >= {"crime_report", "public_order", "other"}
    xml = client.get("/open311/v2/services.xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)  # noqa: S314
    assert root.tag == "services" and root.find("service/service_code") is not None
    definition = client.get("/open311/v2/services/public_order.json").json()
    assert definition["service_code"] == "public_order"
    assert {a["code"] for a in definition["attributes"]} == {"unit", "anonymous"}
    xml_def = ET.fromstring(client.get("/open311/v2/services/public_order.xml").content)  # noqa: S314
    assert xml_def.tag == "service_definition"
    assert xml_def.find("attributes/attribute/code") is not None
    assert client.get("/open311/v2/services/nope.json").status_code == 404


def test_post_with_address_is_routed_and_reads_back_open(client, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "public_order",
            "address_string": "Phuong Tho Xuong, Thanh pho Bac Giang",
            "description": "Tụ tập gây rối trước cổng trường.",
            "first_name": "Văn",
            "last_name": "Nam",
            "phone": "0966111222",
        },
    )
    assert response.status_code == 201, response.content
    request_id = response.json()[0]["service_request_id"]
    case = Case.objects.get(tracking_code=request_id)
    assert case.unit.code == THO_XUONG and case.channel == "open311"

    item = client.get(f"/open311/v2/requests/{request_id}.json").json()[0]
    assert item["status"] == "open"
    assert item["agency_responsible"] == case.unit.name
    assert item["expected_datetime"]
    assert "0966111222" not in str(item) and "gây rối" not in str(item)

    root = ET.fromstring(client.get(f"/open311/v2/requests/{request_id}.xml").content)  # noqa: S314
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "open"
    assert root.find("request/service_request_id").text == request_id

    token = client.get(f"/open311/v2/tokens/{request_id}.json").json()[0]
    assert token["service_request_id"] == request_id
    listed = client.get("/open311/v2/requests.json?status=open").json()
    assert request_id in {r["service_request_id"] for r in listed}


def test_post_errors(client, api_key):
    before = Case.objects.count()
    no_key = client.post(
        "/open311/v2/requests.json", {"service_code": "public_order", "address_string": "x"}
    )
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    bad_key = client.post(
        "/open311/v2/requests.xml",
        {"api_key": "o311_wrong", "service_code": "public_order", "address_string": "x"},
    )
    assert bad_key.status_code == 403
    assert ET.fromstring(bad_key.content).tag == "errors"  # noqa: S314
    no_location = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "public_order", "description": "x"},
    )
    assert no_location.status_code == 400
    unknown = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "nope", "address_string": "x", "description": "x"},
    )
    assert unknown.status_code == 400
    assert Case.objects.count() == before


def test_crime_tips_are_not_listed_but_readable_by_id(client, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "crime_report",
            "lat": "21.27",
            "long": "106.19",
            "description": "Buôn bán ma túy",
        },
    )
    assert response.status_code == 201
    request_id = response.json()[0]["service_request_id"]
    listed = client.get("/open311/v2/requests.json").json()
    assert request_id not in {r["service_request_id"] for r in listed}
    assert client.get(f"/open311/v2/requests/{request_id}.json").json()[0]["status"] == "open"
