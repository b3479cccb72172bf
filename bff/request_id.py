"""The id of the request a piece of work comes from, carried to the jobs and the department
webhooks it causes, so that one id finds a resident's submission in every process's log.

Set per request (``bff.logging_setup``), per job (``bff.jobs.worker``) and per delivery
(``bff.services.dispatch``); a ContextVar, so each request greenlet and each job has its own.
"""

from __future__ import annotations

from contextvars import ContextVar

current: ContextVar[str | None] = ContextVar("onething_request_id", default=None)
