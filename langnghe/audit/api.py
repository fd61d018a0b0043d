from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from langnghe.accounts.auth import staff_auth
from langnghe.core.pagination import Pages

from . import selectors

router = Router(tags=["audit"], auth=staff_auth)


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str = Field(alias="actor_label")
    action: str
    target_type: str
    target_id: str
    unit_code: str | None = Field(None, alias="unit.code")
    data: dict


class AuditFilter(Schema):
    unit: str | None = None
    action: str | None = None


@router.get("", response=list[AuditOut], summary="Nhật ký thao tác trong phạm vi của bạn")
@paginate(Pages)
def audit_list(request, filters: Query[AuditFilter]):
    return selectors.audit_list(user=request.auth, unit_code=filters.unit, action=filters.action)
