import pytest

from langnghe.core.exceptions import ApplicationError
from langnghe.units import selectors
from langnghe.units.models import Unit
from langnghe.units.networks import import_province_network, load_demo_network, police_name
from langnghe.units.services import unit_move

pytestmark = pytest.mark.django_db


def test_demo_network_has_the_real_224_units():
    counts = {
        k: Unit.objects.filter(kind__code=k).count()
        for k in ("province", "department", "district", "commune")
    }
    assert counts == {"province": 1, "department": 4, "district": 10, "commune": 209}


def test_tho_xuong_sits_under_the_city(unit):
    tho_xuong = unit("BG-X07201")
    assert tho_xuong.name == "Công an phường Thọ Xương"
    assert tho_xuong.parent.name == "Công an thành phố Bắc Giang"
    assert [u.code for u in selectors.ancestors(tho_xuong)] == ["BG", "BG-H213"]


def test_load_demo_is_idempotent():
    before = Unit.objects.count()
    result = load_demo_network()
    assert result.created == 0 and result.total == 224
    assert Unit.objects.count() == before


def test_subtree_of_district_is_its_communes(unit):
    city = unit("BG-H213")
    sub = selectors.subtree(city)
    assert sub.count() == 1 + 16
    assert set(sub.exclude(pk=city.pk).values_list("kind__code", flat=True)) == {"commune"}


def test_subtree_query_is_one_query(unit, django_assert_num_queries):
    province = unit("BG")
    with django_assert_num_queries(1):
        assert len(list(selectors.subtree(province))) == 224


def test_move_rewrites_the_paths_of_the_whole_subtree(unit):
    city, yen_the = unit("BG-H213"), unit("BG-H215")
    commune = unit("BG-X07201")
    unit_move(unit=commune, new_parent=yen_the)
    commune.refresh_from_db()
    assert commune.path.startswith(yen_the.path)
    assert selectors.subtree(yen_the).filter(pk=commune.pk).exists()
    assert not selectors.subtree(city).filter(pk=commune.pk).exists()


def test_move_into_own_subtree_is_refused(unit):
    with pytest.raises(ApplicationError):
        unit_move(unit=unit("BG-H213"), new_parent=unit("BG-X07201"))


def test_police_names_follow_the_police_style():
    assert police_name("Phường Thọ Xương", "phường") == "Công an phường Thọ Xương"
    assert police_name("Thị trấn Cao Thượng", "thị trấn") == "Công an thị trấn Cao Thượng"
    assert police_name("Bắc Ninh", "tỉnh") == "Công an tỉnh Bắc Ninh"


def test_import_current_province_builds_province_to_commune():
    root, result = import_province_network(province_name="bac ninh")
    assert root.kind.code == "province" and root.name == "Công an tỉnh Bắc Ninh"
    communes = Unit.objects.filter(parent=root, kind__code="commune")
    assert communes.count() == 99  # vn-domain.md §4: 66 xã + 33 phường
    again_root, again = import_province_network(province_name="Bắc Ninh")
    assert again.created == 0 and again_root.pk == root.pk


def test_import_unknown_province_is_an_error_and_changes_nothing():
    before = Unit.objects.count()
    with pytest.raises(ApplicationError):
        import_province_network(province_name="Atlantis")
    assert Unit.objects.count() == before
