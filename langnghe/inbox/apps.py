from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out

from langnghe.cases.events import case_status_changed


class InboxConfig(AppConfig):
    name = "langnghe.inbox"
    label = "inbox"
    verbose_name = "Trực ban"

    def ready(self):
        # cycle: the receivers reach the models (through services), which Django loads only
        # after every app's config; ``ready`` is the first moment they can be imported.
        from .receivers import close_live_sockets, relay_case_news

        case_status_changed.connect(relay_case_news, dispatch_uid="inbox.case_news")
        user_logged_out.connect(close_live_sockets, dispatch_uid="inbox.close_live_sockets")
