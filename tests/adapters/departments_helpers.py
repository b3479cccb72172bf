"""Real HTTP for the department tests: the BFF and the simulator each on a free port."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

from bff.simulator import DepartmentSimulator, Knobs, serve

FAST = Knobs(accept_delay=0.05, decide_delay=0.1, supplement_share=0.0, reject_share=0.0, failure_share=0.0,
             callback_attempts=3, seed=7)


@contextmanager
def running(server: Any) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def bff_and_simulator(app: Any, monkeypatch: Any, knobs: Knobs = FAST) -> Iterator[DepartmentSimulator]:
    """The BFF over HTTP (for callbacks) and the simulator, wired to each other by config."""
    simulator = DepartmentSimulator(app.config["DEPARTMENT_SIMULATOR_SECRET"], knobs)
    with running(make_server("127.0.0.1", 0, app, threaded=True)) as bff_url, \
            running(serve(simulator, port=0)) as simulator_url:
        monkeypatch.setitem(app.config, "PUBLIC_URL", bff_url)
        monkeypatch.setitem(app.config, "DEPARTMENT_SIMULATOR_URL", simulator_url)
        try:
            yield simulator
        finally:
            simulator.timeline.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
