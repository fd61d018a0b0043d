"""The scope rule: a member sees their unit and its subtree, and nothing else."""

import pytest

from langnghe.accounts.selectors import can_see_unit, has_role, visible_unit_get, visible_units
from langnghe.core.exceptions import NotFound

pytestmark = pytest.mark.django_db


def test_commune_officer_sees_only_their_commune(make_staff, unit):
    officer = make_staff("BG-X07201", "duty_officer")
    assert list(visible_units(officer).values_list("code", flat=True)) == ["BG-X07201"]
    assert not can_see_unit(officer, unit("BG-X07204"))  # another commune of the same city
    assert not can_see_unit(officer, unit("BG-H213"))  # nor the district above
    with pytest.raises(NotFound):
        visible_unit_get(user=officer, code="BG-X07204")


def test_district_supervisor_sees_its_communes(make_staff, unit):
    supervisor = make_staff("BG-H213", "supervisor")
    codes = set(visible_units(supervisor).values_list("code", flat=True))
    assert len(codes) == 17 and {"BG-H213", "BG-X07201", "BG-X07204"} <= codes
    assert not can_see_unit(supervisor, unit("BG-H215"))
    assert not can_see_unit(supervisor, unit("BG"))


def test_province_member_sees_the_whole_tree(make_staff):
    assert visible_units(make_staff("BG", "viewer")).count() == 224


def test_two_memberships_add_up(make_staff, unit):
    from langnghe.accounts.services import membership_add

    officer = make_staff("BG-X07201", "viewer")
    membership_add(user=officer, unit=unit("BG-PC06"), role="viewer")
    assert set(visible_units(officer).values_list("code", flat=True)) == {"BG-X07201", "BG-PC06"}


def test_no_membership_sees_nothing(django_user_model):
    user = django_user_model.objects.create_user("nobody", password="password-123")
    assert visible_units(user).count() == 0


def test_role_holds_down_the_tree(make_staff, unit):
    supervisor = make_staff("BG-H213", "supervisor")
    assert has_role(supervisor, unit("BG-X07201"), {"supervisor"})
    assert not has_role(supervisor, unit("BG-H215"), {"supervisor"})
    assert not has_role(supervisor, unit("BG-X07201"), {"admin"})


# Every staff endpoint of this app walked by an officer of another commune: nothing visible.
SCOPED_LISTS = ["/api/v1/units/mine", "/api/v1/audit"]


@pytest.mark.parametrize("url", SCOPED_LISTS)
def test_staff_lists_show_nothing_of_another_commune(url, make_staff, api_client):
    from langnghe.units.models import Unit
    from langnghe.units.services import unit_update

    # Data owned by Trần Nguyên Hãn (an audit entry) and by Thọ Xương.
    unit_update(unit=Unit.objects.get(code="BG-X07204"), hotline="0204 0000 001")
    unit_update(unit=Unit.objects.get(code="BG-X07201"), hotline="0204 0000 002")
    outsider = api_client(make_staff("BG-X07201", "duty_officer"))
    body = outsider.get(url, {"limit": 1000}).json()
    seen = {item.get("code") or item.get("unit_code") for item in body["items"]}
    assert "BG-X07204" not in seen
    assert "BG-X07201" in seen
    district = api_client(make_staff("BG-H213", "supervisor"))
    seen = {
        i.get("code") or i.get("unit_code")
        for i in district.get(url, {"limit": 1000}).json()["items"]
    }
    assert {"BG-X07201", "BG-X07204"} <= seen


@pytest.mark.parametrize("url", SCOPED_LISTS)
def test_staff_lists_need_authentication(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
