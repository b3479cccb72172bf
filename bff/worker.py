"""``python -m bff.worker`` [``cron`` | ``burst``]: the entry of :mod:`bff.jobs.worker`."""

import sys

from bff.jobs.worker import main

if __name__ == "__main__":
    main(sys.argv[1:])
