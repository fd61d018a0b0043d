"""Bad input, scope, abuse control, templates, posters and exports."""

import io
import re
import uuid
from datetime import timedelta

import pytest
from django.core import signing
from django.test import override_settings
from pypdf import PdfReader

from langnghe.surveys import services
from langnghe.surveys.models import DailyCount, MonthlyCount, PendingCount, SurveyResponse
from langnghe.surveys.security import SALT, form_key
from langnghe.surveys.services import counters_fold, counters_settle

pytestmark = pytest.mark.django_db

THO_XUONG, CITY, PROVINCE = "BG-X07201", "BG-H213", "BG"


def post(client, payload, **extra):
    body = {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": "5"}}
    body.update(payload)
    return client.post("/api/v1/surveys/responses", body, content_type="application/json", **extra)


def snapshot():
    counters_settle()
    return SurveyResponse.objects.count(), sum(c.count for c in DailyCount.objects.all())


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"unit": "BG-KHONG-CO"}, 404, "unit_not_found"),
        ({"key": "1abc:forged-signature"}, 403, "qr_invalid"),
        ({"key": form_key("BG-X07204")}, 403, "qr_invalid"),  # another unit's signature
        ({"answers": {}}, 400, "invalid_answers"),  # overall is required
        ({"answers": {"overall": "7"}}, 400, "invalid_answers"),
        ({"answers": {"overall": "5", "bogus": "1"}}, 400, "invalid_answers"),
        ({"comment": "x" * 2001}, 400, "invalid_answers"),
        ({"dossier_code": "<script>"}, 400, "invalid_answers"),
        ({"client_id": "not-a-uuid"}, 400, "invalid_client_id"),
    ],
)
def test_bad_input_is_4xx_in_vietnamese_and_stores_nothing(client, payload, status, code):
    before = snapshot()
    response = post(client, payload)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert snapshot() == before


def test_expired_signature_is_refused(client):
    old = signing.TimestampSigner(salt=SALT)
    with override_settings(LANGNGHE_SURVEY_QR_MAX_AGE_DAYS=0):
        key = old.sign(THO_XUONG).split(":", 1)[1]
        import time

        time.sleep(1.1)
        response = post(client, {"key": key})
        page = client.get(f"/khao-sat/{THO_XUONG}/", {"k": key})
    assert response.status_code == 403 and response.json()["code"] == "qr_expired"
    assert page.status_code == 403 and "hết hạn" in page.content.decode()


def test_a_resend_is_answered_as_stored_even_once_its_key_has_expired(client):
    """The checks run before the store, yet a resend of a stored response is still the stored
    response (200, nothing changed), not a refusal of the key it was first sent with."""
    old = signing.TimestampSigner(salt=SALT)
    client_id = str(uuid.uuid4())
    key = old.sign(THO_XUONG).split(":", 1)[1]
    first = post(client, {"key": key, "client_id": client_id})
    assert first.status_code == 201
    before = snapshot()
    with override_settings(LANGNGHE_SURVEY_QR_MAX_AGE_DAYS=0):
        import time

        time.sleep(1.1)
        again = post(client, {"key": key, "client_id": client_id, "answers": {"overall": "1"}})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert snapshot() == before


@pytest.mark.parametrize("ip_limit", [services.IP_LIMIT, 5, 0])
def test_the_one_statement_store_and_the_verdict_agree(settings, ip_limit):
    """The store writes a response in its one statement exactly when the abuse verdict would
    have nothing to say (``_quiet_below``); otherwise it writes nothing and the verdict decides
    (refuse, or store flagged)."""
    settings.LANGNGHE_SURVEY_IP_LIMIT = ip_limit
    below = services._quiet_below()
    edges = {0, services.DEVICE_BURST - 1, services.DEVICE_BURST, services.DEVICE_LIMIT}
    ip_edges = {0, 4, 5, services.IP_BURST - 1, services.IP_BURST, services.IP_LIMIT}
    unit_edges = {0, services.UNIT_BURST - 1, services.UNIT_BURST}
    for device in edges:
        for ip in ip_edges:
            for at_unit in unit_edges:
                counts = (device, ip if ip_limit else 0, at_unit)
                quiet = all(n < b for n, b in zip(counts, below, strict=True))
                try:
                    verdict = services._abuse_verdict(
                        device_count=counts[0], ip_count=counts[1], unit_count=counts[2]
                    )
                except services.ApplicationError:
                    verdict = "refused"
                assert (verdict == "") == quiet, (counts, verdict, below)


