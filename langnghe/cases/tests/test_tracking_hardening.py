"""Issue #24: tracking codes cannot be guessed in bulk, the receipt check answers alike whether
or not its index exists, and public lists show only what an officer marked public."""

import itertools

import pytest
from argon2 import PasswordHasher

from langnghe.cases import receipts
from langnghe.cases.models import Case

pytestmark = pytest.mark.django_db


def _track(client, receipt):
    return client.post("/api/v1/cases/track", {"receipt": receipt}, content_type="application/json")


def _receipt_with_index(index: str, *, not_equal: str) -> str:
    for n in itertools.count():
        candidate = f"{n:016d}"
        if candidate != not_equal and receipts.receipt_index(candidate) == index:
            return candidate
    raise AssertionError  # pragma: no cover


def _receipt_without_case() -> str:
    used = set(Case.objects.exclude(receipt_index="").values_list("receipt_index", flat=True))
    return next(
        f"{n:016d}" for n in itertools.count() if receipts.receipt_index(f"{n:016d}") not in used
    )


def test_receipt_check_costs_the_same_whether_or_not_its_index_exists(
    client, post_case, monkeypatch
):
    body = post_case(category="crime_report", anonymous=True, reporter=None).json()
    receipt = body["receipt"]
    same_bucket = _receipt_with_index(receipts.receipt_index(receipt), not_equal=receipt)
    empty_bucket = _receipt_without_case()

    calls = []
    verify = PasswordHasher.verify

    def counting_verify(self, hash, password):
        calls.append(1)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)

    def checks(code: str) -> tuple[int, int]:
        calls.clear()
        status = _track(client, code).status_code
        return status, len(calls)

    assert checks(same_bucket) == (404, 1)
    assert checks(empty_bucket) == (404, 1)  # a dummy hash is checked, as for a real one
    assert checks(receipt) == (200, 1)


# --- Open311: tracking codes cannot be guessed in bulk -----------------------------------------


def _codes(start: int, count: int) -> list[str]:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return [
        "LN" + "".join(alphabet[(n >> (5 * i)) % 32] for i in range(8))
        for n in range(start, start + count)
    ]


