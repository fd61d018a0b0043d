from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "langnghe.inbox"
    label = "inbox"
    verbose_name = "Trực ban"

    def ready(self):
        from langnghe.cases.events import case_status_changed

        from .receivers import relay_case_news

        case_status_changed.connect(relay_case_news, dispatch_uid="inbox.case_news")
