"""Query counts on the hot paths (issue 10): a survey response, a commune's public page, a Zalo
webhook delivery. A change that adds a query per request (an N+1, a forgotten select_related, a
lost cache) fails here before it shows in `make bench`."""

import json
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from langnghe.connectors import zalo
from langnghe.connectors.services import zalo_connect
from langnghe.surveys.models import QuestionType, SurveyResponse
from langnghe.surveys.selectors import template_effective

COMMUNE = "BG-X07201"


def _answers(unit):
    answers = {}
    for q in template_effective(unit).questions.all():
        if q.type in (QuestionType.SCALE, QuestionType.SINGLE):
            answers[q.key] = q.choice_values()[-1]
        elif q.required:
            answers[q.key] = "Tốt"
    return answers


def _post_response(client, answers, client_id=None):
    return client.post(
        "/api/v1/surveys/responses",
        data=json.dumps(
            {"unit": COMMUNE, "client_id": str(client_id or uuid.uuid4()), "answers": answers}
        ),
        content_type="application/json",
    )


def _count(fn):
    with CaptureQueriesContext(db_connection) as ctx:
        result = fn()
    return result, len(ctx.captured_queries), [q["sql"][:120] for q in ctx.captured_queries]


@pytest.fixture
def survey_memo(settings):
    """The survey form's per-process memo of unit and template, off in other tests."""
    from langnghe.surveys.selectors import form_config_forget

    settings.LANGNGHE_SURVEY_CONFIG_TTL = 10
    form_config_forget()
    yield
    form_config_forget()


@pytest.mark.django_db
def test_survey_response_post_queries(client, unit, survey_memo, django_assert_max_num_queries):
    from langnghe.surveys.models import DailyCount, PendingCount
    from langnghe.surveys.services import counters_fold

    answers = _answers(unit(COMMUNE))
    assert _post_response(client, answers).status_code == 201  # warm caches
    # PostgreSQL: one statement checks and stores the response and its pending row. SQLite:
    # the checks, the two inserts in one transaction (a savepoint pair inside the test's own
    # transaction). No counter is written by the request.
    pg = db_connection.vendor == "postgresql"
    with CaptureQueriesContext(db_connection) as queries:
        r = _post_response(client, answers)
    assert len(queries) == 1 if pg else len(queries) <= 5, [q["sql"] for q in queries]
    assert r.status_code == 201
    assert PendingCount.objects.count() == 2
    assert counters_fold() == 2 and not PendingCount.objects.exists()
    counted = DailyCount.objects.filter(unit__code=COMMUNE, metric="responses", flagged=False)
    assert sum(counted.values_list("count", flat=True)) == 2
    # A retry with the same client_id: the same statement finds it (stores nothing), then the
    # stored response is read.
    client_id = r.json()["client_id"]
    with django_assert_max_num_queries(2):
        again = _post_response(client, answers, client_id)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert SurveyResponse.objects.filter(client_id=client_id).count() == 1


@pytest.fixture
def page_cache(settings):
    from langnghe.units.pagecache import memo_clear

    settings.LANGNGHE_UNIT_PAGE_CACHE = True
    cache.clear()
    memo_clear()
    yield
    cache.clear()
    memo_clear()


