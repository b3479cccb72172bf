"""The field dictionary's labels (public catalog content): what each field key means, in zh-CN and English.

Pages that show answers by key (the officer's case detail) read the labels here once; the document
changes only with the catalog version, so it is cached like the other catalog documents.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from auth.permissions import access
from bff.api.catalog import TextField, public_document
from bff.core.catalog import default_catalog

blp = Blueprint("fields", __name__, url_prefix="/api/v1/fields",
                description="Labels of the field dictionary (catalog content, public)")


class ChoiceLabelSchema(Schema):
    value = fields.Str()
    label = TextField()


class FieldLabelSchema(Schema):
    key = fields.Str(metadata={"description": "e.g. delivery.address"})
    label = TextField()
    type = fields.Str()
    choices = fields.List(fields.Nested(ChoiceLabelSchema), metadata={"description": "For select fields"})


class FieldLabelsSchema(Schema):
    version = fields.Str(metadata={"description": "Catalog version"})
    # Not named ``fields``: a marshmallow Schema keeps its own ``fields`` attribute.
    entries = fields.List(fields.Nested(FieldLabelSchema), data_key="fields", attribute="fields")


def field_labels() -> dict[str, Any]:
    catalog = default_catalog()
    return {"version": catalog.version, "fields": sorted(catalog.fields.values(), key=lambda f: f.key)}


@blp.route("")
@blp.response(200, FieldLabelsSchema)
@access("public")
def list_field_labels() -> Response:
    """Every field key with its label (and its choices' labels); ETag and Cache-Control like the catalog."""
    return public_document("fields", FieldLabelsSchema, field_labels)
