"""Finds what each domain app contributes: API routers, page URLs, websocket routes, tasks,
the duty desk's channels.

An app opts in by defining ``api.router`` (a ninja Router), ``urls.urlpatterns`` or
``routing.websocket_urlpatterns``; nothing central needs editing when an app arrives.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings


def _modules(name: str):
    for app in settings.LANGNGHE_APPS:
        if find_spec(f"{app}.{name}") is not None:
            yield app, import_module(f"{app}.{name}")


def api_routers():
    for app, module in _modules("api"):
        if hasattr(module, "router"):
            yield app.rsplit(".", 1)[-1], module.router


def url_modules():
    yield from _modules("urls")


def demo_loaders():
    """``demo.load(stdout)`` of each app, in app order (units first: the others need them)."""
    for app, module in _modules("demo"):
        yield app, module.load


def unit_page_sections(request, unit) -> list[dict]:
    """Sections other apps add to a unit's public page: ``unit_page.section(request, unit)``
    returns ``{"template": ..., **context}`` or None."""
    sections = []
    for _app, module in _modules("unit_page"):
        if (section := module.section(request, unit)) is not None:
            sections.append(section)
    return sections


def unit_handovers() -> list:
    """The ``unit_handover`` module of each app holding work that belongs to a unit, in their
    ``ORDER``: ``running_work(unit)`` → {what, in words: how many} (counted by the plan of
    ``units.reorganize``), ``hand_over(*, from_unit, to_unit, note)`` moves it from a closed
    unit to its successor (inside the reorganisation's transaction)."""
    return sorted((module for _app, module in _modules("unit_handover")), key=lambda m: m.ORDER)


def console_nav() -> list[tuple[str, str, tuple[str, ...] | None]]:
    """Console menu entries: ``console.NAV`` = [(label, url) or (label, url, roles), ...] of
    each app; ``roles`` names the roles the page is of use to (None: every role)."""
    entries: list[tuple[str, str, tuple[str, ...] | None]] = []
    for _app, module in _modules("console"):
        for entry in getattr(module, "NAV", []):
            label, url, *roles = entry
            entries.append((label, url, tuple(roles[0]) if roles else None))
    return entries


def periodic_jobs() -> list:
    """``periodic.JOBS`` of each app: [(name, every_seconds, callable), ...]. Each job must be
    idempotent and safe to run in two processes at once (row leases, SKIP LOCKED)."""
    jobs: list = []
    for _app, module in _modules("periodic"):
        jobs.extend(module.JOBS)
    return jobs


def channels() -> dict:
    """``channels.CHANNELS`` of each app: {the conversation's channel name: its channel} (the
    duty desk's ``langnghe.inbox.channels``). A name declared twice is an error."""
    found: dict = {}
    for app, module in _modules("channels"):
        for name, channel in getattr(module, "CHANNELS", {}).items():
            if name in found:
                raise ValueError(f"channel {name!r} declared twice (again by {app})")
            found[name] = channel
    return found


def task_modules():
    """Each app's ``tasks`` module (importing it declares its jobs: ``langnghe.core.jobs``)."""
    for _app, module in _modules("tasks"):
        yield module


def websocket_urlpatterns() -> list:
    patterns: list = []
    for _app, module in _modules("routing"):
        # Only modules that declare websocket routes (an app may use "routing" for other things).
        patterns.extend(getattr(module, "websocket_urlpatterns", []))
    return patterns
