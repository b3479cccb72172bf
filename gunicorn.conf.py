"""gunicorn's settings file (read from the working directory): the metrics of every worker process.

With ``PROMETHEUS_MULTIPROC_DIR`` set, each worker writes its counters and histograms there, and a
scrape answered by any worker sums them (``bff.metrics``). The directory is emptied when the master
starts, so a restart does not add the last run's figures, and a dead worker's live gauges go.
"""

import os
import shutil
from pathlib import Path


def on_starting(_server):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(_server, worker):  # noqa: ANN001, ANN201
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
