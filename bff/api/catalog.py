"""Catalog API: life-cycle categories, bundles (一件事) and the combined form.

Public reads (categories, bundles, one bundle) are the same for everyone: they carry
a weak ETag (the catalog version) and ``Cache-Control: public``. The form is
per resident and never cached. All user-facing text is returned in both languages
(``{"zh-CN": …, "en": …}``) so one cached document serves every reader.

Personal data in the form: prefilled ID numbers and bank card numbers are returned
masked (``masked: true``) and never in full. They are read-only or kept unless the
resident types a new one, and the server re-reads them from the data sources when
the application is checked or submitted, so the full value never needs to reach
the browser.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from auth.permissions import access
from bff.api.acting import resident_id
from bff.api.schemas import BurdenSchema
from bff.core import forms
from bff.core.catalog import Material, default_catalog
from bff.core.text import Text
from bff.extensions import db
from bff.services import catalog as catalog_service
from bff.services import family as family_service
from bff.services import form_check
from bff.services import forms as form_service

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="Life events, bundles and the combined form")

PUBLIC_MAX_AGE = 300


class TextField(fields.Field):
    """A bilingual Text as ``{"zh-CN": …, "en": …}``."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value.as_dict() if isinstance(value, Text) else value


class CategorySchema(Schema):
    code = fields.Str(attribute="category.code")
    name = TextField(attribute="category.name")
    summary = TextField(attribute="category.summary")
    bundles = fields.List(fields.Str())


class CategoriesSchema(Schema):
    version = fields.Str()
    categories = fields.List(fields.Nested(CategorySchema))


class DepartmentSchema(Schema):
    code = fields.Str()
    name = TextField()
    short = TextField()


class MaterialSchema(Schema):
    code = fields.Str()
    name = TextField()
    satisfied_by = fields.Method("source_of", metadata={"description": "Data source or earlier item; null = upload"})
    when = fields.Raw(allow_none=True)

    def source_of(self, material: Material) -> dict[str, Any] | None:
        if material.fact:
            source = default_catalog().facts[material.fact].source
            return {"fact": material.fact, "source": source, "source_name": default_catalog().sources[source].as_dict()}
        return {"item": material.item} if material.item else None


class ProcedureSchema(Schema):
    trips_separately = fields.Int()
    trips_in_bundle = fields.Int()
    steps = fields.List(TextField())


class ItemSchema(Schema):
    code = fields.Str()
    name = TextField()
    sub_item = TextField()
    department = fields.Str()
    legal_basis = fields.List(TextField())
    materials = fields.List(fields.Nested(MaterialSchema))
    procedure = fields.Nested(ProcedureSchema)
    internal_process = fields.List(TextField())
    time_limit_days = fields.Int(metadata={"description": "Statutory time limit in working days"})
    result = TextField()
    fields_ = fields.List(fields.Str(), attribute="fields", data_key="fields")
    corrections = fields.Function(lambda item: sorted(item.corrections))
    needs = fields.List(fields.Str(), metadata={"description": "Items approved before this one is sent "
                                                "(those the application includes)"})
    produces = fields.List(fields.Str(), metadata={"description": "Data its approval produces for the items "
                                                   "that need it, besides its certificate_number"})


class EntrySchema(Schema):
    item = fields.Nested(ItemSchema)
    when = fields.Raw(allow_none=True)
    reason_in = TextField(allow_none=True)
    reason_out = TextField(allow_none=True)


class SectionSchema(Schema):
    code = fields.Str()
    title = TextField()


class BundleSummarySchema(Schema):
    code = fields.Str(attribute="bundle.code")
    category = fields.Str(attribute="bundle.category")
    name = TextField(attribute="bundle.name")
    summary = TextField(attribute="bundle.summary")
    subject = fields.Str(attribute="bundle.subject")
    items = fields.Function(lambda o: [i.code for i in o.bundle.items])
    departments = fields.List(fields.Nested(DepartmentSchema))
    burden = fields.Nested(BurdenSchema)


class BundlesSchema(Schema):
    version = fields.Str()
    query = fields.Str(metadata={"description": "With ?q=: the words searched for, as the server read them"})
    bundles = fields.List(fields.Nested(BundleSummarySchema), metadata={"description": "With ?q=: best match first"})


class BundleSearchSchema(Schema):
    q = fields.Str(load_default="", metadata={"description": "Words a resident would use: 身后事, 生孩子, "
                                               "pension, pinyin (shenhoushi, shs); at most 100 characters"})
    category = fields.Str(load_default=None, metadata={"description": "Only bundles of this life-cycle category"})


class BundleSchema(BundleSummarySchema):
    version = fields.Function(lambda o: o.catalog.version)
    critical_path_days = fields.Int(metadata={"description": "For a typical applicant: working days of the "
                                              "longest chain of items that wait for each other (最快 N 个工作日)"})
    sections = fields.List(fields.Nested(SectionSchema), attribute="bundle.sections")
    items = fields.List(fields.Nested(EntrySchema), attribute="bundle.entries")  # type: ignore[assignment]


