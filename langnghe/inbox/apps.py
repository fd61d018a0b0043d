from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "langnghe.inbox"
    label = "inbox"
    verbose_name = "Trực ban"
