"""Settings of the benchmark servers: the ordinary settings, plus one honest relaxation.

The development tools (this directory as a Django app: `gen_load`, `bench_insights`,
`bench_surveys`) are installed here, as with LANGNGHE_DEVTOOLS=1.

All load comes from 127.0.0.1, so the surveys' per-address limit (150 responses per 10 minutes
from one address, langnghe.surveys.services) would refuse the run after a second; it is turned
off here and only here (LANGNGHE_SURVEY_IP_LIMIT = 0). Per-device and per-unit checks stay on.
The bench's Zalo connection points at a dead local port (nothing is sent to Zalo): a declared
sandbox (LANGNGHE_ZALO_SANDBOX).

``BENCH_WITHOUT`` (comma-separated) turns speed mechanisms off, to measure what each buys
(docs/benchmarks.md, "What each speed mechanism buys"): ``lane-handler`` (the survey POST
through django-ninja), ``page-cache``,
``prepared`` (no server-side prepared statements).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from langnghe.settings.base import *  # noqa: F403
from langnghe.settings.base import DATABASES, INSTALLED_APPS

if "bench" not in INSTALLED_APPS:
    INSTALLED_APPS.append("bench")

LANGNGHE_SURVEY_IP_LIMIT = 0
LANGNGHE_ZALO_SANDBOX = True

WITHOUT = {name for name in os.environ.get("BENCH_WITHOUT", "").split(",") if name}
if unknown := WITHOUT - {"lane-handler", "page-cache", "prepared"}:
    raise ImproperlyConfigured(f"BENCH_WITHOUT: unknown {sorted(unknown)}")
if "lane-handler" in WITHOUT:
    LANGNGHE_MACHINE_LANE_HANDLERS = {}
if "page-cache" in WITHOUT:
    LANGNGHE_UNIT_PAGE_CACHE = False
_options = DATABASES["default"].get("OPTIONS", {})
if "prepared" in WITHOUT and "prepare_threshold" in _options:
    _options["prepare_threshold"] = None
