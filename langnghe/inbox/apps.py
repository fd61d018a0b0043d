from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "langnghe.inbox"
    label = "inbox"
    verbose_name = "Trực ban"

    def ready(self):
        # registry: only once the apps are ready
        from django.contrib.auth.signals import user_logged_out

        from langnghe.cases.events import case_status_changed

        from .receivers import close_live_sockets, relay_case_news

        case_status_changed.connect(relay_case_news, dispatch_uid="inbox.case_news")
        user_logged_out.connect(close_live_sockets, dispatch_uid="inbox.close_live_sockets")
