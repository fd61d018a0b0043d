"""Every write of the content app: one function per state change (STYLE.md §2).

States: draft → scheduled → published → archived (draft → published directly too). Each
transition checks the role (editor, supervisor or admin of the post's unit or of a unit above
it), runs in one transaction with its audit entry, and sends side effects after commit.

By entity: ``access`` (who may publish where), ``posts`` (drafting), ``publishing`` (the
states after drafting), ``counters`` (views and shares), ``broadcasts`` (Zalo OA articles).
"""

from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied

from .access import PUBLISH_ROLES, audience_resolve, publisher_check
from .broadcasts import (
    BROADCAST_PER_DAY,
    BROADCAST_PER_MONTH,
    broadcast_request,
    broadcast_send,
)
from .counters import (
    COLUMNS,
    FLUSH_INTERVAL,
    SEEN_MAX,
    SHARE_TARGETS,
    counters_flush,
    counters_purge,
    post_share_record,
    post_view_record,
    visitor_hash,
)
from .posts import MAX_TAGS, MAX_VIDEO_BYTES, post_create, post_image_upload, post_update
from .publishing import post_archive, post_pin, post_publish, post_schedule, posts_publish_due

__all__ = [
    "BROADCAST_PER_DAY",
    "BROADCAST_PER_MONTH",
    "COLUMNS",
    "FLUSH_INTERVAL",
    "MAX_TAGS",
    "MAX_VIDEO_BYTES",
    "PUBLISH_ROLES",
    "SEEN_MAX",
    "SHARE_TARGETS",
    "ApplicationError",
    "NotFound",
    "PermissionDenied",
    "audience_resolve",
    "broadcast_request",
    "broadcast_send",
    "counters_flush",
    "counters_purge",
    "post_archive",
    "post_create",
    "post_image_upload",
    "post_pin",
    "post_publish",
    "post_schedule",
    "post_share_record",
    "post_update",
    "post_view_record",
    "posts_publish_due",
    "publisher_check",
    "visitor_hash",
]
