"""The worker and the periodic-jobs process ride out Redis faults, and one cron of several is active.

Each test runs the real processes (``python -m bff.worker``) against the tests' PostgreSQL database
and a Redis server of its own on a unix socket (no port), which the test pauses (SIGSTOP), kills
and starts again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from rq import Queue

from bff.config import DEFAULTS
from tests.fakes.redis_server import RedisServer, wait_until

ROOT = Path(__file__).resolve().parent.parent
QUEUE = str(DEFAULTS["RQ_QUEUE"])


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def spawn(database_url: str, redis_server: RedisServer, tmp_path: Path) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []

    def start(*argv: str) -> Process:
        log = tmp_path / f"process-{len(started)}.log"
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
               "ONETHING_ENV": "testing", "ONETHING_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
               "ONETHING_HEARTBEAT_DIR": str(tmp_path)}
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "bff.worker", *argv], cwd=ROOT, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        started.append(Process(process, log))
        return started[-1]

    yield start
    for each in started:
        each.stop()


class Process:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process, self.log = process, log

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def job_finishes(redis_server: RedisServer) -> None:
    """Queue the relay job (it reads the database and returns a count) and wait until a worker ran it."""
    queue = Queue(QUEUE, connection=redis_lib.Redis.from_url(redis_server.url))
    job = queue.enqueue("bff.jobs.tasks.relay_outbox")
    wait_until(lambda: job.get_status(refresh=True) == "finished", "the worker to run a job")


def health(kind: str, directory: Path) -> int:
    return subprocess.run([sys.executable, "-m", "bff.worker", "check", kind], check=False, cwd=ROOT,
                          capture_output=True,
                          env={**os.environ, "ONETHING_HEARTBEAT_DIR": str(directory)}).returncode


def test_a_worker_survives_a_paused_and_a_restarted_redis_and_works_on(redis_server, spawn, tmp_path):
    assert health("worker", tmp_path) == 1  # nothing has run: unhealthy
    worker = spawn()
    job_finishes(redis_server)
    assert health("worker", tmp_path) == 0
    redis_server.pause(4)
    job_finishes(redis_server)
    assert worker.alive
    redis_server.kill()
    time.sleep(3)  # Redis is gone: the worker waits, it does not exit
    assert worker.alive
    redis_server.start()
    job_finishes(redis_server)
    assert worker.alive, worker.output()


def active_crons(processes: list[Process]) -> list[Process]:
    return [each for each in processes if re.search(rf"cron {each.process.pid}: active", each.output())]


def test_one_cron_of_two_is_active_and_the_other_takes_over_when_it_dies(redis_server, spawn, tmp_path):
    crons = [spawn("cron"), spawn("cron")]
    wait_until(lambda: len(active_crons(crons)) == 1, "one cron to become active", timeout=60)
    assert len(active_crons(crons)) == 1, [each.output() for each in crons]
    assert health("cron", tmp_path) == 0
    time.sleep(2)
    [active] = active_crons(crons)
    [standby] = [each for each in crons if each is not active]
    queue = Queue(QUEUE, connection=redis_lib.Redis.from_url(redis_server.url))
    wait_until(lambda: queue.count > 0, "the active cron to queue the relay")
    assert active_crons(crons) == [active]  # the standby stays a standby
    redis_server.pause(4)
    time.sleep(1)
    assert active.alive and standby.alive
    active.process.kill()  # the host of the active cron is lost: its database session ends with it
    active.process.wait()
    wait_until(lambda: active_crons([standby]) == [standby], "the standby to take over", timeout=30)
    queue.empty()
    wait_until(lambda: queue.count > 0, "the new active cron to queue the relay")
    assert standby.alive, standby.output()
