"""The one paging class of the API: ``{"items": [...], "count": N}`` with bounded inputs, so a
huge limit or offset is a 422 with the failing field, never a database overflow."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="số mục mỗi trang (1–1000)")
        offset: int = Field(0, ge=0, le=10_000_000, description="bỏ qua bao nhiêu mục đầu")