def test_3000_guesses_through_open311_meet_a_limit(client, post_case):
    """Requests of the most ids allowed, until the first 429: far fewer than 3,000 guesses."""
    real = post_case().json()["tracking_code"]
    guesses, answered = 0, 0
    while guesses < 3000:
        codes = _codes(guesses, 10)
        response = client.get("/open311/v2/requests.json", {"service_request_id": ",".join(codes)})
        if response.status_code == 429:
            break
        assert response.status_code == 200
        answered += 1
        guesses += len(codes)
    assert response.status_code == 429, f"{guesses} guesses and no limit"
    assert guesses <= 60
    assert "quá nhiều" in response.json()[0]["description"]
    # The budget is the address's, whatever door: a real code is not answered either.
    assert client.get(f"/open311/v2/requests/{real}.json").status_code == 429
    assert client.get(f"/open311/v2/tokens/{real}.json").status_code == 429
    assert client.get("/phan-anh/tra-cuu/", {"ma": real}).status_code == 429
    # Another address still has its own budget.
    other = client.get(f"/open311/v2/requests/{real}.json", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_more_than_ten_ids_are_refused(client, post_case):
    real = post_case().json()["tracking_code"]
    response = client.get(
        "/open311/v2/requests.json", {"service_request_id": ",".join([real] + _codes(0, 10))}
    )
    assert response.status_code == 400
    assert "Tối đa 10" in response.json()[0]["description"]
    ten = client.get(
        "/open311/v2/requests.json", {"service_request_id": ",".join([real] + _codes(0, 9))}
    )
    assert [r["service_request_id"] for r in ten.json()] == [real]


# --- what is public ------------------------------------------------------------------------------


REPORTER_TEXT = "Đã xử lý, anh Trần Văn Hùng (0912345678) đến nhận lại xe tại trụ sở."


def _resolved(post_case, handler, **overrides):
    from langnghe.cases.services import case_assign, case_resolve

    case = Case.objects.get(pk=post_case(**overrides).json()["id"])
    case_assign(case=case, by=handler, assignee=handler)
    return case, case_resolve


def _listed(client) -> dict[str, dict]:
    return {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}


def test_the_result_written_to_a_reporter_is_not_published(client, post_case, handler):
    case, resolve = _resolved(post_case, handler)
    resolve(case=case, by=handler, result=REPORTER_TEXT)

    listed = _listed(client)[case.tracking_code]
    assert listed["status"] == "closed"
    assert "0912345678" not in str(listed) and "Hùng" not in str(listed)
    by_id = client.get(f"/open311/v2/requests/{case.tracking_code}.json").json()[0]
    assert "0912345678" not in str(by_id)
    page = client.get("/phan-anh/tra-cuu/", {"ma": case.tracking_code}).content.decode()
    assert "0912345678" not in page and "đã được giải quyết" in page
    # The reporter's own channel still has it (the timeline the reporter reads).
    from langnghe.cases.selectors import case_timeline

    assert any(REPORTER_TEXT in t.body for t in case_timeline(case, for_reporter=True))


def test_a_result_marked_public_in_the_console_is_published(client, post_case, handler):
    case, _resolve = _resolved(post_case, handler)
    client.force_login(handler)
    form = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Công khai trên trang tra cứu và danh sách công khai" in form
    public_text = "Đã lập biên bản xử phạt hành chính các đối tượng đua xe."
    client.post(f"/staff/cases/{case.pk}/resolve/", {"result": public_text, "public": "1"})
    client.logout()
    case.refresh_from_db()
    assert case.status == "resolved" and case.public_summary == public_text
    assert public_text in _listed(client)[case.tracking_code]["status_notes"]
    assert (
        public_text in client.get("/phan-anh/tra-cuu/", {"ma": case.tracking_code}).content.decode()
    )


def test_declined_guidance_is_public_only_when_marked(client, post_case, handler, api_client):
    from langnghe.cases.services import case_decline

    quiet = Case.objects.get(pk=post_case().json()["id"])
    case_decline(case=quiet, by=handler, reason="Dân sự", guidance="Chị Bích gọi 0912345678.")
    marked = post_case().json()["id"]
    body = api_client(handler).post(
        f"/api/v1/cases/{marked}/decline",
        {"reason": "Dân sự", "guidance": "Liên hệ UBND phường Thọ Xương.", "public": True},
        content_type="application/json",
    )
    assert body.status_code == 200 and body.json()["public_summary"]
    listed = _listed(client)
    assert "0912345678" not in str(listed[quiet.tracking_code])
    code = Case.objects.get(pk=marked).tracking_code
    assert "UBND phường Thọ Xương" in listed[code]["status_notes"]


def test_crime_tips_and_denunciations_are_never_listed(client, post_case, handler):
    crime = post_case(category="crime_report").json()["tracking_code"]
    denunciation = post_case(category="denunciation").json()["tracking_code"]
    anonymous = post_case(category="other", anonymous=True, reporter=None).json()["tracking_code"]
    # Filed as public order, but what it says is a crime tip (the triage read it).
    disguised = post_case(
        category="public_order",
        description="Tôi muốn tố giác: có người buôn bán ma túy và cướp tài sản ở ngõ 5.",
    ).json()
    assert Case.objects.get(pk=disguised["id"]).triage_category == "crime_report"
    plain = post_case().json()["tracking_code"]
    listed = _listed(client)
    assert plain in listed
    for hidden in (crime, denunciation, anonymous, disguised["tracking_code"]):
        assert hidden not in listed


@pytest.mark.parametrize("category", ["crime_report", "denunciation"])
def test_a_crime_tip_or_denunciation_result_cannot_be_published(
    client, post_case, handler, api_client, category
):
    case, _resolve = _resolved(post_case, handler, category=category)
    client.force_login(handler)
    form = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Công khai trên trang tra cứu" not in form
    assert "không công khai kết quả" in form
    forced = client.post(
        f"/staff/cases/{case.pk}/resolve/",
        {"result": "Đã chuyển Đội CSĐT.", "public": "1"},
        follow=True,
    )
    assert "Không công khai kết quả của tin tố giác" in forced.content.decode()
    answer = api_client(handler).post(
        f"/api/v1/cases/{case.pk}/resolve",
        {"result": "Đã chuyển Đội CSĐT.", "public": True},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "result_not_publishable"
    case.refresh_from_db()
    assert case.status != "resolved" and case.public_summary == ""
    page = client.get("/phan-anh/tra-cuu/", {"ma": case.tracking_code}).content.decode()
    assert "CSĐT" not in page


def test_old_published_results_are_scrubbed_by_the_migration(post_case, handler):
    from importlib import import_module

    from django.apps import apps

    case, resolve = _resolved(post_case, handler)
    resolve(case=case, by=handler, result="x")
    Case.objects.filter(pk=case.pk).update(status_note=REPORTER_TEXT)  # as before the fix
    import_module("langnghe.cases.migrations.0006_case_public_summary").scrub_officer_text(
        apps, None
    )
    case.refresh_from_db()
    assert "0912345678" not in case.status_note and case.status_note
