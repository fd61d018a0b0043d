"""Values one process keeps for a few seconds in front of the database or the shared cache.

Every use says what it keeps and for how long a change may go unseen by the other processes
(the process that makes a change clears its own copy). Bounded: when full, it starts afresh.
"""

import time
from collections.abc import Callable, Hashable
from typing import Any


class ProcessMemo:
    def __init__(self, ttl: float, max_size: int = 10_000):
        self.ttl, self.max_size = ttl, max_size
        self._values: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The kept value, else ``load()`` kept for ``ttl`` (None is not kept; an exception
        leaves nothing behind)."""
        hit = self._values.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        value = load()
        if value is not None:
            self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if len(self._values) >= self.max_size:
            self._values.clear()
        self._values[key] = (time.monotonic() + (self.ttl if ttl is None else ttl), value)

    def clear(self) -> None:
        self._values.clear()
