from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("khao-sat/", views.shared_form, name="shared"),
    path("khao-sat/<str:code>/", views.unit_form, name="form"),
    path("khao-sat/<str:code>/cam-on/", views.thanks, name="thanks"),
    path("staff/surveys/", views.results_page, name="results"),
    path("staff/surveys/export/", views.export_start, name="export"),
    path("staff/surveys/exports/<uuid:export_id>/", views.export_page, name="export_page"),
    path(
        "staff/surveys/exports/<uuid:export_id>/file/",
        views.export_download,
        name="export_download",
    ),
    path("staff/surveys/templates/", views.templates_page, name="templates"),
    path("staff/surveys/flagged/", views.flagged_page, name="flagged"),
]
