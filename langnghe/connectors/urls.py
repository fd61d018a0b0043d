from django.urls import path

from . import views, views_console

app_name = "connectors"
urlpatterns = [
    path("webhooks/zalo/<str:unit_code>/", views.zalo_webhook, name="zalo_webhook"),
    path("staff/zalo/", views_console.zalo_page, name="zalo"),
    path("staff/zalo/connect/", views_console.zalo_connect_start, name="zalo_connect"),
    path("staff/zalo/callback/", views_console.zalo_connect_callback, name="zalo_callback"),
]
