"""Vietnamese phone numbers as a citizen types them, checked and written one way.

Read by ``phonenumbers`` (Google's libphonenumber metadata, which follows the numbering plan of
the Ministry of Information and Communications: mobile 03/05/07/08/09 + 8 digits, landline
02xx with the 2017 area codes). Accepted: mobile and landline numbers of Việt Nam, typed with
spaces, dots, dashes or brackets, with 0, 84 or +84 in front. Kept as the ten or eleven digits
a Vietnamese reader expects (``0912345678``), so an officer can call it back as written.
"""

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from langnghe.core.exceptions import ApplicationError

INVALID_PHONE = (
    "Số điện thoại không đúng. Nhập số di động 10 chữ số (ví dụ 0912 345 678) "
    "hoặc số cố định có mã vùng (ví dụ 0204 3854 123)."
)
# Letters are refused before parsing: libphonenumber would read "0912ABC" as keypad digits.
ALLOWED = re.compile(r"^\+?[\d\s.\-()]+$")
ACCEPTED_TYPES = (
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def phone_normalize(value: str, *, field: str = "phone") -> str:
    """``value`` written as national digits (``0912345678``); ApplicationError (400, in
    Vietnamese, naming ``field``) when it is not a Vietnamese mobile or landline number."""
    raw = (value or "").strip()
    error = ApplicationError(INVALID_PHONE, code="invalid_phone", field=field)
    if not ALLOWED.match(raw):
        raise error
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise error from None
    if not phonenumbers.is_valid_number_for_region(number, "VN"):
        raise error
    if phonenumbers.number_type(number) not in ACCEPTED_TYPES:
        raise error
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)
