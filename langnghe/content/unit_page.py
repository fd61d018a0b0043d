"""A section on each unit's public page: pinned notices and the latest posts (own and
cross-posted from above), with the channel's feed and follower count."""

from . import selectors

LATEST = 6


def section(request, unit) -> dict | None:
    if not unit.is_active:
        return None
    pinned = list(selectors.pinned_notices(unit).order_by("-published_at")[:3])
    latest = list(
        selectors.posts_for_unit(unit)
        .exclude(pk__in=[p.pk for p in pinned])
        .order_by("-published_at", "-id")[:LATEST]
    )
    return {
        "template": "content/unit_section.html",
        "unit": unit,
        "pinned": pinned,
        "latest": latest,
        "followers": selectors.followers_count(unit),
        "feed_path": unit.get_absolute_url() + "feed.atom",
        "posts_path": unit.get_absolute_url() + "bai-viet/",
    }
