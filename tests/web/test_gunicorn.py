"""The production configuration (nis_library/gunicorn_conf.py): workers sized to the cores, each
held to its compute-thread budget, request limits; checked in real gunicorn workers."""

from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(shipped_instance: Path, tmp_path: Path):
    """Start gunicorn as the README says, with `env` added; yield (port, the log so far)."""
    started = []

    def start(**env: str) -> tuple[int, Path]:
        port, log = free_port(), tmp_path / f"gunicorn-{len(started)}.log"
        command = [sys.executable, "-m", "gunicorn", "-c", "python:nis_library.gunicorn_conf"]
        command += ["--bind", f"127.0.0.1:{port}", "nis_library:create_app()"]
        environment = os.environ | {"NIS_INSTANCE_DIR": str(shipped_instance), "PYTHONPATH": str(REPO)} | env
        with log.open("w") as out:
            started.append(subprocess.Popen(command, cwd=REPO, env=environment, stdout=out, stderr=out))
        return port, log

    yield start
    for process in started:
        process.terminate()
        process.wait(30)


def wait_for(log: Path, pattern: str, count: int, seconds: float = 60) -> list[re.Match]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = list(re.finditer(pattern, log.read_text()))
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{count} × {pattern!r} not in the log:\n{log.read_text()}")


def test_each_worker_runs_with_the_thread_budget(gunicorn):
    port, log = gunicorn(NIS_WORKERS="3", NIS_COMPUTE_THREADS="2")
    reports = wait_for(log, r"worker (\d+) compute threads: (.*)", count=3)
    assert len({report.group(1) for report in reports}) == 3  # three worker processes
    for report in reports:  # as the libraries themselves report it, inside each worker
        pools = dict(p.rsplit(" ", 1) for p in report.group(2).split(", "))
        assert "blas" in pools and set(pools.values()) == {"2"}, pools
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=noise", timeout=30) as response:
        assert response.status == 200
        assert "Server" not in response.headers and response.headers["Date"]  # before: Server: gunicorn


def test_an_overlong_request_line_is_refused_before_the_app(gunicorn):
    port, log = gunicorn(NIS_WORKERS="1")
    wait_for(log, r"compute threads", count=1)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q={'a' * 9000}", timeout=30)
    refused.value.close()
    assert "Server" not in refused.value.headers
    assert refused.value.code == 414  # gunicorn's answer: the app would cap the query at 600 characters


def test_workers_default_to_one_per_core(monkeypatch):
    from nis_library import gunicorn_conf

    monkeypatch.delenv("NIS_WORKERS", raising=False)
    assert importlib.reload(gunicorn_conf).workers == len(os.sched_getaffinity(0))
    monkeypatch.setenv("NIS_WORKERS", "5")
    assert importlib.reload(gunicorn_conf).workers == 5
    monkeypatch.delenv("NIS_WORKERS")
    importlib.reload(gunicorn_conf)


def test_the_budget_holds_torch_too():
    """torch sizes its pools when imported: the budget applies to it afterwards as well."""
    code = (
        "import torch; from indexer.bundle import compute_threads as c; c.set_budget(3); "
        "r = c.report(); print(r['torch'], r['torch interop'])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "3"]
