"""Group commit: the threads of one process that write the same kind of row at the same moment
share one statement and one commit, and each still answers only once its own row is durable.

Under gthread workers (``langnghe serve --worker-class gthread``) a web process runs several
requests at once; in a QR campaign most of them are survey responses, each an INSERT of one row
whose fixed cost (a round trip, a statement to execute, a commit) is most of what PostgreSQL
does for it. Here the first thread to arrive while no batch is being written becomes the
leader: it takes every waiting item (but keeps apart items that share a key: they must see each
other's writes), writes them with one call of ``write`` on its own connection, hands each
waiting thread its result, and passes the lead to the first thread still waiting. A thread
alone (a sync worker, a quiet hour) writes its item by itself, at once: nothing waits for a
batch to fill.

A write that raises raises in every thread of its batch (each then answers as it would have
alone: the machine lane retries once on a fresh connection). Nothing is ever answered before
the statement that stores it has committed.
"""

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Slot:
    item: object
    keys: frozenset
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    result: object = None
    error: BaseException | None = None


class GroupCommit:
    """``submit(item, keys)`` → ``write([items])[i]`` for this item, written with the items other
    threads submitted meanwhile. Two items that share a key never go in the same batch (the
    later waits for the next one): a key names what an item's checks read, so an item never
    misses a row written in its own batch. At most ``limit`` items per batch."""

    def __init__(self, write: Callable[[list], list], *, limit: int = 64):
        self._write = write
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._busy = False

    def submit(self, item, keys: Iterable[Hashable] = ()):
        slot = _Slot(item, frozenset(keys))
        with self._lock:
            self._waiting.append(slot)
            if not self._busy:
                self._busy = slot.lead = True
        if not slot.lead:
            slot.done.wait()
            if not slot.lead:  # written by another thread's batch
                if slot.error is not None:
                    raise slot.error
                return slot.result
        self._lead(slot)
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _lead(self, own: _Slot) -> None:
        """Write one batch (``own`` first in it), then pass the lead on or put it down."""
        with self._lock:
            batch, seen = [], set()
            for slot in [own, *(s for s in self._waiting if s is not own)]:
                if len(batch) >= self._limit:
                    break
                if slot.keys & seen:
                    continue
                seen |= slot.keys
                batch.append(slot)
            taken = set(map(id, batch))
            self._waiting = [s for s in self._waiting if id(s) not in taken]
        try:
            results = self._write([slot.item for slot in batch])
            for slot, result in zip(batch, results, strict=True):
                slot.result = result
        except BaseException as exc:  # noqa: BLE001 — raised again in every thread of the batch
            for slot in batch:
                slot.error = exc
        finally:
            with self._lock:
                if self._waiting:
                    after = self._waiting[0]
                    after.lead = True
                else:
                    after, self._busy = None, False
            for slot in batch:
                if slot is not own:
                    slot.done.set()
            if after is not None:
                after.done.set()
