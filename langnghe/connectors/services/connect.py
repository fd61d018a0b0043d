"""Connecting a unit's Zalo OA: the sandbox check, the connection's sealed secrets, the
token refresh, and handing the OA to a successor unit."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from .. import zalo
from ..models import Follower, ZaloConnection
from ._common import _outbox_connections, _units, _webhook_connections


def sandbox_address(address: str, *, field: str | None = None) -> str:
    """The address to use instead of Zalo's hosts, or "" for Zalo's own. Another address (the
    simulator) is accepted only when the operator declared a sandbox (LANGNGHE_ZALO_SANDBOX=1):
    otherwise the app secret and every token would go to whoever that address names."""
    address = (address or "").strip().rstrip("/")
    if not address or address in (zalo.API_BASE, zalo.OAUTH_BASE):
        return ""
    if not zalo.sandbox():
        raise ApplicationError(
            "Chỉ kết nối được với máy chủ Zalo chính thức. Địa chỉ khác (trình giả lập) chỉ dùng "
            "được khi máy chủ chạy ở chế độ thử nghiệm (LANGNGHE_ZALO_SANDBOX=1).",
            code="zalo_address",
            field=field,
        )
    if not zalo.address_allowed(address):
        raise ApplicationError(
            "Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://.", code="bad_url", field=field
        )
    return address


@transaction.atomic
def zalo_connect(
    *,
    unit: Unit,
    app_id: str,
    oa_id: str,
    secret_key: str,
    access_token: str,
    refresh_token: str,
    app_secret: str = "",
    api_base: str = "",
    expires_in: int = 90000,
    by=None,
) -> ZaloConnection:
    """Connect (or reconnect) a unit's OA; secrets are sealed before they touch the database.
    ``api_base`` points both the Open API and OAuth at one host (the simulator), only in a
    declared sandbox (``sandbox_address``); empty means Zalo's own hosts."""
    for name, value in (("app_id", app_id), ("oa_id", oa_id), ("secret_key", secret_key)):
        if not (value or "").strip():
            raise ApplicationError(f"Thiếu {name}.", code="missing", field=name)
    api_base = sandbox_address(api_base)
    connection = ZaloConnection.objects.filter(unit=unit).first() or ZaloConnection(unit=unit)
    connection.app_id = app_id.strip()
    connection.oa_id = oa_id.strip()
    connection.set_secret("secret_key", secret_key.strip())
    connection.set_secret("app_secret", (app_secret or secret_key).strip())
    connection.set_secret("access_token", (access_token or "").strip())
    connection.set_secret("refresh_token", (refresh_token or "").strip())
    connection.access_token_expires_at = timezone.now() + dt.timedelta(seconds=expires_in)
    # Always written: reconnecting to Zalo itself drops an earlier simulator address.
    connection.api_base = api_base or zalo.API_BASE
    connection.oauth_base = api_base or zalo.OAUTH_BASE
    connection.is_active = True
    connection.save()
    _webhook_connections.clear()  # now, and again once committed (a request in between)
    _units.clear()
    _outbox_connections.clear()
    transaction.on_commit(_webhook_connections.clear)
    audit_record(
        actor=by,
        action="zalo.connect",
        target=connection,
        unit=unit,
        data={"oa_id": connection.oa_id, "app_id": connection.app_id},
    )
    return connection


def token_refresh(*, connection_id: int, stale_token: str | None = None) -> ZaloConnection:
    """Exchange the refresh token for a new pair. One refresh at a time: the connection row is
    locked (SELECT … FOR UPDATE) for the whole exchange, because Zalo's refresh token is single
    use; a caller that waited and finds the token already changed just uses the new one."""
    with transaction.atomic():
        connection = ZaloConnection.objects.select_for_update().get(pk=connection_id)
        if stale_token is not None and connection.secret("access_token") != stale_token:
            return connection
        refresh = connection.secret("refresh_token")
        if not refresh:
            raise ApplicationError("Chưa có mã làm mới (refresh token).", code="no_refresh")
        result = zalo.token_refresh(
            connection.oauth_base,
            app_id=connection.app_id,
            app_secret=connection.secret("app_secret"),
            refresh_token=refresh,
        )
        if not result.get("access_token") or not result.get("refresh_token"):
            raise ApplicationError(
                f"Zalo từ chối làm mới mã ({result.get('error')}: {result.get('message', '')}).",
                code="refresh_failed",
            )
        now = timezone.now()
        connection.set_secret("access_token", result["access_token"])
        connection.set_secret("refresh_token", result["refresh_token"])
        try:
            seconds = int(result.get("expires_in", 90000))
        except (TypeError, ValueError):
            seconds = 90000
        connection.access_token_expires_at = now + dt.timedelta(seconds=seconds)
        connection.token_refreshed_at = now
        connection.save()
        audit_record(
            actor=None, action="zalo.token_refresh", target=connection, unit=connection.unit
        )
        return connection


def zalo_move(*, from_unit: Unit, to_unit: Unit) -> None:
    """A unit that ends hands its Zalo OA and followers to its successor, unless the successor
    has its own OA (then they stay with the closed unit, listed for the commander). The secrets
    are sealed again: a seal is bound to its unit."""
    connection = ZaloConnection.objects.filter(unit=from_unit).first()
    if connection is None or ZaloConnection.objects.filter(unit=to_unit).exists():
        return
    fields = ("secret_key", "app_secret", "access_token", "refresh_token")
    secrets = {name: connection.secret(name) for name in fields}
    connection.unit = to_unit
    for name, value in secrets.items():
        connection.set_secret(name, value)
    connection.save()
    known = set(Follower.objects.filter(unit=to_unit).values_list("user_id", flat=True))
    Follower.objects.filter(unit=from_unit).exclude(user_id__in=known).update(unit=to_unit)
