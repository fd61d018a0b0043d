"""Posts through the API, the pages and the services: cross-posting down the tree, scope,
sanitising, covers, scheduling, counting and Zalo broadcast limits."""

import io
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from langnghe.audit.models import AuditEntry
from langnghe.content import services
from langnghe.content.models import BroadcastRequest, Post, PostCounterDelta

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG, TRAN_NGUYEN_HAN, YEN_THE = (
    "BG", "BG-H213", "BG-X07201", "BG-X07204", "BG-H215",
)  # fmt: skip
ATOM = "{http://www.w3.org/2005/Atom}"


def _png(size=(800, 500), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def province_editor(make_staff):
    return make_staff(PROVINCE, "editor")


def _create(client, **payload):
    body = {"unit": PROVINCE, "kind": "notice", "title": "Cảnh báo", "body": "<p>x</p>"}
    body.update(payload)
    return client.post("/api/v1/posts", body, content_type="application/json")


def test_province_notice_cross_posted_shows_on_commune_page_and_feed(
    client, api_client, province_editor, unit
):
    api = api_client(province_editor)
    response = _create(
        api,
        title="Cảnh giác thủ đoạn giả danh công an gọi điện",
        body="<p>Công an không làm việc qua điện thoại.</p>",
        publish=True,
        cross_post="descendants",
        pinned=True,
    )
    assert response.status_code == 201, response.content
    post = response.json()
    assert post["state"] == "published" and post["audience"] == "descendants"
    assert Post.objects.count() == 1  # one row for 223 units below, no copies

    commune = unit(THO_XUONG)
    page = client.get(commune.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cảnh giác thủ đoạn giả danh công an gọi điện" in html
    assert 'id="pinned-notices"' in html

    feed = client.get(commune.get_absolute_url() + "feed.atom")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.content)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Cảnh giác thủ đoạn giả danh công an gọi điện"]

    listed = client.get("/api/v1/posts", {"unit": THO_XUONG}).json()
    assert [p["id"] for p in listed["items"]] == [post["id"]]


def test_cross_post_to_a_list_reaches_only_those_subtrees(api_client, province_editor, client):
    api = api_client(province_editor)
    pid = _create(api, publish=True, cross_post=[CITY]).json()["id"]
    own = _create(api, title="Chỉ tỉnh", publish=True).json()["id"]

    def ids(code):
        return [p["id"] for p in client.get("/api/v1/posts", {"unit": code}).json()["items"]]

    assert ids(THO_XUONG) == [pid]  # a commune under the listed city
    assert ids(CITY) == [pid]
    assert ids(YEN_THE) == []  # another district: not listed
    assert set(ids(PROVINCE)) == {pid, own}


def test_cross_post_outside_subtree_refused(api_client, make_staff):
    editor = make_staff(CITY, "editor")
    response = _create(api_client(editor), unit=CITY, cross_post=[YEN_THE], publish=True)
    assert response.status_code == 400
    assert response.json()["code"] == "cross_post_outside_subtree"
    assert not Post.objects.exists()


@pytest.mark.parametrize("role", ["editor", "supervisor", "viewer", "duty_officer"])
def test_commune_staff_cannot_publish_for_the_province(api_client, make_staff, role):
    client = api_client(make_staff(THO_XUONG, role))
    audits = AuditEntry.objects.count()
    response = _create(client, publish=True, cross_post="descendants")
    assert response.status_code == 403
    assert response.json()["code"] == "not_publisher"
    assert not Post.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_viewer_cannot_publish_for_own_unit_but_editor_above_can(api_client, make_staff):
    viewer = make_staff(THO_XUONG, "viewer")
    assert _create(api_client(viewer), unit=THO_XUONG).status_code == 403
    city_editor = make_staff(CITY, "editor")
    assert _create(api_client(city_editor), unit=THO_XUONG, publish=True).status_code == 201


def test_script_and_event_handlers_removed(api_client, province_editor, client):
    body = (
        '<p onclick="alert(1)">Xin chào<script>alert("x")</script></p>'
        '<img src="x.png" onerror="steal()"><a href="javascript:alert(1)">bấm</a>'
        '<a href="https://dichvucong.gov.vn">Cổng DVC</a>'
    )
    post = _create(api_client(province_editor), body=body, publish=True).json()
    stored = Post.objects.get(pk=post["id"]).body
    for bad in ("script", "onclick", "onerror", "javascript:", "alert"):
        assert bad not in stored
    assert "Xin chào" in stored and 'href="https://dichvucong.gov.vn"' in stored
    html = client.get(post["url"].replace("http://testserver", "")).content.decode()
    assert "<script>alert" not in html and "onerror" not in html


def test_schedule_in_the_past_refused_and_nothing_stored(api_client, province_editor):
    past = (timezone.now() - timedelta(minutes=5)).isoformat()
    response = _create(api_client(province_editor), publish_at=past)
    assert response.status_code == 400
    assert response.json()["code"] == "publish_at_in_past"
    assert not Post.objects.exists()


def test_scheduled_post_published_by_publish_due(api_client, province_editor, client):
    when = timezone.now() + timedelta(hours=1)
    post = _create(api_client(province_editor), publish_at=when.isoformat()).json()
    assert post["state"] == "scheduled"
    assert client.get(f"/api/v1/posts/{post['id']}").status_code == 404
    assert services.posts_publish_due(now=when - timedelta(seconds=1)) == 0
    assert services.posts_publish_due(now=when + timedelta(seconds=1)) == 1
    assert Post.objects.get(pk=post["id"]).state == "published"
    assert services.posts_publish_due(now=when + timedelta(seconds=2)) == 0  # idempotent
    call_command("publish_due", stdout=io.StringIO())


def test_views_once_per_visitor_per_day_written_in_batches(
    client, api_client, province_editor, django_assert_max_num_queries
):
    post = _create(api_client(province_editor), publish=True).json()
    path = post["url"].replace("http://testserver", "")
    services.counters_flush()
    visits = [("10.0.0.1", "Zalo/1"), ("10.0.0.1", "Zalo/1"), ("10.0.0.2", "Chrome")]
    for ip, agent in visits:
        assert client.get(path, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent).status_code == 200
    # Nothing written on the post row yet: the visits are pending deltas.
    assert Post.objects.get(pk=post["id"]).views_count == 0
    assert PostCounterDelta.objects.filter(post_id=post["id"]).count() == 2
    with django_assert_max_num_queries(8):  # one UPDATE per post, whatever the number of views
        assert services.counters_flush() == 2
    detail = client.get(f"/api/v1/posts/{post['id']}").json()
    assert detail["views"] == 2
    # No IP anywhere in the database.
    from langnghe.content.models import PostView

    assert not PostView.objects.filter(visitor_hash__contains="10.0.0").exists()


def test_next_day_counts_again_and_old_salt_is_deleted(api_client, province_editor):
    from langnghe.content.models import DailySalt

    post = Post.objects.get(pk=_create(api_client(province_editor), publish=True).json()["id"])
    day1 = timezone.now() - timedelta(days=1)
    assert services.post_view_record(post=post, ip="1.2.3.4", user_agent="a", now=day1)
    assert services.post_view_record(post=post, ip="1.2.3.4", user_agent="a")
    assert not services.post_view_record(post=post, ip="1.2.3.4", user_agent="a")
    services.counters_flush()
    post.refresh_from_db()
    assert post.views_count == 2
    assert not DailySalt.objects.filter(day__lt=timezone.localdate()).exists()


def test_share_link_counted_and_redirects(client, api_client, province_editor):
    post = _create(api_client(province_editor), publish=True).json()
    response = client.get(f"/chia-se/{post['id']}/", {"to": "zalo"})
    assert response.status_code == 302 and "zalo.me" in response["Location"]
    response = client.get(f"/chia-se/{post['id']}/", {"to": "facebook"})
    assert response["Location"].startswith("https://www.facebook.com/sharer/")
    assert client.get(f"/chia-se/{post['id']}/", {"to": "evil"}).status_code == 400
    services.counters_flush()
    detail = client.get(f"/api/v1/posts/{post['id']}").json()
    assert detail["shares"] == 2 and detail["shares_zalo"] == 1


def test_post_page_has_open_graph_tags(client, api_client, province_editor):
    api = api_client(province_editor)
    post = _create(api, title="Hướng dẫn kích hoạt VNeID mức 2", summary="Ba bước").json()
    upload = SimpleUploadedFile("anh.png", _png(), content_type="image/png")
    assert api.post(f"/api/v1/posts/{post['id']}/cover", {"cover": upload}).status_code == 200
    api.post(f"/api/v1/posts/{post['id']}/publish", {}, content_type="application/json")
    stored = Post.objects.get(pk=post["id"])
    html = client.get(stored.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Hướng dẫn kích hoạt VNeID mức 2">' in html
    assert '<meta property="og:description" content="Ba bước">' in html
    assert 'property="og:image" content="http://testserver/media/content/covers/' in html
    assert sorted(stored.cover_variants, key=int) == ["320", "640", "1200"]
    # A wrong slug redirects to the canonical address.
    wrong = client.get(f"/bai-viet/{post['id']}-sai/")
    assert wrong.status_code == 301 and wrong["Location"] == stored.get_absolute_url()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("anh.jpg", b"<?php echo 1; ?>" * 10, "cover_not_image"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "cover_not_image"),
        ("big.png", b"0" * (5 * 1024 * 1024 + 1), "cover_too_large"),
    ],
)
def test_bad_covers_refused(api_client, province_editor, name, data, code):
    api = api_client(province_editor)
    post = _create(api).json()
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    response = api.post(f"/api/v1/posts/{post['id']}/cover", {"cover": upload})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Post.objects.get(pk=post["id"]).cover_variants == {}


