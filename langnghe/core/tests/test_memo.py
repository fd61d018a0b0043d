"""The process memo: keeps a loaded value for its ttl, never keeps None, stays bounded."""

import threading
import time

from langnghe.core.memo import ProcessMemo


def test_keeps_until_ttl_then_loads_again():
    memo, loads = ProcessMemo(0.05), []

    def load():
        loads.append(1)
        return len(loads)

    assert memo.get("k", load) == 1
    assert memo.get("k", load) == 1  # kept
    time.sleep(0.06)
    assert memo.get("k", load) == 2  # expired: loaded again
    memo.clear()
    assert memo.get("k", load) == 3


def test_none_and_exceptions_are_not_kept():
    memo = ProcessMemo(60)
    assert memo.get("k", lambda: None) is None
    assert memo.get("k", lambda: "v") == "v"
    memo.clear()
    try:
        memo.get("k", lambda: 1 / 0)
    except ZeroDivisionError:
        pass
    assert memo.get("k", lambda: "after") == "after"


def test_bounded():
    memo = ProcessMemo(60, max_size=10)
    for i in range(100):
        memo.put(i, i)
    assert len(memo._values) <= 10
    assert memo.get(99, lambda: "loaded") == 99  # the newest entries stay


def test_threads_share_it():
    memo = ProcessMemo(60, max_size=50)
    errors = []

    def work(n):
        try:
            for i in range(2000):
                assert memo.get((n, i % 80), lambda i=i: i % 80) == i % 80
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
