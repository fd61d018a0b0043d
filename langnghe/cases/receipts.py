"""Anonymous receipts (as GlobaLeaks does them): 16 random digits, shown once.

Stored: ``receipt_index`` = the first 4 hex digits (16 bits) of SHA-256(receipt), and the
Argon2id hash of the receipt. Why both:
- Argon2id with a random salt is what proves a receipt; it is slow on purpose, so it cannot
  be used to *find* a case (that would mean trying every anonymous case's hash).
- The 16-bit index narrows the search to ~1/65,536 of anonymous cases (one or two Argon2
  checks at 100,000 cases). It is deliberately too short to be a secret or an identifier:
  each value is shared by ~1.5 × 10¹¹ possible receipts, so anyone holding the database still
  faces that many Argon2 guesses per case (~0.2 s each). No key is needed, so rotating
  SECRET_KEY or the data keys never breaks follow-ups.
Receipts travel only in request bodies, are never logged and never appear in URLs.

The answer does not tell whether a bucket is occupied: ``receipt_find`` checks every candidate
(no early exit) and, when the bucket is empty, checks a dummy hash of the same parameters, as
Django's ``authenticate`` hashes a password for an unknown user. A wrong receipt costs one
Argon2 check whether or not its index exists (issue #24: ~180 ms against ~10 ms before).
"""

import hashlib
import secrets
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings

RECEIPT_DIGITS = 16
INDEX_HEX_DIGITS = 4


def _hasher() -> PasswordHasher:
    """argon2-cffi's defaults (Argon2id, 64 MiB, t=3: ~0.2 s); a test suite may lower them
    with the LANGNGHE_RECEIPT_ARGON2 setting (keyword arguments of PasswordHasher)."""
    return PasswordHasher(**getattr(settings, "LANGNGHE_RECEIPT_ARGON2", {}))


def receipt_new() -> str:
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def receipt_normalize(receipt: str) -> str:
    """Accepts spaces or dashes between groups ("1234 5678 …"); "" if not 16 digits."""
    digits = "".join(ch for ch in str(receipt or "") if not ch.isspace() and ch != "-")
    return digits if len(digits) == RECEIPT_DIGITS and digits.isdigit() else ""


def receipt_index(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()[:INDEX_HEX_DIGITS]


def receipt_hash(receipt: str) -> str:
    return _hasher().hash(receipt)


def receipt_matches(receipt: str, stored_hash: str) -> bool:
    try:
        return _hasher().verify(stored_hash, receipt)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _dummy_hash(parameters: tuple) -> str:
    """A hash of a random receipt, made with the current parameters (one per parameter set)."""
    return PasswordHasher(**dict(parameters)).hash(receipt_new())


def receipt_find(receipt: str, candidates: Iterable):
    """The candidate (an object with ``receipt_hash``) that ``receipt`` proves, or None.

    Costs at least one Argon2 check, and one per candidate, whatever the answer: every
    candidate is checked, and a dummy stands in for an empty bucket."""
    found = None
    checked = 0
    for candidate in candidates:
        checked += 1
        if receipt_matches(receipt, candidate.receipt_hash) and found is None:
            found = candidate
    if not checked:
        parameters = tuple(sorted(getattr(settings, "LANGNGHE_RECEIPT_ARGON2", {}).items()))
        receipt_matches(receipt, _dummy_hash(parameters))
    return found


def receipt_display(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))
