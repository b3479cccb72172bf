"""ADAPTER (applications → catalog): the little the applications service needs from the catalog.

The catalog (``bff.core.catalog``) and the combined form (``bff.core.forms``,
``bff.services.forms``) have their own API. This module is the only place
applications touch them, so a change of their API is a change here:

- :func:`submission_form_for` — the combined form with facts and prefill from the data sources;
- :func:`checked_answers` — the effective answers, or the form's own field errors;
- :func:`plan_cases` — the items a submission includes, as plain :class:`CasePlan` values;
- :func:`check_bundle` — the bundle exists (raises the catalog's NotFound);
- :func:`draft_errors` — what of an autosave no draft of the bundle may hold (``bff.core.drafts``).

Validation and item inclusion are the catalog's own (``bff.core.forms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from bff.core import drafts, forms, graph
from bff.core.catalog import Bundle, Catalog, FieldDef, ServiceItem, default_catalog
from bff.core.text import Text
from bff.store import Session


@dataclass(frozen=True)
class CasePlan:
    item: str
    title: Text
    department: str
    time_limit_days: int
    fields: tuple[str, ...]
    result: Text
    # The item graph within this application (bff.core.graph): included items this one needs,
    # included items that need it, and what it consumes, resolved to one source each.
    needs: tuple[str, ...] = ()
    dependents: tuple[str, ...] = ()
    consumes: dict[str, str] = field(default_factory=dict)


def catalog_version() -> str:
    return default_catalog().version


def check_bundle(code: str) -> Bundle:
    return default_catalog().bundle(code)


def draft_errors(bundle_code: str, changes: Mapping[str, Any], merged: Mapping[str, Any]) -> dict[str, list[Text]]:
    """Why ``changes`` (making ``merged``) cannot be saved in a draft of the bundle: keys the
    bundle never asks, answers of the wrong shape, or a draft over the size limit ("answers")."""
    errors = drafts.answer_errors(_draft_fields(default_catalog().version, bundle_code), changes)
    too_large = None if errors else drafts.size_error(merged)
    return {"answers": [too_large]} if too_large else errors


@lru_cache(maxsize=64)
def _draft_fields(version: str, bundle_code: str) -> dict[str, FieldDef]:
    """Every field any item of the bundle declares: a draft may hold an answer to any of them
    (which are asked depends on facts that can change while the draft waits)."""
    fields = default_catalog().fields
    return {key: fields[key] for item in check_bundle(bundle_code).items for key in item.fields}


def submission_form(bundle_code: str, facts: Mapping[str, Any] | None = None,
                    prefill: Mapping[str, Any] | None = None) -> forms.CombinedForm:
    """The combined form for given facts and prefill (none: every item and field is asked)."""
    return forms.build_form(default_catalog(), check_bundle(bundle_code), facts or {}, prefill or {})


def submission_form_for(session: Session, user_id: int, bundle_code: str, subject_ref: str | None, *,
                        id_number: str | None = None) -> forms.CombinedForm:
    """The form as the resident saw it: facts and prefill re-derived from the data sources now,
    so read-only prefilled values never travel back from the browser (``id_number``: the
    applicant's, when the caller has read it already)."""
    from bff.services.forms import prefill_for

    facts, prefill = prefill_for(session, user_id, bundle_code, subject_ref, id_number=id_number)
    return submission_form(bundle_code, facts, prefill)


def submission_form_and_subject(session: Session, user_id: int, bundle_code: str, subject_ref: str | None, *,
                                id_number: str | None = None) -> tuple[forms.CombinedForm, str | None]:
    """:func:`submission_form_for`, and the ref of the subject it is about (chosen by the registry
    when the draft named none and there is only one)."""
    from bff.services.forms import prefill_with_subject

    facts, prefill, chosen = prefill_with_subject(session, user_id, bundle_code, subject_ref, id_number=id_number)
    return submission_form(bundle_code, facts, prefill), (chosen.ref if chosen else subject_ref)


def checked_answers(form: forms.CombinedForm, answers: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The effective answers (prefill applied), or ValidationFailed with per-field errors."""
    return forms.check_answers(form, answers, today)


def plan_cases(form: forms.CombinedForm) -> list[CasePlan]:
    """One plan per included item, in the bundle's order, with its needs among the included items."""
    items = form.included_items
    needs = graph.within({item.code: item.needs for item in items}, [item.code for item in items])
    users = graph.dependents(needs)
    return [CasePlan(item.code, item.name, item.department, item.time_limit_days, tuple(item.fields), item.result,
                     needs[item.code], users.get(item.code, ()), resolved_consumes(item, set(needs)))
            for item in items]


def resolved_consumes(item: ServiceItem, included: set[str]) -> dict[str, str]:
    """``{name: "item.output"}``: of each consumed datum's sources, the first the application includes."""
    resolved = {}
    for name, sources in item.consumes.items():
        source = next((s for s in sources if s.partition(".")[0] in included), None)
        if source is not None:
            resolved[name] = source
    return resolved


# The lookups below read ``book``, the catalog of the application they serve
# (``bff.services.catalog_versions.catalog_of``); without one, the live catalog.

def item_produces(code: str, book: Catalog | None = None) -> tuple[str, ...]:
    """The named outputs an item's approval produces (besides its certificate's number)."""
    item = (book or default_catalog()).items.get(code)
    return item.produces if item else ()


def upload_name(item_code: str, upload_code: str, book: Catalog | None = None) -> Text | None:
    """The name of a document the resident uploads for an item (``None``: the item asks no such one)."""
    item = (book or default_catalog()).items.get(item_code)
    return next((spec.name for spec in item.uploads if spec.code == upload_code), None) if item else None


def item_documents(item_code: str, book: Catalog | None = None) -> dict[str, Text]:
    """The documents the resident may upload for an item, by code (none for an unknown item)."""
    item = (book or default_catalog()).items.get(item_code)
    return item.documents() if item else {}


def field_label(key: str, book: Catalog | None = None) -> Text:
    definition = (book or default_catalog()).fields.get(key)
    return definition.label if definition else Text(key, key)


def department_name(code: str, book: Catalog | None = None) -> Text:
    department = (book or default_catalog()).departments.get(code)
    return department.name if department else Text(code, code)


def bundle_name(code: str) -> Text | None:
    bundle = default_catalog().bundles.get(code)
    return bundle.name if bundle else None


def department_short_name(code: str) -> Text:
    """The short name residents know a department by (卫健, 公安), as in "出生医学证明（卫健）"."""
    department = default_catalog().departments.get(code)
    return department.short if department else Text(code, code)


def mask_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers for the resident's own view: ``sensitive`` fields masked (ID numbers, bank cards).

    What the resident typed themselves (a delivery address, a mobile) stays editable in their draft.
    """
    from bff.core.pii import mask_field

    fields = default_catalog().fields
    masked: dict[str, Any] = {}
    for key, value in answers.items():
        definition = fields.get(key)
        sensitive = definition is not None and definition.sensitivity == "sensitive"
        masked[key] = mask_field(definition.type, value) if sensitive else value  # type: ignore[union-attr]
    return masked


def field_errors(answers: Mapping[str, Any], today: date) -> dict[str, list[Text]]:
    """Each answer checked against its own field definition (for supplements)."""
    from bff.core.validation import check_value

    fields = default_catalog().fields
    # The shape first (an object, control characters, a number beyond 64 bits): the value checks
    # assume a plain answer, and a stored one must stay readable.
    shapes = drafts.answer_errors({key: fields[key] for key in answers if key in fields},
                                  {key: value for key, value in answers.items() if key in fields})
    if shapes:
        return shapes
    errors = {key: check_value(fields[key], value, today) for key, value in answers.items() if key in fields}
    return {key: problems for key, problems in errors.items() if problems}
