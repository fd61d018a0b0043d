from django.urls import path

from . import views

app_name = "connectors"
urlpatterns = [
    path("webhooks/zalo/<str:unit_code>/", views.zalo_webhook, name="zalo_webhook"),
]
