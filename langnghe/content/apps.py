from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "langnghe.content"
    label = "content"
    verbose_name = "Bài viết và thông báo"
