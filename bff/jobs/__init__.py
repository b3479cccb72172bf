"""The jobs: every RQ job body, the queue, the after-commit hand-off, and the worker entry.

- ``tasks``: the job bodies (department delivery, the notify batch, the relay, the sweeper, and
  the notification jobs scheduled for later). RQ stores a job's function by its dotted path, so
  a job's path is part of what a queue holds: renaming one strands the jobs already queued.
- ``queue``: the app's queue, the enqueue helpers, and :class:`~bff.jobs.queue.RqHandOff`, the
  ``bff.outbox.AfterCommit`` port that ``create_app`` wires.
- ``worker``: ``python -m bff.worker`` (a worker, ``cron`` for the periodic jobs, ``burst``).

Only this package imports RQ. Services and API modules never import it: they add outbox rows,
and the hand-off or the relay turns those into jobs.
"""
