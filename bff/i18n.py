"""The language of the current request: the user's saved choice, else Accept-Language."""

from __future__ import annotations

from flask import has_request_context, request

from bff.core.text import DEFAULT_LANGUAGE, Text, negotiate_language


def current_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    # Cached on the request (not on g, which outlives a request when an app context is already pushed).
    cached = request.environ.get("onething.language")
    if cached is None:
        explicit = request.headers.get("X-Language") or request.cookies.get("lang")
        cached = negotiate_language(request.headers.get("Accept-Language"), explicit)
        request.environ["onething.language"] = cached
    return cached  # type: ignore[no-any-return]


def t(text: Text) -> str:
    return text.in_language(current_language())
