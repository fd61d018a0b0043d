"""The Redis cache: django-redis with ``IGNORE_EXCEPTIONS``, so it degrades instead of failing.

The cache holds only what can be lost: rate-limit counters, flags, cached fragments. When Redis
is away, reads miss, writes are dropped and counters start again — pages and forms keep working
(rate limits then fall back to the database-backed ones, e.g. surveys). django-redis logs each
ignored error (``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS``) to this module's logger, where
``OncePerMinute`` lets one through a minute.

Two answers differ from django-redis' ``None`` on a lost connection, because callers act on
them: ``add`` says True (the caller goes on as if it had the key: a rate-limit window starts
afresh, a drain or a flush is queued) and ``incr`` returns the delta (a counter starts again).
"""

import logging
import time

from django_redis.cache import RedisCache


class TolerantRedisCache(RedisCache):
    """Use with ``OPTIONS={"IGNORE_EXCEPTIONS": True}`` (set in the settings)."""

    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added

    def incr(self, key, delta=1, *args, **kwargs):
        value = super().incr(key, delta, *args, **kwargs)
        return delta if value is None else value


class OncePerMinute(logging.Filter):
    """Lets one record through a minute: Redis away fails every cache call of every request."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._last < 60:
            return False
        self._last = now
        return True
