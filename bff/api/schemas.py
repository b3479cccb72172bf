"""Pieces shared by the response schemas of every resource.

Services hand views plain dicts; a response schema both documents them in the OpenAPI document
and serialises them. Marshmallow drops a key the schema does not declare, which would hide a
field from clients and leave the document wrong without anyone noticing, so ``ResponseSchema``
refuses undeclared keys outside production (tests fail) and logs them in production.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from marshmallow import Schema, fields, pre_dump, validate
from werkzeug.routing import IntegerConverter, Map

from bff.core.text import Text

log = logging.getLogger(__name__)

BINARY = {"type": "string", "format": "binary"}
"""The body of a non-JSON response (an image, an event stream) in the OpenAPI document."""

SSE = "text/event-stream"
SVG = "image/svg+xml"
PNG = "image/png"


class TextField(fields.Field):
    """A bilingual Text as ``{"zh-CN": …, "en": …}`` (a dict already in that shape passes)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value.as_dict() if isinstance(value, Text) else value


def bilingual(**kwargs: Any) -> TextField:
    metadata = {"type": "object", "description": 'Text in both languages: {"zh-CN": …, "en": …}',
                **kwargs.pop("metadata", {})}
    return TextField(metadata=metadata, **kwargs)


def iso_datetime(**kwargs: Any) -> fields.Str:
    """A timestamp the service already wrote as ISO 8601 text."""
    return fields.Str(allow_none=True, metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def iso_date(**kwargs: Any) -> fields.Str:
    """A China calendar date the service already wrote as ISO 8601 text."""
    return fields.Str(allow_none=True, metadata={"format": "date", **kwargs.pop("metadata", {})}, **kwargs)


class ResponseSchema(Schema):
    """A response schema that declares every key the view returns."""

    @pre_dump
    def declared_keys_only(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            declared = {field.attribute or name for name, field in self.fields.items()}
            undeclared = sorted(set(data) - declared)
            if undeclared:
                problem = f"{type(self).__name__} does not declare {undeclared}"
                if current_app.config.get("ENV") != "production":
                    raise TypeError(problem)
                log.error("response schema incomplete: %s", problem)
        return data


# PostgreSQL's BIGINT, which every id and cursor is: a larger number reaching a query would be a
# database error (500) instead of the "not found" or "invalid" the caller deserves.
MAX_ID = 2**63 - 1


def id_arg(*, minimum: int = 1, **kwargs: Any) -> fields.Int:
    """An id or a paging cursor in a request: a whole number within ``minimum``..2^63-1, else 422."""
    return fields.Int(strict=False, validate=validate.Range(minimum, MAX_ID), **kwargs)


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: only 1..2^63-1 match, so a larger or zero id is a plain 404."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002 - werkzeug's names
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class SavingsSchema(Schema):
    trips = fields.Int(metadata={"description": "trips_before - trips_after"})
    materials = fields.Int(metadata={"description": "materials_separately - uploads_left"})
    fields_ = fields.Int(attribute="fields", data_key="fields",
                         metadata={"description": "fields_separately - questions_to_type"})


class BurdenSchema(Schema):
    fields_separately = fields.Int(metadata={"description": "Questions across the separate item forms"})
    questions_combined = fields.Int(metadata={"description": "Distinct questions in the combined form"})
    questions_to_type = fields.Int(metadata={"description": "Questions left to the resident after prefill"})
    materials_separately = fields.Int()
    uploads_left = fields.Int()
    trips_before = fields.Int()
    trips_after = fields.Int()
    typed_share = fields.Float()
    saved = fields.Nested(SavingsSchema, metadata={"description": "What the combined application spares; every "
                                                   "screen shows these numbers as they are"})
