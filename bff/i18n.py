"""The language of the current request: the user's saved choice, else Accept-Language."""

from __future__ import annotations

from flask import g, has_request_context, request

from bff.core.text import DEFAULT_LANGUAGE, Text, negotiate_language


def current_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if "language" not in g:
        explicit = request.headers.get("X-Language") or request.cookies.get("lang")
        g.language = negotiate_language(request.headers.get("Accept-Language"), explicit)
    return g.language  # type: ignore[no-any-return]


def t(text: Text) -> str:
    return text.in_language(current_language())
