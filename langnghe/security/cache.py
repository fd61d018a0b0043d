"""A Redis cache that degrades instead of failing (like django-redis' IGNORE_EXCEPTIONS).

The cache holds only what can be lost: rate-limit counters, cached fragments. When Redis is
away, reads miss, writes are dropped and counters start again — pages and forms keep working
(rate limits then fall back to the database-backed ones, e.g. surveys). Each failure is logged
at most once a minute.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger("langnghe.security.cache")

_last_warning = [0.0]


def _warn(exc: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning[0] > 60:
        _last_warning[0] = now
        log.warning("cache unavailable, degrading: %s", exc)


def _errors():
    from redis.exceptions import RedisError

    return (RedisError, OSError)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` object for every cache call, and redis-py
    fills a table of ~170 response callbacks in each one: 0.15 ms per call, more than the round
    trip itself (seen in a profile of the cached unit page). A ``redis.Redis`` over a pool is
    safe to share, so one is kept per pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _tolerant(self, method: str, default, *args, **kwargs):
        try:
            return getattr(super(), method)(*args, **kwargs)
        except _errors() as exc:
            _warn(exc)
            return default

    def get(self, key, default=None, version=None):
        return self._tolerant("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: the caller goes on as if it had the key (a rate-limit window starts afresh).
        return self._tolerant("add", True, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._tolerant("delete", False, key, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant("touch", False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._tolerant("incr", delta, key, delta, version)

    def get_many(self, keys, version=None):
        return self._tolerant("get_many", {}, keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._tolerant("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._tolerant("has_key", False, key, version)

    def clear(self):
        return self._tolerant("clear", None)

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().get_or_set(key, default, timeout, version)
        except _errors() as exc:
            _warn(exc)
            return default() if callable(default) else default
