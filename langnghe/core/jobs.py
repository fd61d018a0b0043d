"""Background jobs by name: services enqueue them, the apps' ``tasks`` modules run them.

A service that wants work done later says ``jobs.enqueue("connectors.outbound_send",
outbound_id=5)``; the task behind that name is a django-tasks task in its app's ``tasks.py``,
declared with ``@jobs.job("connectors.outbound_send")``. A task module imports its services at
module level and a service imports only this dispatcher, so neither imports the other (before,
each side imported the other inside functions to break the cycle).

The names are found once, on first use, by importing every app's ``tasks`` module (through
``langnghe.discovery``, so core names no app).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks import task as django_task
from django_tasks.base import Task

from langnghe.discovery import task_modules

_registry: dict[str, Task] = {}
_loaded = False


def job(name: str, **options) -> Callable[[Callable], Task]:
    """Declare a module-level function as the task run for ``name`` (``options`` go to
    django-tasks' ``@task``: ``priority``, ``queue_name``…)."""

    def register(func: Callable) -> Task:
        if name in _registry and _registry[name].func is not func:
            raise ValueError(f"two tasks declared for job {name!r}")
        _registry[name] = django_task(**options)(func)
        return _registry[name]

    return register


def get(name: str) -> Task:
    global _loaded
    if name not in _registry and not _loaded:
        list(task_modules())  # importing each app's tasks module declares its jobs
        _loaded = True
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no task declared for job {name!r}") from None


def can_defer(name: str) -> bool:
    """Whether the configured backend runs a job later (the database backend does; the
    immediate backend of the tests does not)."""
    return bool(getattr(get(name).get_backend(), "supports_defer", False))


def enqueue(
    name: str, *args: Any, run_after: datetime | None = None, on_commit: bool = False, **kwargs
) -> None:
    """Queue job ``name`` with these arguments. ``run_after`` defers it (ignored by a backend
    that cannot defer); ``on_commit`` queues it once the current transaction commits, so the
    worker sees the rows the job is about."""

    def send() -> None:
        task = get(name)
        if run_after is not None and can_defer(name):
            task = task.using(run_after=run_after)
        task.enqueue(*args, **kwargs)

    if on_commit:
        transaction.on_commit(send)
    else:
        send()
