"""`make run`'s supervisor: the embedded default boots, is ready, and one Ctrl-C leaves nothing running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from bench.harness import free_port

ROOT = Path(__file__).resolve().parent.parent


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def restarted_worker(supervisor_pid: int, old_pid: int) -> bool:
    for child in psutil.Process(supervisor_pid).children(recursive=True):
        try:
            if child.pid != old_pid and child.cmdline()[-1:] == ["bff.worker"]:
                return True
        except psutil.Error:  # gone, or a zombie not yet reaped
            continue
    return False


def not_a_zombie(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.mark.slow
def test_make_run_boots_sqlite_and_embedded_redis_and_one_ctrl_c_stops_every_process(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ONETHING_") and k not in ("DATABASE_URL", "REDIS_URL")}
    port = free_port()
    env.update(ONETHING_VAR_DIR=str(tmp_path / "var"), ONETHING_PORT=str(port),
               ONETHING_DEVIDP_PORT=str(free_port()), ONETHING_SIMULATOR_PORT=str(free_port()))
    supervisor = subprocess.Popen([sys.executable, "-m", "bff.devserver"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        ready = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and supervisor.poll() is None:
            try:
                ready = get_json(f"http://127.0.0.1:{port}/readyz")
                break
            except OSError:
                time.sleep(0.5)
        assert ready == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}
        assert (tmp_path / "var" / "onething.db").exists(), "SQLite lives under var/"
        assert (tmp_path / "var" / "redis").is_dir(), "the embedded Redis keeps its data under var/"
        started = psutil.Process(supervisor.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in started)
        for expected in ("valkey-server", "gunicorn", "devidp", "simulate-departments", "bff.worker",
                         "bff.worker cron"):
            assert expected in names, f"{expected} was not started: {names}"
        [worker] = [p for p in started if p.cmdline()[-1:] == ["bff.worker"]]
        worker.kill()  # a crashed child is started again; the product goes on
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not restarted_worker(supervisor.pid, worker.pid):
            time.sleep(0.2)
        assert restarted_worker(supervisor.pid, worker.pid), "the worker was not started again"
        assert supervisor.poll() is None
        assert get_json(f"http://127.0.0.1:{port}/readyz")["status"] == "ok"
        started = [p for p in psutil.Process(supervisor.pid).children(recursive=True) if not_a_zombie(p)]
    finally:
        supervisor.send_signal(signal.SIGINT)
        output, _ = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 0, output
    assert "All OneThing processes stopped." in output
    assert "worker stopped (exit -9); starting it again" in output
    assert "张伟" in output and f"http://127.0.0.1:{port}" in output, "prints the URL and the personas"
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"