# ---- the form ------------------------------------------------------------------------

class PrefilledSchema(Schema):
    value = fields.Raw()
    masked = fields.Bool()
    source = fields.Str()
    source_name = TextField()


class ChoiceSchema(Schema):
    value = fields.Str()
    label = TextField()


class FormFieldSchema(Schema):
    key = fields.Str()
    type = fields.Str(attribute="definition.type")
    label = TextField(attribute="definition.label")
    help = TextField(attribute="definition.help")
    required = fields.Bool(attribute="definition.required")
    sensitivity = fields.Str(attribute="definition.sensitivity")
    max_length = fields.Int(attribute="definition.max_length", allow_none=True)
    choices = fields.List(fields.Nested(ChoiceSchema), attribute="definition.choices")
    when = fields.Raw(attribute="definition.when", allow_none=True,
                      metadata={"description": "Asked only when this condition on other answers holds"})
    items = fields.List(fields.Str(), metadata={"description": "Items that use this answer"})
    read_only = fields.Bool()
    prefilled = fields.Method("prefilled_of", allow_none=True)

    def prefilled_of(self, form_field: forms.FormField) -> dict[str, Any] | None:
        return prefilled_view(form_field)


class FormSectionSchema(Schema):
    code = fields.Str()
    title = TextField()
    fields_ = fields.List(fields.Nested(FormFieldSchema), attribute="fields", data_key="fields")


class DecisionSchema(Schema):
    item = fields.Str(attribute="item.code")
    name = TextField(attribute="item.name")
    department = fields.Str(attribute="item.department")
    time_limit_days = fields.Int(attribute="item.time_limit_days")
    included = fields.Bool()
    confirmed = fields.Bool()
    reason = TextField()


class ActiveCaseSchema(Schema):
    number = fields.Str()
    lead_name = fields.Str(metadata={"description": "The family member who leads it (name only)"})
    submitted_on = fields.Str(allow_none=True)
    my_status = fields.Str(allow_none=True, metadata={"description": "Mine in it: active, requested, invited, "
                                                                     "left, declined, or null (not in it)"})


class SubjectSchema(Schema):
    ref = fields.Str()
    name = fields.Str()
    relation = fields.Str()
    kind = fields.Str()
    active_case = fields.Nested(ActiveCaseSchema, allow_none=True,
                                metadata={"description": "A family member already applied about this person: "
                                                         "ask to join it instead of starting another"})


class MaterialStatusSchema(Schema):
    item = fields.Str(attribute="item.code")
    code = fields.Str(attribute="material.code")
    name = TextField(attribute="material.name")
    requested = fields.Bool(metadata={"description": "True: the resident uploads it; false: shared data or an earlier item"})
    satisfied_by = fields.Str(allow_none=True, metadata={"description": "A data source code, or item:<code>"})
    source_name = fields.Method("source_name_of", allow_none=True)

    def source_name_of(self, status: forms.MaterialStatus) -> dict[str, str] | None:
        source = default_catalog().sources.get(status.satisfied_by or "")
        return source.as_dict() if source else None


class FormSchema(Schema):
    bundle = fields.Str(attribute="form.bundle.code")
    version = fields.Str(attribute="catalog_version")
    subject = fields.Nested(SubjectSchema, allow_none=True)
    subjects = fields.List(fields.Nested(SubjectSchema))
    items = fields.List(fields.Nested(DecisionSchema), attribute="form.decisions")
    sections = fields.List(fields.Nested(FormSectionSchema), attribute="form.sections")
    burden = fields.Nested(BurdenSchema)
    materials = fields.List(fields.Nested(MaterialStatusSchema))
    unavailable_sources = fields.Function(lambda v: sorted(v.unavailable))


class SubjectsSchema(Schema):
    subjects = fields.List(fields.Nested(SubjectSchema))


class FormQuerySchema(Schema):
    subject = fields.Str(load_default=None, metadata={"description": "A subject ref from `subjects`; optional when there is one"})


class AnswersSchema(Schema):
    answers = fields.Dict(keys=fields.Str(), required=True)


class CheckedSchema(Schema):
    valid = fields.Bool()
    items = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()),
                        metadata={"description": "Item code → the field keys that item receives"})
    burden = fields.Nested(BurdenSchema)


class NameCheckQuerySchema(Schema):
    name = fields.Str(required=True)


class NameCheckSchema(Schema):
    same_name_count = fields.Int()


def prefilled_view(form_field: forms.FormField) -> dict[str, Any] | None:
    if form_field.prefilled is None:
        return None
    value, masked = forms.shown_prefill(form_field)
    source = form_field.prefilled.source
    return {"value": value, "masked": masked, "source": source, "source_name": default_catalog().sources[source]}


