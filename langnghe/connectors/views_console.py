"""Console pages of the connector: the OAuth v4 + PKCE connect flow."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.core.exceptions import ApplicationError, form_page_status
from langnghe.core.middleware import content_security_policy

from . import oauth, zalo
from .forms import ZaloConnectForm
from .models import ZaloConnection


def _zalo_page(request, unit, *, can_connect: bool, errors=None, values=None, status=200):
    """The Zalo page of ``unit``, with the connect form. The form's submission ends in a
    redirect to Zalo's permission page (or, in a declared sandbox, to the simulator's address
    typed in the form), which the site's ``form-action 'self'`` would make the browser refuse:
    this page alone lets the form go there."""
    response = render(
        request,
        "connectors/console_zalo.html",
        {
            "unit": unit,
            "connection": ZaloConnection.objects.filter(unit=unit).first() if unit else None,
            "can_connect": can_connect,
            "errors": errors or {},
            "values": values or {},
            "sandbox": settings.LANGNGHE_ZALO_SANDBOX,
        },
        status=status,
    )
    allowed = "http: https:" if settings.LANGNGHE_ZALO_SANDBOX else zalo.OAUTH_BASE
    response["Content-Security-Policy"] = content_security_policy().replace(
        "form-action 'self'", f"form-action 'self' {allowed}"
    )
    return response


@login_required
def zalo_page(request):
    unit = current_unit(request)
    can_connect = unit is not None and oauth.has_role(request.user, unit, oauth.CONNECT_ROLES)
    return _zalo_page(request, unit, can_connect=can_connect)


@login_required
@require_POST
def zalo_connect_start(request):
    unit = current_unit(request)
    form = ZaloConnectForm(request.POST)
    data = form.cleaned_data if form.is_valid() else dict.fromkeys(form.fields, "")
    try:
        if unit is None:
            raise ApplicationError("Chưa chọn đơn vị.")
        url = oauth.oauth_start(
            session=request.session,
            user=request.user,
            unit=unit,
            app_id=data["app_id"],
            app_secret=data["app_secret"],
            webhook_secret=data["webhook_secret"],
            oauth_base=data["oauth_base"],
            redirect_uri=request.build_absolute_uri("/staff/zalo/callback/"),
        )
    except ApplicationError as exc:
        return _zalo_page(
            request,
            unit,
            can_connect=True,
            errors={exc.field or "form": exc.message},
            values={k: data[k] for k in ("app_id", "oauth_base")},  # never the secrets
            status=form_page_status(exc.status),
        )
    return redirect(url)


@login_required
def zalo_connect_callback(request):
    try:
        connection = oauth.oauth_finish(
            session=request.session,
            user=request.user,
            code=request.GET.get("code", ""),
            state=request.GET.get("state", ""),
            oa_id=request.GET.get("oa_id", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã kết nối Zalo OA cho {connection.unit.name}.")
    return redirect("/staff/zalo/")
