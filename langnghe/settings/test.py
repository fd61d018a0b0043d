"""Test overlay: with these settings, tests run faster and touch nothing outside."""

import os
import tempfile

os.environ.setdefault("LANGNGHE_VAR_DIR", os.path.join(tempfile.gettempdir(), "langnghe-test-var"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# The Zalo simulator stands in for Zalo (also in the processes tests start); the tests of the
# real rule turn it off with override_settings.
os.environ.setdefault("LANGNGHE_ZALO_SANDBOX", "1")

from .base import *  # noqa: E402,F403
from .base import DATABASES, INSTALLED_APPS, env, postgres_options  # noqa: E402

# The development tools (bench/) are tested with the rest.
if "bench" not in INSTALLED_APPS:
    INSTALLED_APPS.append("bench")

# TEST_DATABASE_URL picks the database under test (PostgreSQL in the second pass of make test).
if test_url := env.str("TEST_DATABASE_URL", default=""):
    DATABASES["default"] = postgres_options(env.db_url_config(test_url))
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A distinct test database name lets two suites run side by side on one server.
    if test_name := env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": test_name}
else:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": ":memory:"},
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LANGNGHE_PUBLIC_URL = "http://testserver"
# django-axes counts failed logins; tests that need it turn it on with override_settings.
AXES_ENABLED = False
# The public unit page's body cache (langnghe/units/pagecache.py) outlives a test's rolled-back
# rows in the shared local-memory cache; off here, on in the tests that check it.
LANGNGHE_UNIT_PAGE_CACHE = False
# The survey form's per-process memo of unit and template (surveys.selectors.form_config) would
# outlive a test's rolled-back rows too.
LANGNGHE_SURVEY_CONFIG_TTL = 0
# The webhook drain task runs inline here (ImmediateBackend): it must not linger for more.
LANGNGHE_WEBHOOK_DRAIN_LINGER = 0
# The procedures quoted in automatic answers are kept per process (procedures.selectors); a
# test's rolled-back catalogue must not be quoted in the next.
LANGNGHE_PROCEDURE_ANSWER_TTL = 0