def test_form_page_errors_are_shown_next_to_fields(client):
    before = snapshot()
    page = client.get(f"/khao-sat/{THO_XUONG}/", {"k": "forged"})
    assert page.status_code == 403 and "không hợp lệ" in page.content.decode()
    assert client.get("/khao-sat/BG-NOPE/", {"k": "x"}).status_code == 404
    response = client.post(
        f"/khao-sat/{THO_XUONG}/",
        {
            "k": form_key(THO_XUONG),
            "client_id": str(uuid.uuid4()),
            "q_staff": "9",
            "comment": "y" * 2001,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200  # the form shown again with its errors (issue #27)
    assert "Vui lòng trả lời câu hỏi này." in html  # overall missing
    assert "không nằm trong các lựa chọn" in html
    assert "dài quá 2000 ký tự" in html
    assert snapshot() == before


def test_page_weight_under_30_kb(client):
    from django.contrib.staticfiles import finders

    html = client.get(f"/khao-sat/{THO_XUONG}/", {"k": form_key(THO_XUONG)}).content
    css = open(finders.find("langnghe/site.css"), "rb").read()
    script = open(finders.find("surveys/form.js"), "rb").read()
    assert b"surveys/form.js" in html and b"localStorage" in script
    assert len(html) + len(css) + len(script) < 30 * 1024, (len(html), len(css), len(script))


def test_results_are_staff_only_and_scoped(client, make_staff, api_client):
    assert client.get("/api/v1/surveys/results", {"unit": PROVINCE}).status_code == 401
    commune_viewer = api_client(make_staff(THO_XUONG, "viewer"))
    assert commune_viewer.get("/api/v1/surveys/results", {"unit": THO_XUONG}).status_code == 200
    for code in (CITY, PROVINCE, "BG-X07204"):
        outside = commune_viewer.get("/api/v1/surveys/results", {"unit": code})
        assert outside.status_code == 404, code
    assert commune_viewer.get("/api/v1/surveys/comments", {"unit": CITY}).status_code == 404
    assert commune_viewer.get(f"/api/v1/surveys/poster/{CITY}.pdf").status_code == 404
    # Flagged responses are for managers only.
    flagged = commune_viewer.get(
        "/api/v1/surveys/results", {"unit": THO_XUONG, "include_flagged": "true"}
    )
    assert flagged.status_code == 403


def test_bad_date_range_is_4xx(make_staff, api_client):
    api = api_client(make_staff(PROVINCE, "viewer"))
    reversed_range = api.get(
        "/api/v1/surveys/results", {"unit": PROVINCE, "from": "2025-05-01", "to": "2025-01-01"}
    )
    assert reversed_range.status_code == 400 and reversed_range.json()["code"] == "invalid_range"
    assert (
        api.get("/api/v1/surveys/results", {"unit": PROVINCE, "from": "hôm qua"}).status_code == 422
    )


def test_bursts_are_flagged_kept_out_of_index_and_limits_refuse(client, make_staff, api_client):
    admin = api_client(make_staff(PROVINCE, "admin"))
    device = {"HTTP_X_DEVICE_TOKEN": "device-abc", "REMOTE_ADDR": "10.9.9.9"}
    statuses = [
        post(client, {"answers": {"overall": "1"}}, **device).status_code
        for _ in range(services.DEVICE_LIMIT + 1)
    ]
    assert statuses[: services.DEVICE_LIMIT] == [201] * services.DEVICE_LIMIT
    limited = post(client, {}, **device)
    assert limited.status_code == 429 and "quá nhiều" in limited.json()["detail"]
    stored = SurveyResponse.objects.filter(unit__code=THO_XUONG).order_by("submitted_at")
    assert stored.count() == services.DEVICE_LIMIT
    assert [r.is_flagged for r in stored] == [False] * services.DEVICE_BURST + [True] * (
        services.DEVICE_LIMIT - services.DEVICE_BURST
    )
    assert all(r.ip_hash and "10.9.9.9" not in r.ip_hash for r in stored)
    body = admin.get("/api/v1/surveys/results", {"unit": THO_XUONG}).json()
    assert body["responses"] == services.DEVICE_BURST
    assert body["flagged"] == services.DEVICE_LIMIT - services.DEVICE_BURST
    with_flagged = admin.get(
        "/api/v1/surveys/results", {"unit": THO_XUONG, "include_flagged": "true"}
    ).json()
    assert with_flagged["responses"] == services.DEVICE_LIMIT
    # An admin sees the flagged ones and can let one count.
    listed = admin.get("/api/v1/surveys/flagged", {"unit": PROVINCE}).json()
    assert listed["count"] == services.DEVICE_LIMIT - services.DEVICE_BURST
    unflag = admin.post(
        f"/api/v1/surveys/responses/{listed['items'][0]['id']}/flag",
        {"flagged": False},
        content_type="application/json",
    )
    assert unflag.status_code == 200 and unflag.json()["is_flagged"] is False
    body = admin.get("/api/v1/surveys/results", {"unit": CITY}).json()
    assert body["responses"] == services.DEVICE_BURST + 1
    # Viewers may not unflag.
    viewer = api_client(make_staff(PROVINCE, "viewer"))
    denied = viewer.post(
        f"/api/v1/surveys/responses/{listed['items'][1]['id']}/flag",
        {"flagged": False},
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_unit_uses_own_template_or_inherits(client, make_staff, api_client):
    admin = api_client(make_staff(CITY, "admin"))
    assert client.get(f"/api/v1/surveys/form/{THO_XUONG}").json()["template"]["code"] == "sipas"
    assigned = admin.put(
        f"/api/v1/surveys/assignments/{CITY}",
        {"template": "mot-cua"},
        content_type="application/json",
    )
    assert assigned.status_code == 200
    form = client.get(f"/api/v1/surveys/form/{THO_XUONG}").json()  # inherited from the city
    assert form["template"]["code"] == "mot-cua"
    assert [c["label"] for c in form["questions"][0]["choices"]] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]
    created = admin.post(
        "/api/v1/surveys/templates",
        {
            "unit": THO_XUONG,
            "name": "Phiếu riêng phường Thọ Xương",
            "questions": [
                {
                    "text": "Ông/bà đến làm thủ tục gì?",
                    "type": "single",
                    "required": True,
                    "choices": ["Căn cước", "Cư trú", "Khác"],
                },
                {"text": "Thái độ cán bộ", "type": "scale", "element": "staff"},
                {
                    "text": "Những gì cần cải thiện",
                    "type": "multiple",
                    "choices": ["Chỗ ngồi", "Thời gian chờ"],
                },
                {"text": "Ý kiến khác", "type": "text"},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    admin.put(
        f"/api/v1/surveys/assignments/{THO_XUONG}",
        {"template": code},
        content_type="application/json",
    )
    form = client.get(f"/api/v1/surveys/form/{THO_XUONG}").json()
    assert form["template"]["code"] == code
    assert [q["type"] for q in form["questions"]] == ["single", "scale", "multiple", "text"]
    assert client.get("/api/v1/surveys/form/BG-X07204").json()["template"]["code"] == "mot-cua"
    missing = post(client, {"answers": {"q2": "5"}})
    assert missing.status_code == 400 and missing.json()["field"] == "answers.q1"
    ok = post(client, {"answers": {"q1": "c2", "q2": "4", "q3": ["c1", "c2"], "q4": "Tốt"}})
    assert ok.status_code == 201, ok.content
    results = admin.get("/api/v1/surveys/results", {"unit": THO_XUONG}).json()
    assert results["elements"]["staff"]["distribution"]["4"] == 1
    assert results["questions"][f"{code}.q3"] == {"c1": 1, "c2": 1}
    bad = admin.post(
        "/api/v1/surveys/templates",
        {
            "unit": THO_XUONG,
            "name": "x",
            "questions": [{"text": "?", "type": "single", "choices": ["một"]}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "lựa chọn" in bad.json()["detail"]
    # Another commune's admin cannot use Thọ Xương's template.
    other = api_client(make_staff("BG-X07204", "admin"))
    refused = other.put(
        "/api/v1/surveys/assignments/BG-X07204", {"template": code}, content_type="application/json"
    )
    assert refused.status_code == 400


def test_poster_pdfs_open_with_vietnamese_text(make_staff, api_client):
    api = api_client(make_staff(CITY, "viewer"))
    one = api.get(f"/api/v1/surveys/poster/{THO_XUONG}.pdf")
    assert one.status_code == 200 and one.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(one.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "ĐÁNH GIÁ SỰ HÀI LÒNG" in text and "THỌ XƯƠNG" in text
    a5 = PdfReader(
        io.BytesIO(api.get(f"/api/v1/surveys/poster/{THO_XUONG}.pdf", {"size": "a5"}).content)
    )
    assert round(float(a5.pages[0].mediabox.width)) == 420
    tree = api.get(f"/api/v1/surveys/poster/{CITY}.pdf", {"subtree": "true"})
    from langnghe.units.models import Unit

    expected = Unit.objects.filter(path__startswith=Unit.objects.get(code=CITY).path).count()
    assert len(PdfReader(io.BytesIO(tree.content)).pages) == expected > 1


def test_exports_xlsx_and_pdf_with_filters(client, make_staff, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    staff = make_staff(CITY, "supervisor")
    client.force_login(staff)
    post(client, {"answers": {"overall": "1"}, "comment": "Chờ quá lâu"})
    post(client, {"answers": {"overall": "5"}, "comment": "=1+1 rất tốt"}, REMOTE_ADDR="10.2.2.2")
    response = client.post("/staff/surveys/export/", {"unit": CITY, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    comments = list(book["Ý kiến"].iter_rows(min_row=2, values_only=True))
    assert [c[4] for c in comments] == ["Chờ quá lâu", "'=1+1 rất tốt"]  # worst first
    negative = client.post(
        "/staff/surveys/export/", {"unit": CITY, "format": "xlsx", "negative": "1"}
    )
    rows = list(
        load_workbook(io.BytesIO(negative.content))["Ý kiến"].iter_rows(min_row=2, values_only=True)
    )
    assert len(rows) == 1
    pdf = client.post("/staff/surveys/export/", {"unit": CITY, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Chờ quá lâu" in pdf_text
    # Background export via the API, with progress and a download.
    api_payload = {"unit": CITY, "format": "xlsx"}
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            "/api/v1/surveys/exports", api_payload, content_type="application/json"
        )
    assert queued.status_code == 202
    status = client.get(f"/api/v1/surveys/exports/{queued.json()['id']}").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["rows"] == 2
    download = client.get(status["download_url"])
    assert download.status_code == 200
    page = client.get(f"/staff/surveys/exports/{queued.json()['id']}/")
    assert "Xong" in page.content.decode()


def test_console_results_page_drills_down(client, make_staff):
    post(client, {"answers": {"overall": "2", "staff": "1"}, "comment": "Không hài lòng"})
    client.force_login(make_staff(PROVINCE, "supervisor"))
    html = client.get("/staff/surveys/").content.decode()
    assert "Khảo sát hài lòng" in html and 'id="sv-ranking"' in html
    assert re.search(r'href="\?unit=BG-H213', html)
    commune = client.get("/staff/surveys/", {"unit": THO_XUONG, "negative": "1"}).content.decode()
    assert "Không hài lòng" in commune and 'id="sv-trend"' in commune
    weekly = client.get("/staff/surveys/", {"unit": CITY, "by": "week"})
    assert weekly.status_code == 200 and "Tuần" in weekly.content.decode()
    assert client.get("/staff/surveys/templates/").status_code == 200
    assert client.get("/staff/surveys/flagged/").status_code == 200


def test_old_responses_do_not_count_outside_the_range(client, make_staff, api_client):
    api = api_client(make_staff(PROVINCE, "viewer"))
    post(client, {})
    counters_fold()
    response = SurveyResponse.objects.latest("id")
    old_day = response.day - timedelta(days=400)
    DailyCount.objects.filter(unit=response.unit, day=response.day).update(day=old_day)
    MonthlyCount.objects.filter(unit=response.unit, month=response.day.replace(day=1)).update(
        month=old_day.replace(day=1)
    )
    assert api.get("/api/v1/surveys/results", {"unit": PROVINCE}).json()["responses"] == 0
    ranged = api.get(
        "/api/v1/surveys/results",
        {"unit": PROVINCE, "from": old_day.isoformat(), "to": old_day.isoformat()},
    ).json()
    assert ranged["responses"] == 1


def test_monthly_and_daily_counters_agree_on_any_range(unit):
    """Whole months come from the monthly counters, the ends from the daily ones: every range
    must give the same sum as adding up the daily rows."""
    import random
    from datetime import date

    from langnghe.surveys.selectors import DateRange, results_compute, trend_compute
    from langnghe.surveys.services import _counters_add

    commune = unit(THO_XUONG)
    rng = random.Random(3)
    start = date(2025, 1, 1)
    days = [start + timedelta(days=rng.randrange(0, 200)) for _ in range(120)]
    for day in days:
        _counters_add(
            unit_id=commune.pk,
            day=day,
            cells=[("responses", ""), ("overall", "5")],
            flagged=False,
            delta=1,
        )
    for _ in range(25):
        a = start + timedelta(days=rng.randrange(0, 220))
        b = a + timedelta(days=rng.randrange(0, 150))
        expected = sum(1 for d in days if a <= d <= b)
        assert results_compute(unit(CITY), DateRange(a, b))["responses"] == expected, (a, b)
    whole = DateRange(date(2025, 1, 1), date(2025, 12, 31))
    trend = trend_compute(unit(PROVINCE), whole, by="month")
    assert sum(t["responses"] for t in trend) == len(days)
    assert trend_compute(unit(PROVINCE), whole, by="week")[0]["responses"] == sum(
        1 for d in days if d <= date(2025, 1, 5)
    )


def _cells(unit_code: str, flagged: bool) -> dict[str, int]:
    rows = DailyCount.objects.filter(unit__code=unit_code, flagged=flagged, metric="overall")
    return {c.value: c.count for c in rows if c.count}


def test_counters_take_a_response_once_at_the_fold_and_reads_fold_first(
    client, make_staff, api_client
):
    """A response is stored with a pending row; the counters take it at the fold, once. A
    read of the results folds first, so it is exact without waiting for the periodic job; a
    response flagged (or cleared) before it was folded lands in its new cell only."""
    admin = api_client(make_staff(PROVINCE, "admin"))
    for i, value in enumerate(["5", "4", "1"]):
        assert (
            post(client, {"answers": {"overall": value}}, REMOTE_ADDR=f"10.2.0.{i}").status_code
            == 201
        )
    assert PendingCount.objects.count() == 3 and _cells(THO_XUONG, False) == {}
    # Flag one still pending: it goes straight into the flagged cells when flagged.
    low = SurveyResponse.objects.get(answers__overall="1")
    services.response_flag_set(response=low, flagged=True, by=None, reason="manual")
    assert PendingCount.objects.count() == 2
    assert _cells(THO_XUONG, True) == {"1": 1}
    # The read folds the other two first.
    body = admin.get("/api/v1/surveys/results", {"unit": PROVINCE}).json()
    assert body["responses"] == 2 and body["flagged"] == 1
    assert not PendingCount.objects.exists()
    assert _cells(THO_XUONG, False) == {"5": 1, "4": 1}
    # Folding again adds nothing; clearing the flag of a folded response moves it.
    assert counters_fold() == 0
    services.response_flag_set(response=low, flagged=False, by=None)
    assert _cells(THO_XUONG, False) == {"5": 1, "4": 1, "1": 1} and _cells(THO_XUONG, True) == {}


def test_fold_in_batches_counts_every_response_once(client):
    for i in range(7):
        assert (
            post(client, {"answers": {"overall": "5"}}, REMOTE_ADDR=f"10.3.0.{i}").status_code
            == 201
        )
    assert counters_fold(batch=3) == 7  # three transactions: 3 + 3 + 1
    assert _cells(THO_XUONG, False) == {"5": 7}
    monthly = MonthlyCount.objects.filter(unit__code=THO_XUONG, metric="responses")
    assert sum(monthly.values_list("count", flat=True)) == 7


def test_the_fold_makes_the_cells_each_response_has(client, make_staff, api_client):
    """Whatever the database (the fold is one SQL statement on PostgreSQL, Python elsewhere),
    the counters end up as the sum of ``_counter_cells`` of every response: choices, several
    choices, free text left out, comments, flagged apart, day and month alike."""
    from collections import Counter

    from langnghe.surveys.models import SurveyTemplate

    admin = api_client(make_staff(CITY, "admin"))
    created = admin.post(
        "/api/v1/surveys/templates",
        {
            "unit": THO_XUONG,
            "name": "Phiếu đếm",
            "questions": [
                {"text": "Thủ tục", "type": "single", "choices": ["Căn cước", "Cư trú"]},
                {"text": "Thái độ", "type": "scale", "element": "staff"},
                {"text": "Cải thiện", "type": "multiple", "choices": ["A", "B", "C"]},
                {"text": "Khác", "type": "text", "required": False},
            ],
        },
        content_type="application/json",
    )
    code = created.json()["code"]
    admin.put(
        f"/api/v1/surveys/assignments/{THO_XUONG}",
        {"template": code},
        content_type="application/json",
    )
    bodies = [
        {"answers": {"q1": "c1", "q2": "5", "q3": ["c1", "c3"], "q4": "Tốt"}, "comment": "Ổn"},
        {"answers": {"q1": "c2", "q2": "1", "q3": ["c2"]}},
        {"answers": {"q1": "c2", "q2": "1", "q3": []}, "comment": "  "},
    ]
    for i, body in enumerate(bodies):
        assert post(client, body, REMOTE_ADDR=f"10.4.0.{i}").status_code == 201
    device = {"HTTP_X_DEVICE_TOKEN": "fold-device", "REMOTE_ADDR": "10.4.1.1"}
    for _ in range(services.DEVICE_BURST + 1):  # the last one is flagged
        assert post(client, bodies[0], **device).status_code == 201
    templates = SurveyTemplate.objects.prefetch_related("questions").in_bulk()
    expected_day: Counter = Counter()
    expected_month: Counter = Counter()
    for r in SurveyResponse.objects.all():
        for metric, value in services._counter_cells(
            templates[r.template_id], r.answers, r.comment
        ):
            expected_day[(r.unit_id, r.day, metric, str(value), r.is_flagged)] += 1
            expected_month[(r.unit_id, r.day.replace(day=1), metric, str(value), r.is_flagged)] += 1
    assert SurveyResponse.objects.filter(is_flagged=True).count() == 1
    assert counters_fold() == len(bodies) + services.DEVICE_BURST + 1
    day = Counter(
        {
            (c.unit_id, c.day, c.metric, c.value, c.flagged): c.count
            for c in DailyCount.objects.all()
        }
    )
    month = Counter(
        {
            (c.unit_id, c.month, c.metric, c.value, c.flagged): c.count
            for c in MonthlyCount.objects.all()
        }
    )
    assert day == expected_day and month == expected_month
    several = {(metric, value) for (_u, _d, metric, value, _f) in day if metric == f"{code}.q3"}
    assert several == {(f"{code}.q3", "c1"), (f"{code}.q3", "c2"), (f"{code}.q3", "c3")}
