from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("staff/insights/", views.dashboard, name="dashboard"),
    path("staff/insights/reports/", views.report_start, name="report_start"),
    path("staff/insights/reports/<uuid:report_id>/", views.report_page, name="report_page"),
    path(
        "staff/insights/reports/<uuid:report_id>/file/", views.report_download, name="report_file"
    ),
]
