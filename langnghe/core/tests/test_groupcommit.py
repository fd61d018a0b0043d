"""Group commit (langnghe.core.groupcommit): concurrent items share one write, each thread gets
its own result, items that share a key are never in one batch, a failure reaches every thread
of its batch and the next batch still runs."""

import threading

import pytest

from langnghe.core.groupcommit import GroupCommit


class Writer:
    """A write that records its batches; the first batch waits for ``release`` so that the
    other threads queue up behind it."""

    def __init__(self, fail_on=None):
        self.batches: list[list] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, items):
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.started.set()
            assert self.release.wait(5)
        if self.fail_on is not None and self.fail_on in items:
            raise RuntimeError(f"write of {self.fail_on} failed")
        return [item * 10 for item in items]


def queued_behind_first(group, writer, n, keys=None):
    """Item 0 from one thread, whose write is held; items 1..n-1 from their own threads,
    queued behind it; then the write is released. Results and errors by item."""
    results, errors = {}, {}

    def submit(item):
        try:
            results[item] = group.submit(item, keys(item) if keys else [item])
        except Exception as exc:  # noqa: BLE001 — recorded for the test
            errors[item] = exc

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    threads[0].start()
    assert writer.started.wait(5)
    for thread in threads[1:]:
        thread.start()
    while len(group._waiting) < n - 1:  # every one of them queued behind the first write
        threading.Event().wait(0.005)
    writer.release.set()
    for thread in threads:
        thread.join(5)
    return results, errors


def test_a_thread_alone_writes_at_once():
    writer = Writer()
    writer.release.set()
    group = GroupCommit(writer)
    assert group.submit(1) == 10
    assert group.submit(2) == 20
    assert writer.batches == [[1], [2]]


def test_threads_that_arrive_during_a_write_share_the_next_one():
    writer = Writer()
    group = GroupCommit(writer)
    results, errors = queued_behind_first(group, writer, 9)
    assert not errors
    assert results == {i: i * 10 for i in range(9)}
    assert writer.batches[0] == [0]
    assert sorted(writer.batches[1]) == list(range(1, 9))  # one write for all eight
    assert len(writer.batches) == 2


def test_items_that_share_a_key_never_go_in_one_batch():
    writer = Writer()
    group = GroupCommit(writer)
    results, errors = queued_behind_first(group, writer, 7, keys=lambda i: [i % 2])
    assert not errors and results == {i: i * 10 for i in range(7)}
    for batch in writer.batches:
        assert len({i % 2 for i in batch}) == len(batch), writer.batches  # no key twice
    assert sorted(i for batch in writer.batches for i in batch) == list(range(7))


def test_a_failed_write_raises_in_every_thread_of_its_batch_and_the_next_batch_runs():
    writer = Writer(fail_on=3)
    group = GroupCommit(writer)
    results, errors = queued_behind_first(group, writer, 5)
    assert results == {0: 0}
    assert set(errors) == {1, 2, 3, 4}  # the batch that held 3
    assert all("write of 3 failed" in str(exc) for exc in errors.values())
    assert group.submit(5) == 50  # the lead was put down: the next item is written


def test_a_limit_caps_the_batch():
    writer = Writer()
    group = GroupCommit(writer, limit=3)
    results, errors = queued_behind_first(group, writer, 8)
    assert not errors and len(results) == 8
    assert max(len(batch) for batch in writer.batches) == 3
    assert len(writer.batches) == 1 + 3  # 7 waiting, three at a time


@pytest.mark.parametrize("n", [1, 2])
def test_no_thread_is_left_waiting(n):
    writer = Writer()
    writer.release.set()
    group = GroupCommit(writer)
    threads = [threading.Thread(target=group.submit, args=(i,)) for i in range(50 * n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
    assert sorted(i for batch in writer.batches for i in batch) == list(range(50 * n))
    assert not group._waiting and not group._busy
