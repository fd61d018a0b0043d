"""In-process figures (DJANGO_SETTINGS_MODULE=bench.settings): province results and leadership
summary beside the naive GROUP BY over raw rows, procedure search p95, triage per message."""

import json
import statistics
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from langnghe.surveys import selectors as surveys  # noqa: E402
from langnghe.surveys.models import SurveyResponse  # noqa: E402
from langnghe.units.models import Unit  # noqa: E402


def timed(fn, repeat=5):
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), max(samples)


def pctl(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(p * len(s)))]


out = {}
# The province with the most units.
roots = Unit.objects.filter(parent__isnull=True)
root = max(roots, key=lambda u: Unit.objects.filter(path__startswith=u.path).count())
out["province"] = f"{root.code} ({Unit.objects.filter(path__startswith=root.path).count()} đv)"
out["responses_total"] = SurveyResponse.objects.count()
period = surveys.date_range(None, None)
out["results_ms"] = timed(lambda: surveys.results_compute(root, period))[0]
out["ranking_ms"] = timed(lambda: surveys.ranking_compute(root, period))[0]


def naive():
    return list(
        SurveyResponse.objects.filter(
            unit__path__startswith=root.path, day__gte=period.start, day__lte=period.end
        )
        .values("answers__overall")
        .annotate(n=Count("id"))
    )


out["results_naive_ms"] = timed(naive, repeat=3)[0]
try:
    from langnghe.cases.models import Case
    from langnghe.insights.selectors import period_get, summary_compute

    p = period_get()
    out["summary_ms"] = timed(lambda: summary_compute(root, p))[0]

    def naive_cases():
        return list(
            Case.objects.filter(unit__path__startswith=root.path)
            .values("status", "category_id")
            .annotate(n=Count("id"))
        )

    out["summary_naive_ms"] = timed(naive_cases, repeat=3)[0]
    out["cases_total"] = Case.objects.count()
except ImportError as exc:  # insights not installed yet
    out["summary_error"] = str(exc)
try:
    from langnghe.procedures.selectors import search_index

    index = search_index()
    queries = [
        "làm căn cước",
        "đăng ký tạm trú",
        "hộ chiếu",
        "xác nhận cư trú",
        "đăng ký xe máy",
        "lý lịch tư pháp",
        "phòng cháy",
        "giấy phép súng",
        "cấp lại căn cước",
        "thường trú",
    ]
    samples = []
    for _ in range(10):
        for q in queries:
            t0 = time.perf_counter()
            index.search(q)
            samples.append((time.perf_counter() - t0) * 1000)
    out["search_p95_ms"] = pctl(samples, 0.95)
except Exception as exc:  # noqa: BLE001
    out["search_error"] = str(exc)[:200]
try:
    from langnghe.triage.selectors import triage_text

    # Every text different (a house number each): the model's answers for texts seen in the
    # last minute are kept (triage.classifier._recent), and this row is the classification.
    texts = [
        f"{text} số {i}"
        for i, text in enumerate(
            [
                "Nhà tôi bị trộm xe máy",
                "Có người gọi tự xưng công an bắt chuyển tiền",
                "Cháy nhà ở ngõ 5 cứu với",
                "Cho hỏi làm căn cước mấy ngày",
            ]
            * 50
        )
    ]
    triage_text("Xin chào")
    t0 = time.perf_counter()
    for t in texts:
        triage_text(t)
    out["triage_ms"] = (time.perf_counter() - t0) * 1000 / len(texts)
except Exception as exc:  # noqa: BLE001
    out["triage_error"] = str(exc)[:200]
out["db"] = connection.vendor
print(json.dumps(out))
