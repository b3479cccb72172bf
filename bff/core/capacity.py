"""The connection budget: how many database connections each process may hold, so that a whole
deployment stays under the server's ``max_connections`` at its worst moment.

Every process holds at most ``write size + write overflow + read size + read overflow``
connections (``bff.store.engine.Pools.most``). A job process (an RQ worker runs one job at a time;
cron relays and sweeps) needs a few; the web processes share what is left, steady half and
burst half, two thirds for the write pool. Connections the server keeps for superusers, and a
margin for migrations, psql and monitoring, are never handed out.
"""

from __future__ import annotations

from dataclasses import dataclass

JOB_PROCESS_WRITE = 2  # a job's session and the autocommit claimer (bff.jobs.tasks)
JOB_PROCESS_READ = 2
LEADER_CONNECTIONS = 1  # the active cron's advisory lock (bff.store.leader)


@dataclass(frozen=True)
class Deployment:
    instances: int  # BFF hosts or containers
    web_workers: int  # gunicorn workers per instance
    rq_workers: int  # worker processes, all instances together
    crons: int  # cron processes (one active, the others standing by)


@dataclass(frozen=True)
class Budget:
    web_size: int
    web_overflow: int
    web_read_size: int
    web_read_overflow: int
    job_size: int = JOB_PROCESS_WRITE
    job_read_size: int = JOB_PROCESS_READ

    def web_most(self) -> int:
        return self.web_size + self.web_overflow + self.web_read_size + self.web_read_overflow

    def job_most(self) -> int:
        return self.job_size + self.job_read_size

    def total(self, deployment: Deployment) -> int:
        """The most connections the deployment can hold at once."""
        return (deployment.instances * deployment.web_workers * self.web_most()
                + (deployment.rq_workers + deployment.crons) * self.job_most() + deployment.crons * LEADER_CONNECTIONS)


class NoRoom(ValueError):
    """The server has too few connections for this many processes."""


def budget(max_connections: int, deployment: Deployment, *, superuser_reserved: int = 3, margin: int = 5) -> Budget:
    """Pool sizes for every process of ``deployment`` that never exceed ``max_connections`` together."""
    jobs = (deployment.rq_workers + deployment.crons) * (JOB_PROCESS_WRITE + JOB_PROCESS_READ)
    left = max_connections - superuser_reserved - margin - jobs - deployment.crons * LEADER_CONNECTIONS
    web_processes = deployment.instances * deployment.web_workers
    per_web = left // web_processes if web_processes else 0
    if per_web < 4:
        raise NoRoom(f"{max_connections} connections leave {max(left, 0)} for {web_processes} web processes: "
                     "at least 4 each are needed (use PgBouncer, or raise max_connections)")
    write = per_web * 2 // 3
    read = per_web - write
    return Budget(web_size=(write + 1) // 2, web_overflow=write // 2, web_read_size=(read + 1) // 2,
                  web_read_overflow=read // 2)
