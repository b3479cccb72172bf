"""Structured logging with a request id on every line, and no personal data.

The PII filter is the last line of defence: code must not log personal data in
the first place, but an 18-character resident ID or an 11-digit mobile number
that slips into a message or an argument is replaced before any handler sees it.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from bff import request_id
from bff.metrics import observe_request

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    return MOBILE.sub("[mobile]", ID_NUMBER.sub("[id-number]", text))


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` to every record and scrubs personal data from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (g.get("request_id", "-") if has_request_context() else None) or request_id.current.get() or "-"
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        ))
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_onething", False)]
    handler._onething = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers = []
    app.logger.propagate = True
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    access_log = logging.getLogger("bff.access")

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-Id")
        g.request_id = incoming if incoming and REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id_token = request_id.current.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.teardown_request
    def forget_request_id(_error: BaseException | None) -> None:
        # A thread or greenlet serves other work after the request: none of it may carry this id.
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                request_id.current.reset(token)
            except ValueError:  # torn down in another context (a streamed response): clear it there
                request_id.current.set(None)

    @app.after_request
    def log_request(response):  # type: ignore[no-untyped-def]
        response.headers["X-Request-Id"] = g.get("request_id", "")
        seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
        # The route's rule, not the path: one series per route, never one per application number.
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        observe_request(request.method, route, response.status_code, seconds)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, seconds * 1000)
        return response
