"""Who may write posts for a unit, and to which units below it a post may go."""

from collections.abc import Iterable

from langnghe.accounts.selectors import has_role
from langnghe.core.exceptions import ApplicationError, PermissionDenied
from langnghe.units.models import Unit
from langnghe.units.selectors import subtree

from ..models import Post

PUBLISH_ROLES = ("admin", "supervisor", "editor")


def _require_publisher(user, unit: Unit) -> None:
    """Editors (and supervisors, admins) of the unit or of a unit above it publish for it."""
    if user is None:  # the system (publish_due) acts for whoever scheduled the post
        return
    if not has_role(user, unit, PUBLISH_ROLES):
        raise PermissionDenied(
            f"Bạn không có quyền đăng bài cho {unit.name}: cần vai trò biên tập viên của đơn vị "
            "này hoặc đơn vị cấp trên.",
            code="not_publisher",
        )


def publisher_check(user, unit: Unit) -> None:
    """PermissionDenied unless ``user`` may write posts for ``unit`` (a picker, a preview)."""
    _require_publisher(user, unit)


def audience_resolve(*, unit: Unit, cross_post) -> tuple[str, list[Unit]]:
    """``"none"`` | ``"descendants"`` | a list of unit codes strictly below ``unit``."""
    if cross_post in (None, "", Post.Audience.NONE):
        return Post.Audience.NONE, []
    if cross_post == Post.Audience.DESCENDANTS:
        return Post.Audience.DESCENDANTS, []
    if isinstance(cross_post, str) or not isinstance(cross_post, Iterable):
        raise ApplicationError(
            "cross_post phải là “none”, “descendants” hoặc danh sách mã đơn vị cấp dưới.",
            code="invalid_cross_post",
            field="cross_post",
        )
    codes = sorted({str(c).strip().upper() for c in cross_post if str(c).strip()})
    if not codes:
        return Post.Audience.NONE, []
    if len(codes) > 500:
        raise ApplicationError("Tối đa 500 đơn vị.", code="invalid_cross_post", field="cross_post")
    below = subtree(unit, include_self=False).filter(code__in=codes, is_active=True)
    found = {u.code: u for u in below}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ApplicationError(
            f"Không thể đăng chéo tới {', '.join(missing[:10])}: chỉ đăng được tới các đơn vị "
            f"cấp dưới của {unit.name}.",
            code="cross_post_outside_subtree",
            field="cross_post",
        )
    return Post.Audience.UNITS, [found[c] for c in codes]
