from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from langnghe.units.models import Unit

from . import second_factor
from .console import SESSION_KEY, current_unit
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
    scope = visible_units(request.user)
    return render(
        request,
        "accounts/console_home.html",
        {
            "unit": unit,
            "scope_count": scope.count(),
            "memberships": membership_list(user=request.user).filter(user=request.user),
        },
    )


@login_required
@require_POST
def unit_switch(request):
    code = request.POST.get("unit", "")
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not can_see_unit(request.user, unit):
        messages.error(request, "Đơn vị không nằm trong phạm vi của bạn.")
    else:
        request.session[SESSION_KEY] = unit.code
        messages.success(request, f"Đang làm việc tại: {unit.name}")
    target = request.POST.get("next") or "/staff/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/staff/"
    return redirect(target)


@login_required
def second_factor_page(request):
    """Enter the 6-digit code; on the first visit, enrol an authenticator app first."""
    target = request.GET.get("next") or request.POST.get("next") or "/staff/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/staff/"
    error = None
    if request.method == "POST":
        if second_factor.second_factor_verify(request=request, token=request.POST.get("token")):
            return redirect(target)
        error = "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã 6 số mới nhất."
    device = second_factor.confirmed_device(request.user)
    context = {"error": error, "next": target, "enrolling": device is None}
    if device is None:
        enrolment = second_factor.enrolment_device(request.user)
        context["qr_svg"] = second_factor.enrolment_qr_svg(enrolment)
        context["secret"] = second_factor.device_secret_base32(enrolment)
    return render(request, "accounts/second_factor.html", context, status=400 if error else 200)