# ---- views ---------------------------------------------------------------------------

def public_cache_headers() -> dict[str, str]:
    return {"ETag": f'W/"catalog-{default_catalog().version}"', "Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}"}


_documents: dict[tuple[str, str], bytes] = {}


def public_document(name: str, schema: type[Schema], build: Callable[[], Any]) -> Response:
    """A public catalog document: 304 when the client has this version, else JSON serialised
    once per catalog version (catalog content only; nothing personal is ever kept here). The
    schema and the content are built only then: a marshmallow schema's construction alone costs
    more than serving the kept bytes."""
    headers = public_cache_headers()
    if request.if_none_match.contains_weak(headers["ETag"][3:-1]):
        return Response(status=304, headers=headers)
    key = (default_catalog().version, name)
    if key not in _documents:
        _documents[key] = json.dumps(schema().dump(build()), ensure_ascii=False).encode()
    return Response(_documents[key], mimetype="application/json", headers=headers)


@blp.route("/categories")
@blp.response(200, CategoriesSchema)
@blp.alt_response(304, description="Not modified: the If-None-Match version is current")
@access("public")
def list_categories() -> Response:
    """The ten life-cycle categories, each with its bundles."""
    return public_document("categories", CategoriesSchema, lambda: {
        "version": default_catalog().version, "categories": catalog_service.list_categories()})


@blp.route("/bundles")
@blp.arguments(BundleSearchSchema, location="query")
@blp.response(200, BundlesSchema)
@blp.alt_response(304, description="Not modified: the If-None-Match version is current")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="A query too long to be a search (field q)")
@access("public")
def list_bundles(query: dict[str, Any]) -> Response:
    """Every bundle with its departments and its burden totals (the most anyone is spared); with
    ``q``, the bundles those words find, best first."""
    words, category = catalog_service.search_key(query["q"]), query["category"]
    if not words and not category:
        return public_document("bundles", BundlesSchema, lambda: {
            "version": default_catalog().version, "bundles": catalog_service.list_bundles()})
    headers = public_cache_headers()
    if request.if_none_match.contains_weak(headers["ETag"][3:-1]):
        return Response(status=304, headers=headers)
    return Response(search_document(default_catalog().version, words, category), mimetype="application/json",
                    headers=headers)


@lru_cache(maxsize=1024)
def search_document(version: str, words: str, category: str | None) -> bytes:
    """A search's JSON, kept per catalog version and words; bounded, since anyone may send any words."""
    found = (catalog_service.search_bundles(words, category) if words
             else [o for o in catalog_service.list_bundles() if o.bundle.category == category])
    return json.dumps(BundlesSchema().dump({"version": version, "query": words, "bundles": found}),
                      ensure_ascii=False).encode()


@blp.route("/bundles/<string:code>")
@blp.response(200, BundleSchema)
@blp.alt_response(304, description="Not modified: the If-None-Match version is current")
@access("public")
def get_bundle(code: str) -> Response:
    """One bundle: items with their eight unifications, conditions, sections, burden figures."""
    if code not in default_catalog().bundles:
        catalog_service.bundle_overview(code)  # its 404, before anything is kept under this code
    return public_document(f"bundle:{code}", BundleSchema, lambda: catalog_service.bundle_overview(code))


@blp.route("/bundles/<string:code>/subjects")
@blp.response(200, SubjectsSchema)
@access("resident")
def list_subjects(code: str) -> Any:
    """Whom I may apply about for this bundle (my newborn, myself, a deceased relative), by opaque ref."""
    return {"subjects": family_service.subjects_for_user(db.session, resident_id(bundle=code), code)}


@blp.route("/bundles/<string:code>/form")
@blp.arguments(FormQuerySchema, location="query")
@blp.response(200, FormSchema)
@access("resident")
def get_form(query: dict[str, Any], code: str) -> Any:
    """The combined form for me and the subject: items in or out and why, prefill with sources, my burden."""
    return form_service.form_for_user(db.session, resident_id(bundle=code), code, query["subject"])


@blp.route("/bundles/<string:code>/form/check", methods=["POST"])
@blp.arguments(FormQuerySchema, location="query")
@blp.arguments(AnswersSchema)
@blp.response(200, CheckedSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Per-field errors")
@access("resident")
def check_form(query: dict[str, Any], body: dict[str, Any], code: str) -> Any:
    """Validate answers against my combined form (422 with per-field errors), without saving."""
    return form_check.check_form(db.session, resident_id(bundle=code), code, query["subject"], body["answers"])


@blp.route("/name-check")
@blp.arguments(NameCheckQuerySchema, location="query")
@blp.response(200, NameCheckSchema)
@access("resident")
def name_check(query: dict[str, Any]) -> Any:
    """How many registered people already have this name (newborn name-duplication check)."""
    return {"same_name_count": form_service.check_newborn_name(query["name"])}

