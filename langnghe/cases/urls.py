from django.urls import path, re_path

from . import open311, views

app_name = "cases"
FMT = r"(?P<fmt>json|xml)"
urlpatterns = [
    path("phan-anh/", views.report_form, name="report"),
    path("phan-anh/da-gui/", views.report_sent, name="report_sent"),
    path("phan-anh/tra-cuu/", views.status_page, name="status"),
    path("phan-anh/bien-nhan/", views.receipt_page, name="receipt"),
    path("staff/cases/", views.console_list, name="console_list"),
    path("staff/cases/new/", views.console_new, name="console_new"),
    path("staff/cases/bulk-assign/", views.console_bulk_assign, name="console_bulk_assign"),
    path("staff/cases/identity-requests/", views.console_reveal_requests, name="console_reveals"),
    path("staff/cases/<int:case_id>/", views.console_detail, name="console_detail"),
    path("staff/cases/<int:case_id>/identity/", views.console_identity, name="console_identity"),
    path(
        "staff/cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.console_attachment,
        name="console_attachment",
    ),
    path(
        "staff/cases/<int:case_id>/attachments/<int:attachment_id>/thumbnail/",
        views.console_attachment_thumbnail,
        name="console_attachment_thumbnail",
    ),
    path("staff/cases/<int:case_id>/<slug:action>/", views.console_action, name="console_action"),
    re_path(rf"^open311/v2/services\.{FMT}$", open311.services_list, name="open311_services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[\w-]+)\.{FMT}$",
        open311.service_detail,
        name="open311_service",
    ),
    re_path(rf"^open311/v2/requests\.{FMT}$", open311.requests_view, name="open311_requests"),
    re_path(
        rf"^open311/v2/requests/(?P<request_id>[\w-]+)\.{FMT}$",
        open311.request_detail,
        name="open311_request",
    ),
    re_path(
        rf"^open311/v2/tokens/(?P<token>[\w-]+)\.{FMT}$", open311.token_detail, name="open311_token"
    ),
]
