"""The materializer: keeps ``UnitDayStat`` / ``UnitMonthStat`` / ``UnitState`` in step with the
other apps' rows, without those apps knowing.

Each source finds the (unit, day) buckets touched since its watermark, then recomputes those
buckets *exactly* from the source rows (delete + insert of that bucket's metrics), and rewrites
the months they belong to from the day rows. Recomputing a bucket twice gives the same rows, so
a run is idempotent; a run holds its source's ``RefreshState`` row (SELECT … FOR UPDATE) so two
runs at once take turns. The first run of a source (no watermark) rebuilds it entirely.

Change feeds (nothing here needs an index the other apps do not already have):

* cases, conversations, posts: the audit trail (``AuditEntry.at`` is indexed and every write of
  those apps records an entry; the entry's unit also catches the old unit of a transfer);
* survey responses: ``SurveyResponse.submitted_at`` (indexed; responses are not audited, they
  are anonymous) and the audit entries of flag changes;
* followers: ``WebhookEvent`` ids of follow/unfollow events (their units are recounted);
* post views and shares are flushed onto the posts without an audit entry, so the buckets of
  posts published in the last ``SWEEP_POST_DAYS`` days are swept every ``SWEEP_EVERY``.

Rows committed long after they were stamped could be missed by a time watermark, so each run
looks ``LOOKBACK`` behind it (and ``ID_LOOKBACK`` ids behind for id watermarks); ``langnghe
insights_rebuild`` recomputes everything (e.g. nightly) as a backstop.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from langnghe.audit.models import AuditEntry
from langnghe.cases.models import Case, CaseDeadline, Status
from langnghe.connectors.models import Follower, WebhookEvent
from langnghe.content.models import Post
from langnghe.core.periods import next_month
from langnghe.inbox.models import Conversation
from langnghe.surveys.models import SurveyResponse

from .models import RefreshState, UnitDayStat, UnitMonthStat, UnitState

LOOKBACK = dt.timedelta(seconds=60)
ID_LOOKBACK = 500
SWEEP_EVERY = dt.timedelta(seconds=60)
SWEEP_POST_DAYS = 30
CHUNK = 250

# First-response time histogram (seconds): bucket i holds [EDGES[i-1], EDGES[i]), the last one
# everything from 2 days up. Median and p90 are read from the merged histogram of a subtree.
FRT_EDGES = [60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800]

Bucket = tuple[int, dt.date]
Values = dict[Bucket, Counter]


def local_day(moment: dt.datetime) -> dt.date:
    """The day of ``moment`` in the app's time zone (``TIME_ZONE``; nothing activates another).
    The default zone rather than the current one: a full rebuild calls this for every case and
    conversation, and looking the current zone up each time was 40% of the cases' compute
    (measured on this machine, 1M cases)."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def frt_bucket(seconds: int) -> int:
    for i, edge in enumerate(FRT_EDGES):
        if seconds < edge:
            return i
    return len(FRT_EDGES)


