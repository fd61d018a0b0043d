from django.urls import path, re_path

from . import views

app_name = "content"
urlpatterns = [
    path("bai-viet/<int:pk>-<slug:slug>/", views.post_page, name="post"),
    path("chia-se/<int:pk>/", views.share, name="share"),
    path("don-vi/<slug:slug>/bai-viet/", views.unit_posts, name="unit_posts"),
    path("don-vi/<slug:slug>/feed.atom", views.UnitFeed(), name="unit_feed"),
    # Local storage only (S3-style storages hand out their own absolute URLs).
    re_path(
        r"^media/(?P<name>content/(covers/[0-9a-f]{32}-\d+\.jpg|images/[0-9a-f]{32}\.(jpg|png)"
        r"|videos/\d{4}/\d{2}/[\w.-]+))$",
        views.media_file,
        name="media",
    ),
    path("staff/content/", views.console_list, name="console"),
    path("staff/content/new/", views.console_new, name="console_new"),
    path("staff/content/preview/", views.console_preview, name="console_preview"),
    path("staff/content/images/", views.console_image, name="console_image"),
    path("staff/content/<int:pk>/", views.console_edit, name="console_edit"),
    path("staff/content/<int:pk>/action/", views.console_action, name="console_action"),
]
