"""Property tests on the parsers that take outside input: whatever arrives, the answer is a
clean refusal (ApplicationError / 4xx) or a success — never an unhandled exception — and a
refusal stores nothing."""

import io
import json
import time
import uuid

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import THO_XUONG
from langnghe.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


# --- Zalo webhook -------------------------------------------------------------------------------

APP_ID = "271828"
SECRET = "hypothesis-oa-secret"


@pytest.fixture
def zalo_unit(unit):
    from langnghe.connectors.services import zalo_connect

    desk = unit(THO_XUONG)
    zalo_connect(
        unit=desk,
        app_id=APP_ID,
        oa_id="oa-hypo",
        secret_key=SECRET,
        access_token="at",
        refresh_token="rt",
        api_base="http://127.0.0.1:9",  # never called: nothing here sends
    )
    return desk


def _signed(event) -> tuple[bytes, str]:
    from langnghe.connectors.zalo import mac

    body = json.dumps(event, ensure_ascii=False).encode()
    timestamp = str(event.get("timestamp", "")) if isinstance(event, dict) else ""
    return body, "mac=" + mac(APP_ID, body, timestamp, SECRET)


def _counts():
    from langnghe.connectors.models import WebhookEvent
    from langnghe.inbox.models import Message

    return WebhookEvent.objects.count(), Message.objects.count()


@FAST
@given(body=st.binary(max_size=400), signature=st.text(max_size=80))
def test_webhook_random_bytes_are_refused_cleanly(zalo_unit, body, signature):
    from langnghe.connectors.services import webhook_receive

    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        webhook_receive(unit_code=THO_XUONG, body=body, signature=signature)
    assert 400 <= refused.value.status < 500
    assert _counts() == before


EVENT_NAMES = st.sampled_from(
    [
        "user_send_text",
        "user_send_image",
        "user_send_location",
        "user_send_file",
        "user_send_sticker",
        "follow",
        "unfollow",
        "user_received_message",
        "user_seen_message",
        "user_submit_info",
        "oa_send_text",
        "user_send_group_text",
    ]
)


@st.composite
def zalo_events(draw):
    event = {
        "event_name": draw(st.one_of(EVENT_NAMES, st.text(max_size=20))),
        "timestamp": str(int(time.time() * 1000) - draw(st.integers(0, 60_000))),
    }
    for key in ("sender", "recipient", "follower", "info", "message"):
        if draw(st.booleans()):
            event[key] = draw(
                st.one_of(
                    json_values,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "id": st.one_of(st.text(max_size=20), st.integers()),
                            "text": st.text(max_size=200),
                            "msg_id": st.one_of(st.text(max_size=30), st.integers()),
                            "msg_ids": st.lists(st.text(max_size=10), max_size=3),
                            "attachments": st.lists(json_values, max_size=3),
                            "name": st.text(max_size=30),
                            "phone": st.text(max_size=20),
                        },
                    ),
                )
            )
    return event


@FAST
@given(event=zalo_events())
def test_webhook_signed_events_are_stored_and_processed_or_refused(zalo_unit, event):
    from langnghe.connectors.models import WebhookEvent
    from langnghe.connectors.services import webhook_event_process, webhook_receive

    body, signature = _signed(event)
    before = WebhookEvent.objects.count()
    try:
        stored = webhook_receive(unit_code=THO_XUONG, body=body, signature=signature)
    except ApplicationError as exc:
        assert 400 <= exc.status < 500
        assert WebhookEvent.objects.count() == before
        return
    status = webhook_event_process(event_id=stored.pk)
    assert status in ("processed", "ignored", "failed", "skipped")


def test_webhook_http_never_500(client, zalo_unit):
    for body in (b"", b"{", b"[]", b'{"timestamp": "x"}', "tiếng việt".encode(), b"\xff\xfe"):
        response = client.post(
            f"/webhooks/zalo/{THO_XUONG}/",
            data=body,
            content_type="application/json",
            HTTP_X_ZEVENT_SIGNATURE="mac=00",
        )
        assert 400 <= response.status_code < 500


# --- Open311 form posts ---------------------------------------------------------------------

OPEN311_FIELDS = [
    "service_code",
    "description",
    "address_string",
    "lat",
    "long",
    "address_id",
    "first_name",
    "last_name",
    "phone",
    "email",
    "attribute[anonymous]",
    "media_url",
    "device_id",
    "account_id",
]


@pytest.fixture
def open311_key(db):
    from langnghe.cases.services import open311_client_create

    _client, key = open311_client_create(name="hypothesis")
    return key


