import pytest

pytestmark = pytest.mark.django_db


def test_units_count_and_kinds(client):
    body = client.get("/api/v1/units").json()
    assert body["count"] == 224
    assert {"code", "name", "kind", "parent_code", "url"} <= set(body["items"][0])
    for kind, n in [("province", 1), ("department", 4), ("district", 10), ("commune", 209)]:
        assert client.get("/api/v1/units", {"kind": kind}).json()["count"] == n


@pytest.mark.parametrize("q", ["tho xuong", "Thọ Xương", "THO XUONG", "thọ xuong"])
def test_search_without_diacritics(client, q):
    body = client.get("/api/v1/units", {"q": q}).json()
    assert [i["code"] for i in body["items"]] == ["BG-X07201"]
    assert body["items"][0]["parent_code"] == "BG-H213"


def test_filter_by_parent(client):
    body = client.get("/api/v1/units", {"parent": "BG-H213", "limit": 100}).json()
    assert body["count"] == 16
    assert all(i["parent_code"] == "BG-H213" for i in body["items"])


def test_pagination(client):
    first = client.get("/api/v1/units", {"limit": 10, "offset": 0}).json()
    second = client.get("/api/v1/units", {"limit": 10, "offset": 10}).json()
    assert len(first["items"]) == 10 and first["count"] == 224
    assert {i["code"] for i in first["items"]}.isdisjoint(i["code"] for i in second["items"])


def test_detail_with_ancestors(client):
    body = client.get("/api/v1/units/bg-x07201").json()
    assert body["code"] == "BG-X07201"
    assert [a["code"] for a in body["ancestors"]] == ["BG", "BG-H213"]
    assert body["url"].endswith("/don-vi/cong-an-phuong-tho-xuong/")


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({"kind": "galaxy"}, 400, "unknown_kind"),
        ({"parent": "NOPE"}, 400, "unknown_parent"),
        ({"limit": "-5"}, 422, "validation_error"),
        ({"limit": "abc"}, 422, "validation_error"),
        ({"q": "x" * 300}, 422, "validation_error"),
    ],
)
def test_bad_query_parameters_are_clear_4xx(client, params, status, code):
    response = client.get("/api/v1/units", params)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_unknown_unit_is_404_json(client):
    response = client.get("/api/v1/units/NOPE-404")
    assert response.status_code == 404
    assert response.json()["code"] == "unit_not_found"


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/units" in doc["paths"] and "/api/v1/units/{code}" in doc["paths"]


def test_healthz_does_not_touch_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
