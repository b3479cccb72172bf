"""Errors the domain raises; ``bff/errors.py`` maps them to HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bff.core.text import Text


class DomainError(Exception):
    """A rule of the domain refused the request. ``code`` is stable for clients."""

    code = "domain_error"

    def __init__(self, message: Text, *, code: str | None = None,
                 errors: Mapping[str, list[Text]] | None = None, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message.en)
        self.message = message
        if code:
            self.code = code
        self.errors = dict(errors or {})
        # What the client needs to offer the way on (e.g. the existing case a family member may
        # join), sent beside the message; never personal data beyond what the caller may see.
        self.details = dict(details or {})


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class PreconditionFailed(DomainError):
    code = "precondition_failed"


class ValidationFailed(DomainError):
    """Field-level errors: ``errors`` maps a field key to its messages."""

    code = "validation_failed"


class InvalidTransition(Conflict):
    code = "invalid_transition"