@FAST
@given(
    form=st.dictionaries(
        st.sampled_from(OPEN311_FIELDS),
        st.one_of(
            st.text(max_size=60),
            st.sampled_from(["crime_report", "other", "21.27", "106.19", "true", "", "1e999"]),
        ),
        max_size=10,
    ),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_open311_form_posts(client, open311_key, form, fmt):
    from langnghe.cases.models import Case

    cache.clear()
    before = Case.objects.count()
    response = client.post(f"/open311/v2/requests.{fmt}", data={**form, "api_key": open311_key})
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert Case.objects.count() == before


# --- survey answers --------------------------------------------------------------------------


@FAST
@given(
    answers=st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(["overall", "staff", "time", "facility", "procedure", "x"]),
            st.one_of(json_values, st.sampled_from(["1", "2", "3", "4", "5", 5, "0", "6"])),
            max_size=6,
        ),
    ),
    comment=st.text(max_size=50),
    dossier=st.text(max_size=50),
)
def test_survey_answers(answers, comment, dossier):
    from langnghe.surveys.models import SurveyResponse
    from langnghe.surveys.services import response_submit

    before = SurveyResponse.objects.count()
    try:
        response, created = response_submit(
            unit_code=THO_XUONG,
            client_id=uuid.uuid4(),
            answers=answers,
            comment=comment,
            dossier_code=dossier,
        )
    except ApplicationError as exc:
        assert 400 <= exc.status < 500
        assert SurveyResponse.objects.count() == before
        return
    assert created and SurveyResponse.objects.count() == before + 1
    assert isinstance(response.answers, dict)


@FAST
@given(body=json_values)
def test_survey_api_any_json(client, body):
    from langnghe.surveys.models import SurveyResponse

    before = SurveyResponse.objects.count()
    response = client.post(
        "/api/v1/surveys/responses", data=json.dumps(body), content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert SurveyResponse.objects.count() == before


# --- uploaded files ------------------------------------------------------------------------------


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, fmt)
    return out.getvalue()


VALID = {"png": _image("PNG"), "jpeg": _image("JPEG"), "gif": _image("GIF")}
MAGICS = [
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"%PDF-",
    b"\x00\x00\x00\x18ftypM4A ",
    b"ID3",
    b"RIFF\x00\x00\x00\x00WAVE",
]


@st.composite
def uploads(draw):
    kind = draw(st.sampled_from(["random", "magic", "truncated", "polyglot", "mutated"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind == "magic":
        return draw(st.sampled_from(MAGICS)) + draw(st.binary(max_size=500))
    image = VALID[draw(st.sampled_from(sorted(VALID)))]
    if kind == "truncated":
        return image[: draw(st.integers(1, len(image) - 1))]
    if kind == "polyglot":
        return image + b"%PDF-1.4\n<script>alert(1)</script>" + draw(st.binary(max_size=100))
    data = bytearray(image)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=uploads())
def test_file_clean_never_crashes(data):
    from langnghe.cases.files import PILLOW_FORMATS, file_clean

    try:
        clean = file_clean(data)
    except ApplicationError as exc:
        assert 400 <= exc.status < 500
        return
    if clean.content_type in PILLOW_FORMATS:
        # Re-encoded images decode again and carry no trailing payload.
        Image.open(io.BytesIO(clean.content)).load()
        assert b"<script>" not in clean.content


def test_oversized_file_refused_before_decoding():
    from langnghe.cases.files import MAX_BYTES, file_clean

    with pytest.raises(ApplicationError) as refused:
        file_clean(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES)
    assert refused.value.status == 413


def test_decompression_bomb_refused():
    from langnghe.cases.files import file_clean

    out = io.BytesIO()
    Image.new("L", (9000, 9000)).save(out, "PNG")  # 81 Mpx, a few kB compressed
    with pytest.raises(ApplicationError) as refused:
        file_clean(out.getvalue())
    assert refused.value.code == "invalid_image"


@pytest.fixture
def receipt(db):
    from langnghe.cases.services import case_create

    _case, code = case_create(
        category_code="other",
        description="Có tệp gửi kèm.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    return code


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=uploads())
def test_upload_by_receipt_stores_nothing_on_refusal(client, receipt, data):
    """Through the public endpoint: a refused file leaves no row and no stored blob."""
    from langnghe.cases.models import CaseAttachment

    cache.clear()
    before = CaseAttachment.objects.count()
    response = client.post(
        "/api/v1/cases/track/attachments", data={"receipt": receipt, "file": io.BytesIO(data)}
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        assert CaseAttachment.objects.count() == before


# --- JSON with NUL characters ---------------------------------------------------------------

nul_texts = st.text(alphabet=st.sampled_from('a\x00ệ\\"/\ud800\udfff😀'), max_size=8)
nul_values = st.recursive(
    st.one_of(st.none(), st.integers(), nul_texts),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(nul_texts, inner, max_size=3)
    ),
    max_leaves=8,
)


@FAST
@given(value=nul_values, ascii_only=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-16"]))
def test_json_loads_clean_is_the_full_walk_whatever_the_text(value, ascii_only, encoding):
    """The fast path (no walk when the text cannot hold a NUL) gives what parsing and then
    walking every value gives, for text and for bytes in either encoding JSON allows."""
    from langnghe.core.text import clean_text, json_loads_clean

    text = json.dumps(value, ensure_ascii=ascii_only)
    expected = clean_text(json.loads(text))
    assert json_loads_clean(text) == expected
    assert json_loads_clean(text.encode(encoding, "surrogatepass")) == expected
    cleaned = json.dumps(
        json_loads_clean(text.encode(encoding, "surrogatepass")), ensure_ascii=False
    )
    assert "\x00" not in cleaned
    cleaned.encode()  # no lone surrogate left
