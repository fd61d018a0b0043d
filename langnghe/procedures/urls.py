from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("thu-tuc/", views.procedure_home, name="home"),
    path("thu-tuc/don-vi/<slug:slug>/", views.unit_procedures, name="unit"),
    path("thu-tuc/don-vi/<slug:slug>/in/", views.unit_sheet, name="unit_sheet"),
    path("thu-tuc/<slug:code>/", views.procedure_page, name="detail"),
]
