"""Who reads what citizens write to the duty desk (selectors.conversation_for): the desk roles
read and answer; a viewer, an editor or an administrator, as such, sees counts only; an
investigator reads the conversation behind a case assigned to them. The same rule holds on the
API, on the console page and on the live socket; the citizen's phone is never stored in plain
text."""

import asyncio
import json
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from langnghe.audit.models import AuditEntry
from langnghe.inbox.models import Conversation, Message, Note

THO_XUONG = "BG-X07201"
TRAN_NGUYEN_HAN = "BG-X07204"
CITY = "BG-H213"

NAME = "Nguyễn Thị Lan"
PHONE = "0912345678"
TEXT = "Cho tôi hỏi thủ tục đăng ký tạm trú cho con gái đang đi học"
FIRST_WORDS = "Cho tôi hỏi thủ tục"
REFUSED_ROLES = ("viewer", "editor", "admin")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The web chat's rate limit (per IP, in the shared local-memory cache) must not carry the
    other tests' messages into these."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def always_on(unit):
    for code in (THO_XUONG, TRAN_NGUYEN_HAN):
        u = unit(code)
        u.office_hours = "trực ban 24/7"
        u.save(update_fields=["office_hours"])


def _chat(text: str = TEXT, token: str = "", **extra) -> str:
    """A citizen writes through the public web chat API; returns the chat's token."""
    response = Client().post(
        f"/api/v1/inbox/webchat/{THO_XUONG}",
        {"text": text, "token": token, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _citizen_chat() -> tuple[Conversation, str]:
    token = _chat(name=NAME, phone=PHONE)
    return Conversation.objects.get(unit__code=THO_XUONG), token


def _state(conversation_id: int) -> tuple:
    c = Conversation.objects.get(pk=conversation_id)
    return (
        c.status,
        c.assignee_id,
        c.unread_count,
        c.case_id,
        Message.objects.filter(conversation_id=conversation_id).count(),
        Note.objects.filter(conversation_id=conversation_id).count(),
    )


def _reads(conversation_id: int, actor=None):
    entries = AuditEntry.objects.filter(
        action="conversation.read",
        target_type="inbox.conversation",
        target_id=str(conversation_id),
    )
    return entries.filter(actor=actor) if actor is not None else entries


def _assert_nothing_citizen(body: bytes) -> None:
    text = body.decode()
    for secret in (NAME, PHONE, TEXT, FIRST_WORDS):
        assert secret not in text


# --- 1. The API ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_api_refuses_content_to_roles_outside_the_desk_and_changes_nothing(
    role, always_on, make_staff, api_client
):
    conversation, _ = _citizen_chat()
    before = _state(conversation.pk)
    assert before[2] == 1  # one unread message
    user = make_staff(THO_XUONG, role)
    client = api_client(user)
    url = f"/api/v1/inbox/conversations/{conversation.pk}"

    responses = [
        client.get("/api/v1/inbox/conversations"),
        client.get(url),
        client.post(url + "/messages", {"text": "Chào bạn"}, content_type="application/json"),
        client.post(url + "/notes", {"text": "Ghi chú"}, content_type="application/json"),
        client.post(url + "/status", {"status": "resolved"}, content_type="application/json"),
        client.post(url + "/assign", {"assignee": user.pk}, content_type="application/json"),
        client.post(url + "/case", {}, content_type="application/json"),
    ]
    for response in responses:
        assert response.status_code == 403, (response.request["PATH_INFO"], response.content)
        _assert_nothing_citizen(response.content)

    assert _state(conversation.pk) == before
    assert not _reads(conversation.pk).exists()
    counts = client.get("/api/v1/inbox/counts")
    assert counts.status_code == 200
    _assert_nothing_citizen(counts.content)
    assert {"unit": THO_XUONG, "unread": 1, "conversations": 1}.items() <= counts.json()[0].items()


@pytest.mark.django_db
def test_duty_officer_reads_audited_and_clears_unread_a_supervisor_above_does_not(
    always_on, make_staff, api_client
):
    conversation, token = _citizen_chat()
    officer = make_staff(THO_XUONG, "duty_officer")
    desk = api_client(officer)
    url = f"/api/v1/inbox/conversations/{conversation.pk}"

    response = desk.get(url)
    assert response.status_code == 200
    detail = response.json()
    assert detail["citizen_name"] == NAME and detail["citizen_phone"] == PHONE
    assert [m["text"] for m in detail["messages"] if m["direction"] == "in"] == [TEXT]
    read = _reads(conversation.pk, officer).get()
    assert read.data == {"identity": True, "cleared_unread": True}
    assert _state(conversation.pk)[2] == 0

    # The citizen writes again; the officer takes the conversation.
    _chat("Con tôi 15 tuổi", token=token)
    assert _state(conversation.pk)[2] == 1
    taken = desk.post(url + "/assign", {"assignee": officer.pk}, content_type="application/json")
    assert taken.status_code == 200 and taken.json()["assignee"] == officer.pk

    # The city's supervisor reads it: audited, but the unread stays for the officer who answers.
    supervisor = make_staff(CITY, "supervisor")
    response = api_client(supervisor).get(url)
    assert response.status_code == 200 and response.json()["citizen_phone"] == PHONE
    assert _reads(conversation.pk, supervisor).get().data == {
        "identity": True,
        "cleared_unread": False,
    }
    assert _state(conversation.pk)[2] == 1


@pytest.mark.django_db
def test_another_communes_duty_officer_gets_not_found(always_on, make_staff, api_client):
    conversation, _ = _citizen_chat()
    before = _state(conversation.pk)
    other = api_client(make_staff(TRAN_NGUYEN_HAN, "duty_officer"))
    response = other.get(f"/api/v1/inbox/conversations/{conversation.pk}")
    assert response.status_code == 404
    _assert_nothing_citizen(response.content)
    assert _state(conversation.pk) == before and not _reads(conversation.pk).exists()


@pytest.mark.django_db
def test_investigator_reads_only_once_the_case_made_from_it_is_theirs(
    always_on, make_staff, api_client
):
    from langnghe.cases.models import Case
    from langnghe.cases.services import case_assign
    from langnghe.inbox import services

    conversation, _ = _citizen_chat()
    investigator = make_staff(THO_XUONG, "investigator")
    client = api_client(investigator)
    url = f"/api/v1/inbox/conversations/{conversation.pk}"
    refused = client.get(url)
    assert refused.status_code == 403
    _assert_nothing_citizen(refused.content)
    assert client.get("/api/v1/inbox/conversations").status_code == 403

    officer = make_staff(THO_XUONG, "duty_officer")
    case = services.conversation_to_case(conversation=conversation, by=officer)
    # Made, not yet theirs: still refused.
    assert client.get(url).status_code == 403
    case_assign(case=Case.objects.get(pk=case.pk), by=officer, assignee=investigator)

    before = _state(conversation.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["citizen_name"] == NAME
    assert [i["id"] for i in client.get("/api/v1/inbox/conversations").json()["items"]] == [
        conversation.pk
    ]
    # The investigator only reads: the unread count is left to the desk.
    assert _state(conversation.pk) == before
    assert _reads(conversation.pk, investigator).get().data["cleared_unread"] is False
    # ... and may not answer.
    answer = client.post(url + "/messages", {"text": "Chào"}, content_type="application/json")
    assert answer.status_code == 403


# --- 2. The console page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_console_shows_counts_to_a_viewer_and_the_list_to_the_desk(always_on, make_staff):
    conversation, _ = _citizen_chat()
    viewer = Client()
    viewer.force_login(make_staff(THO_XUONG, "viewer"))

    page = viewer.get("/staff/inbox/")
    assert page.status_code == 200
    assert "inbox/stats.html" in [t.name for t in page.templates]
    assert "inbox/console.html" not in [t.name for t in page.templates]
    _assert_nothing_citizen(page.content)

    before = _state(conversation.pk)
    opened = viewer.get(f"/staff/inbox/?c={conversation.pk}")
    assert opened.status_code == 200
    assert "inbox/stats.html" in [t.name for t in opened.templates]
    _assert_nothing_citizen(opened.content)
    assert _state(conversation.pk) == before and before[2] == 1
    assert not _reads(conversation.pk).exists()

    desk = Client()
    desk.force_login(make_staff(THO_XUONG, "duty_officer"))
    page = desk.get("/staff/inbox/")
    assert page.status_code == 200
    assert "inbox/console.html" in [t.name for t in page.templates]
    assert FIRST_WORDS in page.content.decode()
    assert PHONE not in page.content.decode()  # the list shows no phone
    assert _state(conversation.pk)[2] == 1  # a list is not a read


# --- 3. At rest ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_never_holds_the_phone_or_name_in_plain_text(
    always_on, make_staff, api_client
):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("reads every table's raw rows on SQLite")
    conversation, _ = _citizen_chat()
    # Reading it (audited) and turning it into a case must not write it out either.
    officer = make_staff(THO_XUONG, "duty_officer")
    assert api_client(officer).get(f"/api/v1/inbox/conversations/{conversation.pk}").json()[
        "citizen_phone"
    ] == (PHONE)

    def found(secret: str) -> list[str]:
        hits = []
        needle = secret.encode()
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — names from the schema
                for row in cursor.fetchall():
                    for value in row:
                        raw = value if isinstance(value, bytes) else str(value).encode()
                        if needle in raw:
                            hits.append(table)
        return hits

    assert found(PHONE) == []
    assert found(NAME) == []
    assert found(TEXT) != []  # the scan does see what is stored in plain text


# --- 4. The live socket over real HTTP ----------------------------------------------------------

LIVE = {"LANGNGHE_REQUIRE_2FA": True, "LANGNGHE_LIVE_RECHECK_SECONDS": 0.5}


def _ws_url(asgi_url: str) -> str:
    return asgi_url.replace("http://", "ws://") + "/ws/inbox/"


def _http_chat(asgi_url: str, text: str) -> None:
    import urllib.request

    req = urllib.request.Request(
        f"{asgi_url}/api/v1/inbox/webchat/{THO_XUONG}",
        data=json.dumps({"text": text, "name": NAME, "phone": PHONE}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=5).read()  # noqa: S310


def _signed_in(user, *, verified: bool = False) -> Client:
    client = Client()
    client.force_login(user)
    if verified:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _connect(asgi_url: str, client: Client):
    import websockets

    return websockets.connect(
        _ws_url(asgi_url),
        additional_headers={
            "Cookie": f"sessionid={client.cookies['sessionid'].value}",
            "Origin": asgi_url,
        },
        open_timeout=5,
    )


async def _closed_code(ws, within: float) -> int:
    """The close code the server sends within ``within`` seconds (no event before it)."""
    import websockets

    try:
        message = await asyncio.wait_for(ws.recv(), within)
    except websockets.exceptions.ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else -1
    raise AssertionError(f"an event reached a socket that should be closed: {message}")


async def _refusal_code(asgi_url: str, client: Client) -> int:
    """The socket's close code, whether refused at the handshake or closed just after."""
    import websockets

    try:
        async with _connect(asgi_url, client) as ws:
            return await _closed_code(ws, 5)
    except websockets.exceptions.InvalidStatus as exc:
        raise AssertionError(
            f"refused at the handshake with HTTP {exc.response.status_code}: "
            "the client never learns the close code"
        ) from exc


async def _next_message_event(ws, within: float = 5) -> dict:
    deadline = time.monotonic() + within
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if event["kind"] == "message":
            return event


@pytest.mark.django_db(transaction=True)
def test_socket_without_second_factor_is_closed_4428_and_gets_nothing(
    asgi_url, always_on, make_staff
):
    from langnghe.accounts.middleware import needs_second_factor

    officer = make_staff(THO_XUONG, "duty_officer")
    client = _signed_in(officer)  # password only
    with override_settings(**LIVE):
        assert needs_second_factor(officer)  # read at call time: the server thread sees it too

        async def run():
            import websockets

            try:
                async with _connect(asgi_url, client) as ws:
                    code = await _closed_code(ws, 5)
                    await asyncio.to_thread(_http_chat, asgi_url, TEXT)
                    with pytest.raises(websockets.exceptions.ConnectionClosed):
                        await asyncio.wait_for(ws.recv(), 1)
                    return code
            except websockets.exceptions.InvalidStatus as exc:
                raise AssertionError(
                    f"refused at the handshake with HTTP {exc.response.status_code}"
                ) from exc

        assert _run_in_own_loop(run()) == 4428
    assert Conversation.objects.filter(unit__code=THO_XUONG).exists()  # the citizen did write


@pytest.mark.django_db(transaction=True)
def test_socket_of_a_viewer_is_closed_4403(asgi_url, always_on, make_staff):
    # Verified: a viewer needs the second factor too (else 4428); the role is what refuses.
    client = _signed_in(make_staff(THO_XUONG, "viewer"), verified=True)
    with override_settings(**LIVE):
        assert _run_in_own_loop(_refusal_code(asgi_url, client)) == 4403


@pytest.mark.django_db(transaction=True)
def test_verified_officer_gets_events_until_logout(asgi_url, always_on, make_staff):
    officer = make_staff(THO_XUONG, "duty_officer")
    client = _signed_in(officer, verified=True)
    with override_settings(**LIVE):

        async def run():
            async with _connect(asgi_url, client) as ws:
                await asyncio.to_thread(_http_chat, asgi_url, TEXT)
                event = await _next_message_event(ws)
                assert event["message"]["text"] == TEXT and event["unit"] == THO_XUONG
                await asyncio.sleep(1.2)  # several rechecks pass: still open
                await asyncio.to_thread(client.logout)
                started = time.monotonic()
                code = await _closed_code(ws, 3)
                return code, time.monotonic() - started

        code, seconds = _run_in_own_loop(run())
    assert code == 4401 and seconds < 2.5


@pytest.mark.django_db(transaction=True)
def test_verified_officer_socket_closes_when_the_role_is_removed(asgi_url, always_on, make_staff):
    from langnghe.accounts.models import Membership

    officer = make_staff(THO_XUONG, "duty_officer")
    client = _signed_in(officer, verified=True)
    with override_settings(**LIVE):

        async def run():
            async with _connect(asgi_url, client) as ws:
                await asyncio.to_thread(_http_chat, asgi_url, TEXT)
                await _next_message_event(ws)

                def remove():
                    Membership.objects.filter(user=officer).delete()

                await asyncio.to_thread(remove)
                started = time.monotonic()
                code = await _closed_code(ws, 3)
                return code, time.monotonic() - started

        code, seconds = _run_in_own_loop(run())
    assert code == 4403 and seconds < 2.5


def _run_in_own_loop(coroutine):
    """Run the websocket client in a thread with its own event loop (as test_consumer.py does),
    returning its result."""
    import threading

    results: list = []
    errors: list[BaseException] = []

    def target():
        try:
            results.append(asyncio.run(coroutine))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert results, "the websocket client did not finish"
    return results[0]
