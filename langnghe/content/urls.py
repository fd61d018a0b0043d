from django.urls import path

from . import views

app_name = "content"
urlpatterns = [
    path("bai-viet/<int:pk>-<slug:slug>/", views.post_page, name="post"),
    path("chia-se/<int:pk>/", views.share, name="share"),
    path("don-vi/<slug:slug>/bai-viet/", views.unit_posts, name="unit_posts"),
    path("don-vi/<slug:slug>/feed.atom", views.UnitFeed(), name="unit_feed"),
    path("staff/content/", views.console_list, name="console"),
    path("staff/content/new/", views.console_new, name="console_new"),
    path("staff/content/<int:pk>/", views.console_edit, name="console_edit"),
    path("staff/content/<int:pk>/action/", views.console_action, name="console_action"),
]
