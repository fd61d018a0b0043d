"""Reads of posts. Public reads return published posts only; staff reads go through the scope
check (``visible_units``)."""

from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Q, QuerySet

from langnghe.accounts.selectors import visible_units
from langnghe.connectors.models import Follower
from langnghe.core.exceptions import NotFound
from langnghe.units.models import Unit
from langnghe.units.selectors import subtree

from .models import Post, PostAudienceUnit


def published() -> QuerySet[Post]:
    return Post.objects.filter(state=Post.State.PUBLISHED).select_related("unit", "unit__kind")


def posts_for_unit(unit: Unit) -> QuerySet[Post]:
    """A channel's posts: its own, plus those of units above it whose audience covers it (all
    descendants, or a list naming it or one of its ancestors). One query: the ancestors are read
    off the unit's path, the explicit lists are a subquery."""
    above = unit.ancestor_ids
    listed = PostAudienceUnit.objects.filter(unit_id__in=[*above, unit.pk]).values("post_id")
    return published().filter(
        Q(unit=unit)
        | Q(unit_id__in=above, audience=Post.Audience.DESCENDANTS)
        | Q(unit_id__in=above, audience=Post.Audience.UNITS, pk__in=listed)
    )


def pinned_notices(unit: Unit) -> QuerySet[Post]:
    return posts_for_unit(unit).filter(is_pinned=True, kind=Post.Kind.NOTICE)


def post_get_published(*, pk: int) -> Post:
    post = published().filter(pk=pk).first()
    if post is None:
        raise NotFound("Không có bài viết này hoặc bài chưa được đăng.", code="post_not_found")
    return post


def staff_posts(*, user, within: Unit | None = None) -> QuerySet[Post]:
    """Posts of the units the user may see (optionally only under ``within``)."""
    qs = Post.objects.filter(unit__in=visible_units(user))
    if within is not None:
        qs = qs.filter(unit__in=subtree(within))
    return qs.select_related("unit", "author").order_by("-updated_at", "-id")


def staff_post_get(*, user, pk: int) -> Post:
    """A post in the user's scope, whatever its state; "not found" outside the scope."""
    post = staff_posts(user=user).filter(pk=pk).first()
    if post is None:
        raise NotFound("Không có bài viết này trong phạm vi của bạn.", code="post_not_found")
    return post


def followers_count(unit: Unit) -> int | None:
    """Zalo followers of the unit's OA (kept by the connector from follow/unfollow events)."""
    if not apps.is_installed("langnghe.connectors"):
        return None
    return Follower.objects.filter(unit=unit, is_following=True).count()


def post_reach(post: Post) -> list[Unit]:
    """The open units below the post's own whose pages show it (its audience): none, the whole
    subtree, or the listed units with their subtrees; in the tree's order."""
    if post.audience == Post.Audience.DESCENDANTS:
        below = subtree(post.unit, include_self=False)
    elif post.audience == Post.Audience.UNITS:
        paths = list(post.audience_units.values_list("path", flat=True))
        if not paths:
            return []
        below = Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
        below = below.exclude(pk=post.unit_id)
    else:
        return []
    return list(below.filter(is_active=True).select_related("kind").order_by("path"))
