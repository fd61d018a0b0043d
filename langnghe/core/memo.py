"""Values one process keeps for a few seconds in front of the database or the shared cache.

Every use says what it keeps and for how long a change may go unseen by the other processes
(the process that makes a change clears its own copy). The keeping is cachetools' ``TTLCache``
(expiry, and a bound that drops the least recently used entry); a lock makes it safe for the
threads of one web process, and ``get`` adds the load-on-miss every use needs.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache


class ProcessMemo:
    def __init__(self, ttl: float, max_size: int = 10_000):
        self._values: TTLCache = TTLCache(maxsize=max_size, ttl=ttl, timer=time.monotonic)
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The kept value, else ``load()`` kept for the memo's ttl (None is not kept; an
        exception leaves nothing behind). ``load`` runs outside the lock: two threads missing
        at once may both load, and the later one's value is kept."""
        with self._lock:
            value = self._values.get(key)
        if value is not None:
            return value
        value = load()
        if value is not None:
            self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