def test_edit_and_archive(api_client, province_editor, client, make_staff):
    api = api_client(province_editor)
    post = _create(api, publish=True).json()
    edited = api.patch(
        f"/api/v1/posts/{post['id']}", {"title": "Tiêu đề mới"}, content_type="application/json"
    )
    assert edited.status_code == 200 and edited.json()["title"] == "Tiêu đề mới"
    # A commune editor does not even see the province's post.
    other = api_client(make_staff(THO_XUONG, "editor"))
    assert other.post(f"/api/v1/posts/{post['id']}/archive").status_code == 404
    assert api.post(f"/api/v1/posts/{post['id']}/archive").status_code == 200
    assert client.get(f"/api/v1/posts/{post['id']}").status_code == 404
    assert client.get("/api/v1/posts", {"unit": THO_XUONG}).json()["count"] == 0


@pytest.fixture
def zalo_sim(unit):
    """The connector's Zalo simulator over real HTTP, connected to the province's OA."""
    from langnghe.connectors.services import zalo_connect
    from langnghe.connectors.simulator import ZaloSimulator

    sim = ZaloSimulator(app_id="42", secret_key="s", access_token="at", refresh_token="rt").start()
    zalo_connect(unit=unit(PROVINCE), app_id="42", oa_id="oa-bg", secret_key="s",
                 access_token="at", refresh_token="rt", api_base=sim.url)  # fmt: skip
    yield sim
    sim.stop()


