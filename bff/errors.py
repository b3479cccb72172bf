"""One JSON error envelope for every error: ``{code, status, message, errors}``.

``code`` is the HTTP status (as flask-smorest writes it), ``status`` its name,
``message`` is in the user's language, ``errors`` holds field-level messages,
``reason`` a stable machine code, and a 500 carries an ``error_id`` that is
also in the log (the details never leave the server).
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

import redis as redis_lib
import sqlalchemy.exc
from flask import Flask, Response, jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from bff.core import errors as domain
from bff.core.text import Text
from bff.core.uploads import TooLarge
from bff.i18n import current_language

log = logging.getLogger("bff.errors")

DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (TooLarge, 413),
    (domain.NotFound, 404),
    (domain.PermissionDenied, 403),
    (domain.PreconditionFailed, 412),
    (domain.ValidationFailed, 422),
    (domain.Conflict, 409),
    (domain.DomainError, 422),
]

GENERIC = {
    400: Text("请求无法处理，请检查后重试。", "The request could not be understood."),
    401: Text("请先登录。", "Please sign in first."),
    403: Text("您没有权限进行此操作。", "You do not have permission to do this."),
    404: Text("找不到您要的内容。", "We could not find what you asked for."),
    405: Text("不支持此操作方式。", "This method is not allowed here."),
    409: Text("操作冲突，请刷新后重试。", "This conflicts with a change made elsewhere; refresh and retry."),
    412: Text("内容已在别处修改，请刷新后再保存。", "This was changed elsewhere; refresh before saving."),
    413: Text("提交的内容太大。", "What you sent is too large."),
    415: Text("不支持的内容类型。", "Unsupported content type."),
    422: Text("填写的内容有误，请检查标出的项目。", "Some answers need attention; see the marked fields."),
    428: Text("缺少必要的请求条件。", "A required precondition header is missing."),
    429: Text("操作太频繁，请稍后再试。", "Too many attempts; please wait a moment."),
    500: Text("系统繁忙，请稍后再试。", "Something went wrong on our side. Please try again later."),
    503: Text("服务暂时不可用，请稍后再试。", "The service is temporarily unavailable."),
}


class ErrorSchema(Schema):
    """The envelope as the OpenAPI document shows it (flask-smorest documents every error with
    it); :func:`envelope` writes the same keys. Only documents: errors are never dumped with it."""

    code = fields.Int(required=True, metadata={"description": "The HTTP status code"})
    status = fields.Str(required=True, metadata={"description": "The HTTP status name"})
    message = fields.Str(required=True, metadata={"description": "For the person, in the request's language"})
    errors = fields.Dict(metadata={"description": "Field messages by location and field: {json: {key: [message]}}"})
    reason = fields.Str(metadata={"description": "A stable machine code of the domain refusal (e.g. no_id_number)"})
    error_id = fields.Str(metadata={"description": "500 only: the id under which the log holds the details"})
    retry_after = fields.Int(metadata={"description": "503 only: seconds after which a retry may succeed "
                                                      "(also the Retry-After header)"})
    details = fields.Dict(metadata={"description": "Some refusals: what the client needs to offer the way on "
                                                   "(subject_already_applied: the existing case to join)"})


def envelope(status: int, message: str, errors: Any = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def generic_message(status: int) -> str:
    text = GENERIC.get(status) or GENERIC[500 if status >= 500 else 400]
    return text.in_language(current_language())


def handle_domain_error(error: domain.DomainError) -> Response:
    status = next(code for cls, code in DOMAIN_STATUS if isinstance(error, cls))
    language = current_language()
    fields = {key: [m.in_language(language) for m in msgs] for key, msgs in error.errors.items()}
    return envelope(status, error.message.in_language(language), {"json": fields} if fields else None,
                    reason=error.code, **({"details": error.details} if error.details else {}))


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    # flask-smorest/webargs put field errors in data["messages"]; our aborts in data["message"].
    errors = data.get("messages") or data.get("errors")
    message = data.get("message") if isinstance(data.get("message"), str) else None
    response = envelope(status, message or generic_message(status), errors,
                        **({"reason": data["reason"]} if "reason" in data else {}))
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


# Faults of a dependency that pass: Redis paused, restarting or unreachable; the database
# restarting, refusing connections (too many clients) or the pool waiting too long.
UNAVAILABLE = (redis_lib.ConnectionError, redis_lib.TimeoutError, sqlalchemy.exc.OperationalError,
               sqlalchemy.exc.TimeoutError)
RETRY_AFTER_SECONDS = 5


def handle_unavailable(error: Exception) -> Response:
    """503 with Retry-After: the client (and the PWA) try again instead of reporting a failure."""
    log.warning("dependency unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
    response = envelope(503, generic_message(503), reason="dependency_unavailable",
                        retry_after=RETRY_AFTER_SECONDS)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_unexpected(error: Exception) -> Response:
    error_id = uuid.uuid4().hex[:16]
    log.exception("unhandled error %s on %s %s", error_id, request.method, request.path)
    return envelope(500, generic_message(500), error_id=error_id)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(domain.DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, handle_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
