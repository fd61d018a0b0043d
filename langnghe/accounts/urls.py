from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.console_home, name="console"),
    path("staff/unit/", views.unit_switch, name="unit_switch"),
    path("staff/2fa/", views.second_factor_page, name="second_factor"),
    # Not under /staff/2fa/: that prefix is open to a session without the second factor.
    path("staff/enrolment-codes/", views.enrolment_code_page, name="enrolment_codes"),
]