def _draft_with_cover(api, title: str) -> int:
    post_id = _create(api, title=title).json()["id"]
    upload = SimpleUploadedFile("bia.jpg", _png(fmt="JPEG"), content_type="image/jpeg")
    assert api.post(f"/api/v1/posts/{post_id}/cover", {"cover": upload}).status_code == 200
    return post_id


def test_zalo_broadcast_over_daily_limit_refused_before_sending(
    api_client, province_editor, zalo_sim, django_capture_on_commit_callbacks
):
    api = api_client(province_editor)
    first, second = _draft_with_cover(api, "Một"), _draft_with_cover(api, "Hai")

    def publish(post_id):
        return api.post(f"/api/v1/posts/{post_id}/publish", {"zalo_broadcast": True},
                        content_type="application/json")  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        assert publish(first).status_code == 200
    assert len(zalo_sim.broadcasts) == 1  # created, verified and broadcast on the simulator
    article = zalo_sim.articles[zalo_sim.broadcasts[0]["article"]]
    assert article["title"] == "Một" and article["cover"]["photo_url"].startswith("http")
    sent = BroadcastRequest.objects.get()
    assert sent.status == "sent" and sent.article_id == zalo_sim.broadcasts[0]["article"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = publish(second)
    assert response.status_code == 429
    assert response.json()["code"] == "zalo_daily_limit"
    assert "1 tin/ngày" in response.json()["detail"]
    assert callbacks == [] and len(zalo_sim.broadcasts) == 1  # nothing sent
    assert Post.objects.get(pk=second).state == "draft"  # nothing half-published
    assert BroadcastRequest.objects.count() == 1


def test_zalo_monthly_limit(province_editor, unit, zalo_sim):
    province = unit(PROVINCE)
    now = timezone.localtime().replace(day=28, hour=12)
    for i in range(4):
        post = services.post_create(by=province_editor, unit=province, title=f"Tin {i}")
        Post.objects.filter(pk=post.pk).update(cover_variants={"320": "content/covers/x.jpg"})
        services.post_publish(post=post, by=province_editor, zalo_broadcast=True,
                              now=now - timedelta(days=i + 1))  # fmt: skip
    post = services.post_create(by=province_editor, unit=province, title="Tin 5")
    Post.objects.filter(pk=post.pk).update(cover_variants={"320": "content/covers/x.jpg"})
    with pytest.raises(services.ApplicationError) as exc:
        services.post_publish(post=post, by=province_editor, zalo_broadcast=True, now=now)
    assert exc.value.code == "zalo_monthly_limit"
    post.refresh_from_db()
    assert post.state == "draft"
    assert zalo_sim.broadcasts == []  # after-commit sends never ran in this test


def test_broadcast_without_zalo_connection_or_cover_refused(
    api_client, province_editor, zalo_sim, make_staff
):
    city = api_client(make_staff(CITY, "editor"))
    response = _create(city, unit=CITY, publish=True, zalo_broadcast=True)
    assert response.status_code == 400 and response.json()["code"] == "zalo_not_connected"
    response = _create(api_client(province_editor), publish=True, zalo_broadcast=True)
    assert response.status_code == 400 and response.json()["code"] == "zalo_cover_required"
    assert not Post.objects.exists()


def test_console_pages(client, province_editor):
    client.force_login(province_editor)
    assert client.get("/staff/content/").status_code == 200
    response = client.post(
        "/staff/content/new/",
        {"kind": "notice", "title": "Thông báo lịch tiếp dân", "body": "<p>Thứ Năm</p>",
         "audience": "descendants", "action": "publish"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.state == "published" and post.audience == "descendants"
    assert client.get(f"/staff/content/{post.pk}/").status_code == 200
    client.post(f"/staff/content/{post.pk}/action/", {"action": "pin"})
    post.refresh_from_db()
    assert post.is_pinned
    # A past schedule time is refused next to the field, nothing saved.
    response = client.post(
        "/staff/content/new/",
        {"kind": "article", "title": "Hẹn giờ", "audience": "none", "action": "schedule",
         "publish_at": "2020-01-01T08:00"},
    )  # fmt: skip
    assert response.status_code == 200 and "đã qua" in response.content.decode()
    assert not Post.objects.filter(title="Hẹn giờ").exists()


def test_channel_listing_is_one_query_and_feed_url_from_units_api(
    client, api_client, province_editor, unit, django_assert_num_queries
):
    api = api_client(province_editor)
    for i in range(3):
        _create(api, title=f"Tin {i}", publish=True, cross_post="descendants")
    _create(api, title="Chỉ thành phố", publish=True, cross_post=[CITY])
    commune = unit(THO_XUONG)
    from langnghe.content.selectors import posts_for_unit

    with django_assert_num_queries(1):
        posts = list(posts_for_unit(commune))
    assert len(posts) == 4 and {p.unit.code for p in posts} == {PROVINCE}
    feed_url = client.get(f"/api/v1/units/{THO_XUONG}").json()["feed_url"]
    feed = client.get(feed_url.replace("http://testserver", ""))
    assert feed.status_code == 200 and feed.content.count(b"<entry>") == 4


@pytest.mark.parametrize(
    "query", [{"offset": 10**22}, {"limit": 10**22}, {"limit": 0}, {"kind": "x"}, {"unit": "\x00"}]
)
def test_list_bad_query_is_4xx(client, query):
    assert 400 <= client.get("/api/v1/posts", query).status_code < 500
