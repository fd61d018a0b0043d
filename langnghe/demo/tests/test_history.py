"""The demo's year of history: a fixed plan, loaded once through the real services, honest
timestamps, deadlines met and missed, an intact audit chain, figures for the dashboard."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from langnghe.demo import history as demo_history
from langnghe.demo.history import history_load, history_plan

# A small history keeps the test quick; the shape (12 months, seasons, units) is the same.
SCALE = 0.3

UNITS = {
    "province": ["BG"],
    "department": ["BG-PA08", "BG-PC06"],
    "district": ["BG-H213", "BG-H215"],
    "commune": [f"BG-X{n:05d}" for n in range(7201, 7261, 3)],
}


def _months(moments) -> set[tuple[int, int]]:
    return {(timezone.localtime(m).year, timezone.localtime(m).month) for m in moments}


def test_plan_is_fixed_by_its_seed_and_relative_to_today():
    today = dt.date(2026, 12, 6)
    first = history_plan(today, units=UNITS, scale=SCALE)
    again = history_plan(today, units=UNITS, scale=SCALE)
    assert first.counts() == again.counts()
    assert [(e.at, e.kind) for e in first.events] == [(e.at, e.kind) for e in again.events]
    assert first.counts()["case"] > 50 and first.counts()["responses"] > 300
    other = history_plan(today, units=UNITS, scale=SCALE, seed=7)
    assert [e.at for e in other.events] != [e.at for e in first.events]
    # Twelve whole months, then the current month up to yesterday; a month later, a month on.
    assert timezone.localtime(first.events[0].at).date() == dt.date(2025, 12, 1)
    later = history_plan(dt.date(2027, 1, 6), units=UNITS, scale=SCALE)
    assert timezone.localtime(later.events[0].at).date() == dt.date(2026, 1, 1)
    midnight = dt.datetime.combine(today, dt.time(0), timezone.get_default_timezone())
    assert all(e.at < midnight for e in first.events)
    assert all(r["at"] < midnight for r in first.responses)
    assert first.events == sorted(first.events, key=lambda e: e.at)
    for kind in ("case", "conversation"):
        assert len(_months(e.at for e in first.events if e.kind == kind)) >= 12
    assert len(_months(r["at"] for r in first.responses)) >= 12


def test_plan_has_seasons_and_weekdays():
    plan = history_plan(dt.date(2026, 12, 6), units=UNITS, scale=1.0)
    by_month: dict[int, list[int]] = {}
    for r in plan.responses:
        happy = sum(v in "45" for v in r["answers"].values()) / len(r["answers"])
        by_month.setdefault(r["at"].month, []).append(happy)
    share = {m: sum(v) / len(v) for m, v in by_month.items()}
    # The Tết rush (January–February) is less satisfied than the autumn.
    assert max(share[1], share[2]) < min(share[9], share[10]) - 0.1
    weekdays = [timezone.localtime(r["at"]).weekday() for r in plan.responses]
    assert weekdays.count(2) > 2 * weekdays.count(5)
    assert weekdays.count(6) == 0


@pytest.fixture
def history(db, demo_network, settings):
    from langnghe.surveys.services import builtin_templates_ensure

    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    builtin_templates_ensure()
    out = io.StringIO()
    made = history_load(scale=SCALE, stdout=out)
    return made, out.getvalue()


def test_history_loads_once_honestly_and_feeds_the_dashboard(history):
    from langnghe.audit.models import AuditEntry
    from langnghe.cases import crypto
    from langnghe.cases.models import Case, CaseDeadline, CaseEscalation
    from langnghe.content.models import Post
    from langnghe.inbox.models import Conversation, Message
    from langnghe.insights import selectors
    from langnghe.surveys.models import SurveyResponse
    from langnghe.units.models import Unit

    made, printed = history
    assert "Lịch sử 12 tháng" in printed
    cases = Case.objects.filter(channel_ref__startswith=demo_history.MARKER)
    counts = {
        "case": cases.count(),
        "conversation": Conversation.objects.filter(external_id__startswith="history-").count(),
        "responses": SurveyResponse.objects.count(),
    }
    # The plan's counts, exactly (the plan is fixed by its seed, see above).
    assert counts == {k: made[k] for k in counts}
    assert Post.objects.filter(state="published").count() == made["post"]

    # Idempotent: a second load makes nothing.
    assert history_load(scale=SCALE) == {}
    assert cases.count() == counts["case"]
    assert SurveyResponse.objects.count() == counts["responses"]

    # Nothing dated in the future.
    now = timezone.now()
    assert not Case.objects.filter(received_at__gt=now).exists()
    assert not Case.objects.filter(closed_at__gt=now).exists()
    assert not CaseDeadline.objects.filter(met_at__gt=now).exists()
    assert not Message.objects.filter(sent_at__gt=now).exists()
    assert not Conversation.objects.filter(created_at__gt=now).exists()
    assert not SurveyResponse.objects.filter(submitted_at__gt=now).exists()
    assert not Post.objects.filter(published_at__gt=now).exists()
    assert not AuditEntry.objects.filter(at__gt=now).exists()

    # Twelve distinct months of cases, conversations and responses.
    assert len(_months(cases.values_list("received_at", flat=True))) >= 12
    conversations = Conversation.objects.filter(external_id__startswith="history-")
    assert len(_months(conversations.values_list("created_at", flat=True))) >= 12
    assert len(_months(SurveyResponse.objects.values_list("submitted_at", flat=True))) >= 12

    # The law's deadlines, computed from the past creation dates: some met, some missed, a few
    # escalated; most cases closed, a few still open.
    deadlines = CaseDeadline.objects.filter(case__in=cases)
    assert deadlines.filter(met_at__lte=F("due_at")).count() > deadlines.count() / 2
    assert deadlines.filter(met_at__gt=F("due_at")).exists()
    assert CaseEscalation.objects.filter(case__in=cases).exists()
    for deadline in deadlines.select_related("case")[:50]:
        assert deadline.due_at > deadline.case.received_at
    assert cases.filter(status="resolved").count() > cases.count() / 2
    assert cases.exclude(status__in=("resolved", "declined", "merged")).exists()
    assert len(set(cases.values_list("unit_id", flat=True))) >= 10

    # Conversations answered, later in the night than by day.
    answered = conversations.exclude(first_response_at=None)
    assert answered.count() > conversations.count() * 0.8
    assert all(c.first_response_at > c.created_at for c in answered[:100])
    assert conversations.filter(channel="zalo").exists() and conversations.filter(channel="web")
    assert not Message.objects.filter(
        conversation__in=conversations, direction="out", delivery="pending"
    ).exists()

    # Reporters are obviously invented and sealed like anyone's.
    named = cases.filter(has_reporter_identity=True).first()
    assert "(demo)" not in named.reporter_sealed
    reporter = crypto.unseal_json(named.reporter_sealed, context=named.sealing_context("reporter"))
    assert reporter["name"].endswith("(demo)") and reporter["phone"].startswith("0900000")

    # The audit trail still verifies, and the history's part is in time order.
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "nguyên vẹn" in out.getvalue()
    history_entries = list(
        AuditEntry.objects.filter(at__lt=now - dt.timedelta(hours=1))
        .order_by("id")
        .values_list("at", flat=True)
    )
    assert len(history_entries) > counts["case"] * 3
    assert history_entries == sorted(history_entries)

    # The dashboard's twelve months, each with something in it; several units to rank.
    province = Unit.objects.get(code="BG")
    months = selectors.trend_months(province)
    assert len(months) == 12
    assert len({m["label"] for m in months}) == 12
    for month in months:
        assert month["cases"] > 0 and month["conversations"] > 0 and month["responses"] > 0
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    report = selectors.summary_compute(province, selectors.month_period(f"{last:%Y-%m}"))
    assert report["cases"]["received"] > 0 and report["surveys"]["responses"] > 0
    assert report["inbox"]["conversations"] > 0
    period = selectors.period_get(timezone.localdate() - dt.timedelta(days=364))
    children = selectors.breakdown_compute(province, period)
    assert sum(1 for row in children if row["cases_received"]) >= 5
    assert sum(1 for row in children if row["satisfaction"] is not None) >= 3


def test_ensure_demo_loads_history_and_load_demo_only_when_asked(db, demo_network):
    with mock.patch("langnghe.demo.history.history_load") as load:
        call_command("ensure_demo", stdout=io.StringIO())
    assert load.call_count == 1
    with (
        mock.patch("langnghe.demo.history.history_load") as load,
        mock.patch("langnghe.demo.management.commands.load_demo.demo_loaders", lambda: []),
    ):
        call_command("load_demo", stdout=io.StringIO())
        assert load.call_count == 0
        call_command("load_demo", "--history", stdout=io.StringIO())
        assert load.call_count == 1
