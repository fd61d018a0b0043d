import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_the_directory(client):
    page = client.get("/").content.decode()
    assert "Công an tỉnh Bắc Giang" in page
    assert 'name="q"' in page


def test_home_search_without_diacritics(client):
    page = client.get("/", {"q": "tho xuong"}).content.decode()
    assert "Công an phường Thọ Xương" in page
    assert "1 đơn vị" in page


def test_home_search_with_no_result_says_so(client):
    page = client.get("/", {"q": "khong co dau ca"}).content.decode()
    assert "Không tìm thấy đơn vị nào" in page


def test_unit_page_shows_contacts(client, unit):
    tho_xuong = unit("BG-X07201")
    page = client.get(tho_xuong.get_absolute_url()).content.decode()
    for text in [
        tho_xuong.name,
        tho_xuong.hotline,
        tho_xuong.duty_phone,
        "Giờ làm việc",
        "Công an thành phố Bắc Giang",
    ]:
        assert text in page


def test_unknown_unit_page_is_a_vietnamese_404(client):
    response = client.get("/don-vi/khong-ton-tai/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()
