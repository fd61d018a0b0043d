"""Keys: production takes SECRET_KEY and LANGNGHE_DATA_KEYS from the environment (`langnghe
serve` refuses otherwise); the keys generated for development and the demo are created
exclusively, owner-only, and two processes starting together get one key."""

import multiprocessing
import stat
import subprocess

import pytest
from django.core.management import CommandError, call_command

from langnghe.core.keyfiles import key_file

KEYS = {"SECRET_KEY": "a-production-secret-key", "LANGNGHE_DATA_KEYS": "k1:" + "A" * 43}


@pytest.fixture
def no_process(monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("started a process"))


@pytest.mark.parametrize(
    "public_url, debug, host",
    [
        ("https://langnghe.bacgiang.gov.vn", False, "127.0.0.1"),  # behind HTTPS
        ("https://langnghe.bacgiang.gov.vn", True, "127.0.0.1"),  # even with DEBUG on
        ("http://127.0.0.1:8000", False, "0.0.0.0"),  # reachable from other machines
        ("http://10.2.2.5:8000", False, "127.0.0.1"),  # behind a proxy on another host
    ],
)
@pytest.mark.parametrize("missing", ["SECRET_KEY", "LANGNGHE_DATA_KEYS"])
def test_serve_refuses_production_without_keys_from_the_environment(
    public_url, debug, host, missing, settings, monkeypatch, no_process
):
    settings.LANGNGHE_PUBLIC_URL, settings.DEBUG = public_url, debug
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    with pytest.raises(CommandError, match=f"cần {missing} trong biến môi trường"):
        call_command("serve", "--host", host)


def test_serve_starts_in_production_with_keys_or_on_a_loopback_machine(settings, monkeypatch):
    started = []

    def popen(command, **kwargs):
        started.append(command)
        raise RuntimeError("stop here: the check passed")

    monkeypatch.setattr(subprocess, "Popen", popen)
    settings.LANGNGHE_PUBLIC_URL, settings.DEBUG = "https://langnghe.bacgiang.gov.vn", False
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match="the check passed"):
        call_command("serve", "--host", "0.0.0.0")
    # Development on one's own machine: the generated keys are fine.
    settings.LANGNGHE_PUBLIC_URL = "http://127.0.0.1:8000"
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.delenv("LANGNGHE_DATA_KEYS")
    with pytest.raises(RuntimeError, match="the check passed"):
        call_command("serve", "--host", "127.0.0.1")
    assert len(started) == 2


def test_a_generated_key_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "secret_key"
    key = key_file(path, lambda: "the-generated-key")
    assert key == "the-generated-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_file(path, lambda: pytest.fail("generated twice")) == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary left


def test_an_older_world_readable_key_file_is_tightened(tmp_path):
    path = tmp_path / "data_keys"
    path.write_text("k1:old\n")
    path.chmod(0o644)
    assert key_file(path, lambda: pytest.fail("generated again")) == "k1:old"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _make_key(path, barrier, results):
    import secrets

    barrier.wait()
    results.put(key_file(path, lambda: secrets.token_urlsafe(50)))


def test_processes_starting_together_get_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    path, count = tmp_path / "secret_key", 8
    barrier, results = context.Barrier(count), context.Queue()
    processes = [
        context.Process(target=_make_key, args=(path, barrier, results)) for _ in range(count)
    ]
    for process in processes:
        process.start()
    keys = {results.get(timeout=30) for _ in processes}
    for process in processes:
        process.join(timeout=30)
    assert len(keys) == 1 and keys == {path.read_text().strip()}