def _chunks(items: Iterable, size: int = CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _time_q(buckets: Iterable[Bucket], field: str) -> Q:
    q = Q()
    for unit_id, day in buckets:
        start, end = day_bounds(day)
        q |= Q(unit_id=unit_id, **{f"{field}__gte": start, f"{field}__lt": end})
    return q


def _audited(since: dt.datetime, target_type: str) -> tuple[set[int], dict[int, set[int]]]:
    """Ids of targets written since ``since`` and, per target, the units named by the entries
    (the old unit of a transfer)."""
    ids: set[int] = set()
    units: dict[int, set[int]] = defaultdict(set)
    rows = AuditEntry.objects.filter(at__gte=since, target_type=target_type).values_list(
        "target_id", "unit_id"
    )
    for target_id, unit_id in rows:
        if target_id.isdigit():
            ids.add(int(target_id))
            if unit_id:
                units[int(target_id)].add(unit_id)
    return ids, units


# --- Cases --------------------------------------------------------------------------------------


def _cases_changed(since: dt.datetime, state: RefreshState) -> set[Bucket]:
    ids, entry_units = _audited(since, "cases.case")
    buckets: set[Bucket] = set()
    rows = Case.objects.filter(pk__in=ids).values_list("pk", "unit_id", "received_at", "closed_at")
    for pk, unit_id, received_at, closed_at in rows:
        days = [local_day(received_at)] + ([local_day(closed_at)] if closed_at else [])
        for unit in {unit_id, *entry_units.get(pk, ())}:
            buckets.update((unit, day) for day in days)
    return buckets


def _cases_compute(buckets: set[Bucket] | None) -> Values:
    """Per bucket: cases received that day (and by category), of those the closed ones on time
    or late (the on-time rule of ``cases.selectors.on_time_rate``: a closed case is late when a
    step was met after its due time; merged duplicates are left out), and cases resolved or
    declined that day."""

    late_step = CaseDeadline.objects.filter(
        case=OuterRef("pk"), cancelled=False, met_at__gt=F("due_at")
    )
    base = Case.objects.annotate(has_late=Exists(late_step)).order_by()
    fields = ("unit_id", "received_at", "closed_at", "status", "category__code", "has_late")
    closed = (Status.RESOLVED, Status.DECLINED)
    out: Values = defaultdict(Counter)

    def count(rows, wanted):
        for unit_id, received_at, closed_at, status, category, has_late in rows:
            bucket = (unit_id, local_day(received_at))
            if wanted is None or bucket in wanted:
                cell = out[bucket]
                cell["cases.received"] += 1
                cell[f"cases.category.{category}"] += 1
                if status in closed:
                    cell["cases.late" if has_late else "cases.on_time"] += 1
            if closed_at and status in closed:
                bucket = (unit_id, local_day(closed_at))
                if wanted is None or bucket in wanted:
                    out[bucket][
                        "cases.resolved" if status == Status.RESOLVED else "cases.declined"
                    ] += 1

    if buckets is None:
        count(base.values_list(*fields).iterator(chunk_size=5000), None)
    else:
        for chunk in _chunks(buckets):
            q = _time_q(chunk, "received_at") | _time_q(chunk, "closed_at")
            count(base.filter(q).values_list(*fields), set(chunk))
    return out


# --- Duty desk ----------------------------------------------------------------------------------


def _inbox_changed(since: dt.datetime, state: RefreshState) -> set[Bucket]:
    ids, entry_units = _audited(since, "inbox.conversation")
    rows = Conversation.objects.filter(pk__in=ids).values_list("pk", "unit_id", "created_at")
    buckets: set[Bucket] = set()
    for pk, unit_id, created_at in rows:
        for unit in {unit_id, *entry_units.get(pk, ())}:
            buckets.add((unit, local_day(created_at)))
    return buckets


def _inbox_compute(buckets: set[Bucket] | None) -> Values:
    """Per bucket (the day a conversation opened): conversations, answered / unanswered, the sum
    and the histogram of first-response times, resolved and the sum of resolution times."""

    fields = ("unit_id", "created_at", "first_response_at", "resolved_at")
    out: Values = defaultdict(Counter)

    def count(rows, wanted):
        for unit_id, created_at, first_response_at, resolved_at in rows:
            bucket = (unit_id, local_day(created_at))
            if wanted is not None and bucket not in wanted:
                continue
            cell = out[bucket]
            cell["inbox.conversations"] += 1
            if first_response_at is None:
                cell["inbox.unanswered"] += 1
            else:
                seconds = max(0, int((first_response_at - created_at).total_seconds()))
                cell["inbox.answered"] += 1
                cell["inbox.frt_sum"] += seconds
                cell[f"inbox.frt.h{frt_bucket(seconds):02d}"] += 1
            if resolved_at is not None:
                cell["inbox.resolved"] += 1
                cell["inbox.resolution_sum"] += max(
                    0, int((resolved_at - created_at).total_seconds())
                )

    qs = Conversation.objects.order_by()
    if buckets is None:
        count(qs.values_list(*fields).iterator(chunk_size=5000), None)
    else:
        for chunk in _chunks(buckets):
            count(qs.filter(_time_q(chunk, "created_at")).values_list(*fields), set(chunk))
    return out


# --- Channels: posts ----------------------------------------------------------------------------


def _posts_changed(since: dt.datetime, state: RefreshState) -> set[Bucket]:
    ids, entry_units = _audited(since, "content.post")
    q = Q(pk__in=ids)
    now = timezone.now()
    if state.swept_at is None or now - state.swept_at >= SWEEP_EVERY:
        # Views and shares reach the posts without an audit entry: sweep recent posts.
        q |= Q(published_at__gte=now - dt.timedelta(days=SWEEP_POST_DAYS))
        state.swept_at = now
    buckets: set[Bucket] = set()
    rows = Post.objects.filter(q, published_at__isnull=False).values_list(
        "pk", "unit_id", "published_at"
    )
    for pk, unit_id, published_at in rows:
        for unit in {unit_id, *entry_units.get(pk, ())}:
            buckets.add((unit, local_day(published_at)))
    return buckets


def _posts_compute(buckets: set[Bucket] | None) -> Values:
    """Per bucket (the day a post was published; archived posts still count): posts by kind,
    and the views and shares those posts have gathered so far."""

    fields = ("unit_id", "published_at", "kind", "views_count", "shares_zalo_count")
    out: Values = defaultdict(Counter)

    def count(rows, wanted):
        for unit_id, published_at, kind, views, shares_zalo, shares_facebook in rows:
            bucket = (unit_id, local_day(published_at))
            if wanted is not None and bucket not in wanted:
                continue
            cell = out[bucket]
            cell["posts.published"] += 1
            cell[f"posts.kind.{kind}"] += 1
            cell["posts.views"] += views
            cell["posts.shares"] += shares_zalo + shares_facebook

    qs = Post.objects.filter(
        published_at__isnull=False, state__in=(Post.State.PUBLISHED, Post.State.ARCHIVED)
    ).order_by()
    fields = (*fields, "shares_facebook_count")
    if buckets is None:
        count(qs.values_list(*fields).iterator(chunk_size=5000), None)
    else:
        for chunk in _chunks(buckets):
            count(qs.filter(_time_q(chunk, "published_at")).values_list(*fields), set(chunk))
    return out


# --- Surveys (what the survey counters do not keep) ---------------------------------------------


def _surveys_changed(since: dt.datetime, state: RefreshState) -> set[Bucket]:
    ids, _units = _audited(since, "surveys.surveyresponse")
    rows = SurveyResponse.objects.filter(Q(submitted_at__gte=since) | Q(pk__in=ids)).values_list(
        "unit_id", "day"
    )
    return set(rows)


def _surveys_compute(buckets: set[Bucket] | None) -> Values:
    """Negative comments per bucket: a comment with a rating of 1–2 somewhere (the surveys app
    counts comments and ratings, not the two together). Flagged responses are left out."""

    qs = (
        SurveyResponse.objects.filter(is_flagged=False, lowest_score__lte=2)
        .exclude(comment="")
        .order_by()
        .values("unit_id", "day")
        .annotate(n=Count("id"))
    )
    out: Values = defaultdict(Counter)

    def count(rows, wanted):
        for row in rows:
            bucket = (row["unit_id"], row["day"])
            if wanted is None or bucket in wanted:
                out[bucket]["surveys.negative_comments"] += row["n"]

    if buckets is None:
        count(qs, None)
    else:
        for chunk in _chunks(buckets):
            q = Q()
            for unit_id, day in chunk:
                q |= Q(unit_id=unit_id, day=day)
            count(qs.filter(q), set(chunk))
    return out


# --- Followers (per unit) -----------------------------------------------------------------------


def _followers_units(state: RefreshState) -> set[int] | None:
    last = WebhookEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows = WebhookEvent.objects.filter(
        pk__gt=max(0, state.watermark_id - ID_LOOKBACK),
        event_name__in=("follow", "unfollow"),
    ).values_list("unit_id", flat=True)
    state.watermark_id = last
    return set(rows)


def _followers_compute(unit_ids: set[int] | None) -> tuple[Values, dict[int, int]]:
    """New and lost followers per day, and the followers each unit has now."""

    qs = Follower.objects.order_by()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    out: Values = defaultdict(Counter)
    now: Counter = Counter(dict.fromkeys(unit_ids or (), 0))
    fields = ("unit_id", "is_following", "followed_at", "unfollowed_at")
    for unit_id, is_following, followed_at, unfollowed_at in qs.values_list(*fields).iterator():
        if followed_at:
            out[(unit_id, local_day(followed_at))]["followers.new"] += 1
        if not is_following and unfollowed_at:
            out[(unit_id, local_day(unfollowed_at))]["followers.lost"] += 1
        if is_following:
            now[unit_id] += 1
    return out, dict(now)


# --- Writing ------------------------------------------------------------------------------------


def _months_rewrite(prefix: str, months: set[tuple[int, dt.date]]) -> None:
    """Rewrite the month rows of ``prefix`` from the day rows of those (unit, month)s."""
    for chunk in _chunks(sorted(months)):
        day_q, month_q = Q(), Q()
        for unit_id, month in chunk:
            day_q |= Q(unit_id=unit_id, day__gte=month, day__lt=next_month(month))
            month_q |= Q(unit_id=unit_id, month=month)
        sums: Counter = Counter()
        rows = UnitDayStat.objects.filter(day_q, metric__startswith=prefix).values_list(
            "unit_id", "day", "metric", "value"
        )
        for unit_id, day, metric, value in rows:
            sums[(unit_id, day.replace(day=1), metric)] += value
        UnitMonthStat.objects.filter(month_q, metric__startswith=prefix).delete()
        UnitMonthStat.objects.bulk_create(
            [UnitMonthStat(unit_id=u, month=m, metric=k, value=v) for (u, m, k), v in sums.items()]
        )


def _buckets_write(prefix: str, buckets: set[Bucket] | None, values: Values) -> int:
    """Replace the ``prefix`` rows of ``buckets`` (all of them when None) by ``values``."""
    if buckets is None:
        UnitDayStat.objects.filter(metric__startswith=prefix).delete()
        UnitMonthStat.objects.filter(metric__startswith=prefix).delete()
        _day_rows_create(
            (unit_id, day, metric, value)
            for (unit_id, day), cell in values.items()
            for metric, value in cell.items()
            if value
        )
        _months_rebuild(prefix)
        return len(values)
    for chunk in _chunks(buckets):
        q = Q()
        for unit_id, day in chunk:
            q |= Q(unit_id=unit_id, day=day)
        UnitDayStat.objects.filter(q, metric__startswith=prefix).delete()
    _day_rows_create(
        (unit_id, day, metric, value)
        for (unit_id, day), cell in values.items()
        if (unit_id, day) in buckets
        for metric, value in cell.items()
        if value
    )
    _months_rewrite(prefix, {(unit_id, day.replace(day=1)) for unit_id, day in buckets})
    return len(buckets)


def _day_rows_create(rows: Iterable[tuple[int, dt.date, str, int]]) -> None:
    """Insert (unit, day, metric, value) rows. On PostgreSQL by COPY: a full rebuild writes
    millions of them, and building a model instance per row for ``bulk_create`` took three
    quarters of ``insights_refresh(rebuild=True)`` (measured on this machine on the bench data
    set)."""
    if connection.vendor != "postgresql":
        UnitDayStat.objects.bulk_create(
            [UnitDayStat(unit_id=u, day=d, metric=m, value=v) for u, d, m, v in rows],
            batch_size=2000,
        )
        return
    table = UnitDayStat._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} (unit_id, day, metric, value) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _months_rebuild(prefix: str) -> None:
    """Write every month row of ``prefix`` from the day rows, in one GROUP BY: after a full
    rebuild of the days (their month rows deleted), the rows ``_months_rewrite`` would write
    for every month, without reading the days back a few hundred months at a time."""
    day, month = UnitDayStat._meta.db_table, UnitMonthStat._meta.db_table
    first_day = (
        "date_trunc('month', day)::date"
        if connection.vendor == "postgresql"
        else "date(day, 'start of month')"
    )
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {month} (unit_id, month, metric, value) "  # noqa: S608 — our names
            f"SELECT unit_id, {first_day}, metric, sum(value) FROM {day} "
            "WHERE metric LIKE %s ESCAPE '\\' GROUP BY 1, 2, 3",
            [like],
        )


