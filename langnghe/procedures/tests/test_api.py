import pytest

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/procedures/search"


def test_search_returns_best_match_first(client, catalogue):
    response = client.get(SEARCH, {"q": "lam ho chieu cho con", "limit": 3})
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 3
    assert items[0]["code"] == "cap-ho-chieu-pho-thong"
    assert set(items[0]) == {"code", "title", "url", "field", "score"}
    assert items[0]["url"].endswith("/thu-tuc/cap-ho-chieu-pho-thong/")
    assert items[0]["field"] == "xuat-nhap-canh"
    assert items[0]["score"] >= items[1]["score"] >= items[2]["score"]


@pytest.mark.parametrize("q", ["", "   ", "?!?!", "%%%", "…"])
def test_empty_and_symbol_queries_give_an_empty_list(client, catalogue, q):
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    assert response.json() == {"items": [], "confident": False, "elsewhere": None}


def test_too_long_query_is_a_clear_400(client, catalogue):
    response = client.get(SEARCH, {"q": "hộ chiếu " * 80})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "query_too_long"
    assert "500" in body["detail"]


@pytest.mark.parametrize("limit", ["0", "51", "-3"])
def test_out_of_range_limit_is_a_400(client, catalogue, limit):
    response = client.get(SEARCH, {"q": "tam tru", "limit": limit})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_limit"


def test_non_numeric_limit_is_a_422(client, catalogue):
    assert client.get(SEARCH, {"q": "tam tru", "limit": "abc"}).status_code == 422


def test_list_by_field_and_by_unit(client, catalogue):
    body = client.get("/api/v1/procedures", {"field": "xuat-nhap-canh", "limit": 100}).json()
    assert body["count"] >= 5
    assert {item["field"] for item in body["items"]} == {"xuat-nhap-canh"}
    pc08 = client.get("/api/v1/procedures", {"unit": "BG-PC08", "limit": 100}).json()
    codes = {item["code"] for item in pc08["items"]}
    assert "cap-doi-giay-phep-lai-xe" in codes and "cap-ho-chieu-pho-thong" not in codes


def test_list_errors_are_4xx(client, catalogue):
    assert client.get("/api/v1/procedures", {"field": "nope"}).status_code == 400
    assert client.get("/api/v1/procedures", {"unit": "NOPE"}).status_code == 404


def test_detail_and_unknown_code(client, catalogue):
    body = client.get("/api/v1/procedures/dang-ky-thuong-tru").json()
    assert body["name"] == "Đăng ký thường trú"
    assert body["handlers"] == [{"kind": "commune", "department": ""}]
    assert "Luật Cư trú" in body["legal_basis"]
    assert body["documents"] and body["steps"] and body["aliases"]
    missing = client.get("/api/v1/procedures/khong-co")
    assert missing.status_code == 404
    assert missing.json()["code"] == "procedure_not_found"


def test_answer_endpoint(client, catalogue):
    body = client.get("/api/v1/procedures/answer", {"q": "mất bằng lái xe máy thì làm sao"}).json()
    assert body["found"] is True
    assert body["code"] == "cap-lai-giay-phep-lai-xe"
    assert "Lệ phí" in body["answer"]
    assert client.get("/api/v1/procedures/answer", {"q": "!!!"}).json() == {
        "found": False,
        "code": None,
        "title": None,
        "url": None,
        "answer": None,
    }
