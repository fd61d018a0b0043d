"""Settings of the benchmark servers: the ordinary settings, plus one honest relaxation.

The development tools (this directory as a Django app: `gen_load`, `bench_insights`,
`bench_surveys`) are installed here, as with LANGNGHE_DEVTOOLS=1.

All load comes from 127.0.0.1, so the surveys' per-address limit (150 responses per 10 minutes
from one address, langnghe.surveys.services) would refuse the run after a second; it is turned
off here and only here (LANGNGHE_SURVEY_IP_LIMIT = 0). Per-device and per-unit checks stay on.
The bench's Zalo connection points at a dead local port (nothing is sent to Zalo): a declared
sandbox (LANGNGHE_ZALO_SANDBOX).
"""

from langnghe.settings.base import *  # noqa: F403
from langnghe.settings.base import INSTALLED_APPS

if "bench" not in INSTALLED_APPS:
    INSTALLED_APPS.append("bench")

LANGNGHE_SURVEY_IP_LIMIT = 0
LANGNGHE_ZALO_SANDBOX = True
