import sys
import threading

from django.apps import AppConfig

from .classifier import get_model


def warm_up_in_worker(argv: list[str]) -> threading.Thread | None:
    """In a task worker (``langnghe db_worker``), load the triage model as the process starts,
    in the background: numpy's import and the fitted arrays take a second or so, which
    the first citizen's message of a burst would otherwise wait for (a sixth of a worker's
    first ten seconds under load, in a profile). Elsewhere, nothing: a web process or a command
    loads it when it first needs it."""
    if "db_worker" not in argv[1:3]:
        return None
    thread = threading.Thread(target=get_model, name="triage-warm-up", daemon=True)
    thread.start()
    return thread


class TriageConfig(AppConfig):
    name = "langnghe.triage"
    label = "triage"
    verbose_name = "Phân loại tin nhắn"

    def ready(self):
        warm_up_in_worker(sys.argv)
