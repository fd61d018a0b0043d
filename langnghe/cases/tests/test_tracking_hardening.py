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
