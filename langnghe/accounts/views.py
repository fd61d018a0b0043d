from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied, form_page_status
from langnghe.units.models import Unit

from . import second_factor
from .console import SESSION_KEY, current_unit
from .forms import EnrolmentCodeForm, SecondFactorForm, UnitSwitchForm
from .models import User
from .selectors import can_see_unit, membership_list, visible_units


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=False), name="post")
class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if getattr(request, "limited", False):
            form = self.get_form()
            form.add_error(None, "Bạn đã thử đăng nhập quá nhiều lần. Vui lòng đợi một phút.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


@login_required
def console_home(request):
    unit = current_unit(request)
    scope = visible_units(request.user).filter(is_active=True)
    return render(
        request,
        "accounts/console_home.html",
        {
            "unit": unit,
            "scope_count": scope.count(),
            "memberships": membership_list(user=request.user).filter(user=request.user),
            "may_issue_codes": request.user.is_superuser
            or visible_units(request.user, roles=second_factor.ISSUER_ROLES).exists(),
        },
    )


@login_required
@require_POST
def unit_switch(request):
    form = UnitSwitchForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"unit": "", "next": ""}
    unit = Unit.objects.filter(code=data["unit"]).first() if data["unit"] else None
    if unit is None or not can_see_unit(request.user, unit):
        messages.error(request, "Đơn vị không nằm trong phạm vi của bạn.")
    else:
        request.session[SESSION_KEY] = unit.code
        messages.success(request, f"Đang làm việc tại: {unit.name}")
    target = data["next"] or "/staff/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/staff/"
    return redirect(target)


ENROLMENT_CODE_REFUSED = (
    "Mã kích hoạt không đúng, đã dùng hoặc đã hết hạn. Hãy xin mã mới từ quản trị viên hoặc "
    "chỉ huy đơn vị của bạn."
)


@login_required
def second_factor_page(request):
    """Enter the 6-digit code. The first time, enrol an authenticator app: after the one-time
    enrolment code an admin or a commander issued (the password alone is not enough)."""
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    data = form.cleaned_data if form.is_valid() else {"next": "", "enrolment_code": "", "token": ""}
    target = request.GET.get("next") or data["next"] or "/staff/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/staff/"
    error = None
    device = second_factor.confirmed_device(request.user)
    needs_code = device is None and not second_factor.enrolment_allowed(request)
    if request.method == "POST":
        if needs_code:
            if second_factor.enrolment_code_redeem(request=request, code=data["enrolment_code"]):
                return redirect(f"/staff/2fa/?{urlencode({'next': target})}")
            error = ENROLMENT_CODE_REFUSED
        elif second_factor.second_factor_verify(request=request, token=data["token"]):
            return redirect(target)
        elif wait := second_factor.wait_seconds(request.user):
            error = (
                f"Mã vừa nhập không được chấp nhận. Sau mỗi lần nhập sai phải chờ lâu hơn: "
                f"hãy chờ {wait} giây rồi nhập mã 6 số mới nhất trên ứng dụng."
            )
        else:
            error = "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã 6 số mới nhất."
    context = {
        "error": error,
        "next": target,
        "enrolling": device is None,
        "needs_code": needs_code,
    }
    if device is None and not needs_code:
        enrolment = second_factor.enrolment_device(request.user)
        context["qr_svg"] = second_factor.enrolment_qr_svg(enrolment)
        context["secret"] = second_factor.device_secret_base32(enrolment)
    # The form shown again with its error: 200, not a failed request (form_page_status).
    response = render(request, "accounts/second_factor.html", context)
    add_never_cache_headers(response)  # the enrolment secret
    return response


ISSUED_SESSION_KEY = "enrolment_code_issued"


@login_required
def enrolment_code_page(request):
    """An admin or a commander issues a one-time enrolment code for a staff member of their
    unit or below — after removing the member's old device when the phone was lost. The code
    is shown once, on the page the POST redirects to (a reload neither shows it again nor
    issues another)."""
    may_issue = request.user.is_superuser or (
        visible_units(request.user, roles=second_factor.ISSUER_ROLES).exists()
    )
    context = {
        "may_issue": may_issue,
        "error": None,
        "issued": request.session.pop(ISSUED_SESSION_KEY, None),
        "username": "",
    }
    status = 200
    if request.method == "POST":
        form = EnrolmentCodeForm(request.POST)
        data = form.cleaned_data if form.is_valid() else {"username": "", "remove_devices": False}
        username = data["username"]
        context["username"] = username
        try:
            if not may_issue:
                raise PermissionDenied(
                    "Chỉ quản trị viên hoặc chỉ huy đơn vị mới cấp được mã kích hoạt."
                )
            if not username:
                raise ApplicationError("Hãy nhập tên đăng nhập của cán bộ.", field="username")
            user = User.objects.filter(username=username).first()
            if user is None:
                shown = username if len(username) <= 60 else username[:60] + "…"
                raise NotFound(
                    f"Không có cán bộ “{shown}” trong phạm vi bạn quản lý.",
                    code="user_not_found",
                )
            removed = 0
            if data["remove_devices"]:
                removed = second_factor.devices_remove(user=user, by=request.user)
            code = second_factor.enrolment_code_issue(user=user, by=request.user)
        except ApplicationError as exc:
            context["error"], status = exc.message, form_page_status(exc.status)
        else:
            request.session[ISSUED_SESSION_KEY] = {
                "name": user.full_name or user.username,
                "code": code,
                "hours": settings.LANGNGHE_ENROLMENT_CODE_HOURS,
                "removed": removed,
                "has_device": second_factor.confirmed_device(user) is not None,
            }
            return redirect("/staff/enrolment-codes/")
    response = render(request, "accounts/enrolment_codes.html", context, status=status)
    add_never_cache_headers(response)  # the code, shown once
    return response