@dataclass(frozen=True)
class Source:
    name: str
    prefix: str
    changed: Callable[[dt.datetime, RefreshState], set[Bucket]]
    compute: Callable[[set[Bucket] | None], Values]


SOURCES = [
    Source("cases", "cases.", _cases_changed, _cases_compute),
    Source("inbox", "inbox.", _inbox_changed, _inbox_compute),
    Source("posts", "posts.", _posts_changed, _posts_compute),
    Source("surveys", "surveys.", _surveys_changed, _surveys_compute),
]


def _source_run(source: Source, *, rebuild: bool) -> int:
    RefreshState.objects.get_or_create(source=source.name)
    with transaction.atomic():
        state = RefreshState.objects.select_for_update().get(source=source.name)
        started = timezone.now()
        if rebuild or state.watermark_at is None:
            count = _buckets_write(source.prefix, None, source.compute(None))
        else:
            buckets = source.changed(state.watermark_at - LOOKBACK, state)
            count = (
                _buckets_write(source.prefix, buckets, source.compute(buckets)) if buckets else 0
            )
        state.watermark_at = started
        state.ran_at = timezone.now()
        state.buckets = count
        state.save()
    return count


def _followers_run(*, rebuild: bool) -> int:
    RefreshState.objects.get_or_create(source="followers")
    with transaction.atomic():
        state = RefreshState.objects.select_for_update().get(source="followers")
        full = rebuild or state.watermark_at is None
        units = None if full else _followers_units(state)
        if full:
            state.watermark_id = (
                WebhookEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
        count = 0
        if units is None or units:
            values, now = _followers_compute(units)
            if units is None:
                UnitDayStat.objects.filter(metric__startswith="followers.").delete()
                UnitMonthStat.objects.filter(metric__startswith="followers.").delete()
                UnitState.objects.all().update(followers=0)
            else:
                UnitDayStat.objects.filter(
                    unit_id__in=units, metric__startswith="followers."
                ).delete()
                UnitMonthStat.objects.filter(
                    unit_id__in=units, metric__startswith="followers."
                ).delete()
            count = _buckets_write("followers.", set(values), values)
            for unit_id, followers in now.items():
                UnitState.objects.update_or_create(
                    unit_id=unit_id, defaults={"followers": followers}
                )
        state.watermark_at = timezone.now()
        state.ran_at = state.watermark_at
        state.buckets = count
        state.save()
    return count


def insights_refresh(*, rebuild: bool = False) -> str:
    """One run of every source (the periodic job ``insights.refresh``). Returns a short note of
    what was recomputed ("" when nothing changed, so the runner stays quiet)."""
    counts = {source.name: _source_run(source, rebuild=rebuild) for source in SOURCES}
    counts["followers"] = _followers_run(rebuild=rebuild)
    changed = {name: n for name, n in counts.items() if n}
    return ", ".join(f"{name}: {n} ô" for name, n in changed.items())