@pytest.mark.django_db
def test_commune_page_queries(client, unit, page_cache, django_assert_max_num_queries):
    commune = unit(COMMUNE)
    with CaptureQueriesContext(db_connection) as cold:
        assert client.get(commune.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(UNIT_PAGE_MAX):
        r = client.get(commune.get_absolute_url())
    assert r.status_code == 200
    assert len(cold.captured_queries) > UNIT_PAGE_MAX  # the cache is what makes it cheap
    assert commune.name in r.content.decode()


@pytest.mark.django_db
def test_commune_page_cache_follows_publishing_and_unit_edits(
    client, unit, make_staff, page_cache, django_capture_on_commit_callbacks
):
    from langnghe.content.services import post_create, post_publish, post_update
    from langnghe.units.services import unit_update

    commune, province = unit(COMMUNE), unit("BG")
    url = commune.get_absolute_url()
    assert "Cảnh báo lừa đảo mới" not in client.get(url).content.decode()
    editor = make_staff("BG", "editor")
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(
            by=editor, unit=province, title="Cảnh báo lừa đảo mới", body="<p>x</p>",
            cross_post="descendants",
        )  # fmt: skip
    assert "Cảnh báo lừa đảo mới" not in client.get(url).content.decode()  # a draft
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=post, by=editor)
    assert "Cảnh báo lừa đảo mới" in client.get(url).content.decode()  # province → commune
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, by=editor, title="Cảnh báo đã sửa")
    html = client.get(url).content.decode()
    assert "Cảnh báo đã sửa" in html and "Cảnh báo lừa đảo mới" not in html
    with django_capture_on_commit_callbacks(execute=True):
        unit_update(unit=commune, hotline="0204 3999 111")
    assert "0204 3999 111" in client.get(url).content.decode()
    # The parent's list of units below shows the new short name at once.
    parent = commune.parent
    with django_capture_on_commit_callbacks(execute=True):
        unit_update(unit=commune, name="Công an phường Thọ Xương (mới)")
    assert (
        "Công an phường Thọ Xương (mới)" in client.get(parent.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
def test_cached_page_carries_this_visitors_csrf_token(unit, page_cache):
    from django.test import Client

    commune = unit(COMMUNE)
    url = commune.get_absolute_url()
    first = Client()
    first.get(url)
    for visitor in (Client(enforce_csrf_checks=True), first):  # a new visitor, a returning one
        r = visitor.get(url)
        html = r.content.decode()
        assert "\x00" not in html and 'name="csrfmiddlewaretoken"' in html  # the chat form
        value = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        assert value == visitor.cookies["csrftoken"].value
    # The token in the cached copy is accepted by Django's CSRF check (a forged one is not).
    fresh = Client(enforce_csrf_checks=True)
    html = fresh.get(url).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    chat = f"/tro-chuyen/{commune.code}/"
    forged = fresh.post(chat, {"csrfmiddlewaretoken": "x" * 32, "name": "An", "text": "Xin chào"})
    assert forged.status_code == 403
    sent = fresh.post(chat, {"csrfmiddlewaretoken": token, "name": "An", "text": "Xin chào"})
    assert sent.status_code != 403


@pytest.mark.django_db
def test_webhook_intake_queries(client, unit, django_assert_max_num_queries):
    desk = unit(COMMUNE)
    app_id, secret = "hot-path-app", "hot-path-secret"
    zalo_connect(
        unit=desk,
        app_id=app_id,
        oa_id="hot-path-oa",
        secret_key=secret,
        access_token="t",
        refresh_token="r",
        api_base="http://127.0.0.1:9",
    )

    def deliver(i):
        now_ms = str(int(time.time() * 1000))
        body = json.dumps(
            {
                "app_id": app_id,
                "event_name": "user_send_text",
                "timestamp": now_ms,
                "sender": {"id": "u1"},
                "recipient": {"id": "hot-path-oa"},
                "message": {"msg_id": f"m{i}", "text": "Cho hỏi thủ tục"},
            }
        ).encode()
        return client.post(
            f"/webhooks/zalo/{COMMUNE}/",
            data=body,
            content_type="application/json",
            HTTP_X_ZEVENT_SIGNATURE="mac=" + zalo.mac(app_id, body, now_ms, secret),
        )

    assert deliver(0).status_code == 200
    with django_assert_max_num_queries(WEBHOOK_MAX):
        assert deliver(1).status_code == 200
    # What the process memo buys (core/memo.py): without its copy of the connection, each
    # event reads the connection again.
    from langnghe.connectors import services as connector_services

    connector_services._webhook_connections.clear()
    with CaptureQueriesContext(db_connection) as without_memo:
        assert deliver(2).status_code == 200
    assert len(without_memo.captured_queries) > WEBHOOK_MAX


UNIT_PAGE_MAX = 0
WEBHOOK_MAX = 1  # the insert (the connection is kept per process; the wake-up is on commit)


@pytest.mark.django_db
def test_post_page_cached_counts_views_and_follows_edits(
    client, unit, make_staff, page_cache, django_capture_on_commit_callbacks
):
    from langnghe.content.models import Post
    from langnghe.content.services import post_archive, post_create, post_publish, post_update

    editor = make_staff(COMMUNE, "editor")
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(by=editor, unit=unit(COMMUNE), title="Lịch tiếp dân", body="<p>x</p>")
        post_publish(post=post, by=editor)
    url = Post.objects.get(pk=post.pk).get_absolute_url()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(db_connection) as hit:
        r = client.get(url, HTTP_USER_AGENT="another phone")
    assert r.status_code == 200 and "Lịch tiếp dân" in r.content.decode()
    assert not any("content_post" in q["sql"] and "SELECT" in q["sql"] for q in hit)
    assert any("content_postview" in q["sql"] for q in hit)  # the view is still counted
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, by=editor, title="Lịch tiếp dân (sửa)")
    assert "Lịch tiếp dân (sửa)" in client.get(url, follow=True).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post_archive(post=post, by=editor)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_cached_post_page_shows_when_its_view_cannot_be_counted(
    client, unit, make_staff, page_cache, django_capture_on_commit_callbacks
):
    from unittest import mock

    from django.db import OperationalError

    from langnghe.content import services as content_services
    from langnghe.content.models import Post
    from langnghe.content.services import post_create, post_publish

    editor = make_staff(COMMUNE, "editor")
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(by=editor, unit=unit(COMMUNE), title="Lịch trực", body="<p>x</p>")
        post_publish(post=post, by=editor)
    url = Post.objects.get(pk=post.pk).get_absolute_url()
    assert client.get(url).status_code == 200  # stored
    down = mock.patch.object(content_services, "post_view_record", side_effect=OperationalError)
    with down as record:
        r = client.get(url, HTTP_USER_AGENT="another phone")
    assert record.called  # the hit did try to count the view
    assert r.status_code == 200 and "Lịch trực" in r.content.decode()
