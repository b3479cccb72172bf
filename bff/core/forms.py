"""The combined form (一表申请) of a bundle, built for one applicant and one subject.

How to use it (services, applications)::

    from bff.core import forms

    decisions = forms.decide_items(bundle, facts)        # every item, in or out, with the reason
    form = forms.build_form(catalog, bundle, facts, prefill)
    form.included_items                                  # the ServiceItems this applicant needs
    form.sections                                        # FormSection(code, title, fields)
    answers = forms.check_answers(form, submitted, today)  # raises ValidationFailed with
                                                         # per-field Text errors; returns the
                                                         # effective answers (read-only prefill applied)
    forms.fields_for_item(item, answers)                 # ONLY the fields that item declares
    forms.material_statuses(form)                        # materials: requested, or satisfied by what

``facts`` and ``prefill`` come from :mod:`bff.core.prefill` (what the data
sources hold). Rules:

- Each field of the included items is asked once, in its section (the key's prefix).
- A field with a ``when`` condition is asked only when it holds (unknown = asked).
- A prefilled answer carries its source and is read-only unless every included
  item that declares the field allows a correction.
- An item whose condition is unknown (a source was unavailable) is included,
  marked unconfirmed, so nothing is missed; the department checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bff.core import conditions, validation
from bff.core.catalog import Bundle, Catalog, FieldDef, Material, Section, ServiceItem
from bff.core.errors import ValidationFailed
from bff.core.pii import mask_field
from bff.core.prefill import Prefilled
from bff.core.text import Text

ALWAYS = Text("这件事的必办事项。", "Always part of this life event.")
UNCONFIRMED = Text("共享数据暂时无法确认是否需要办理，已先列入，部门办理时将核实。",
                   "Shared data could not confirm whether this is needed, so it is included and the department will check.")
READ_ONLY = Text("此项由政府共享数据提供，不能修改；如有错误请联系数据所属部门。",
                 "This comes from government records and cannot be changed here; contact the department that holds it.")
NOT_IN_FORM = Text("此项不属于本申请。", "This question is not part of this application.")
INVALID = Text("填写的内容有误，请检查标出的项目。", "Some answers need attention; see the marked fields.")


@dataclass(frozen=True)
class ItemDecision:
    """Whether an item is in this application, and why (shown to the resident)."""

    item: ServiceItem
    included: bool
    confirmed: bool
    reason: Text


@dataclass(frozen=True)
class FormField:
    definition: FieldDef
    items: tuple[str, ...]  # codes of the included items that declare this field
    prefilled: Prefilled | None
    read_only: bool

    @property
    def key(self) -> str:
        return self.definition.key


@dataclass(frozen=True)
class FormSection:
    code: str
    title: Text
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class CombinedForm:
    bundle: Bundle
    decisions: tuple[ItemDecision, ...]
    sections: tuple[FormSection, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)
    fact_sources: Mapping[str, str] = field(default_factory=dict)  # fact key -> data source code

    @property
    def included_items(self) -> tuple[ServiceItem, ...]:
        return tuple(d.item for d in self.decisions if d.included)

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def prefill(self) -> dict[str, Any]:
        return {f.key: f.prefilled.value for f in self.fields if f.prefilled is not None}


# ---- which items ---------------------------------------------------------------------

def decide_items(bundle: Bundle, facts: Mapping[str, Any]) -> tuple[ItemDecision, ...]:
    """Every item of the bundle, in order, included or not, with the reason."""
    decisions = []
    for entry in bundle.entries:
        if entry.when is None:
            decisions.append(ItemDecision(entry.item, True, True, ALWAYS))
            continue
        holds = conditions.evaluate(entry.when, facts.get)
        if holds is None:
            decisions.append(ItemDecision(entry.item, True, False, UNCONFIRMED))
        else:
            reason = entry.reason_in if holds else entry.reason_out
            decisions.append(ItemDecision(entry.item, holds, True, reason or ALWAYS))
    return tuple(decisions)


# ---- the form ------------------------------------------------------------------------

def build_form(catalog: Catalog, bundle: Bundle, facts: Mapping[str, Any],
               prefill: Mapping[str, Prefilled] | None = None) -> CombinedForm:
    """The union of the included items' fields, each once, in the bundle's sections."""
    prefill = prefill or {}
    decisions = decide_items(bundle, facts)
    included = [d.item for d in decisions if d.included]
    declared: dict[str, list[ServiceItem]] = {}
    for item in included:
        for key in item.fields:
            declared.setdefault(key, []).append(item)
    form_fields = [_form_field(catalog.fields[key], users, prefill.get(key)) for key, users in declared.items()]
    sections = tuple(_section(s, form_fields) for s in bundle.sections)
    return CombinedForm(bundle, decisions, tuple(s for s in sections if s.fields), dict(facts),
                        {key: fact.source for key, fact in catalog.facts.items()})


def _form_field(definition: FieldDef, users: list[ServiceItem], prefilled: Prefilled | None) -> FormField:
    correctable = all(item.allows_correction(definition.key) for item in users)
    return FormField(definition, tuple(i.code for i in users), prefilled, prefilled is not None and not correctable)


def _section(section: Section, form_fields: list[FormField]) -> FormSection:
    return FormSection(section.code, section.title, tuple(f for f in form_fields if f.definition.section == section.code))


def is_asked(form: CombinedForm, form_field: FormField, answers: Mapping[str, Any]) -> bool:
    """Is the field asked, given the answers so far? (Unknown conditions: asked.)"""
    if form_field.definition.when is None:
        return True
    context = {**form.prefill, **{k: v for k, v in answers.items() if not validation.is_blank(v)}}
    return conditions.evaluate(form_field.definition.when, lambda key: context.get(key, form.facts.get(key))) is not False


def asked_fields(form: CombinedForm, answers: Mapping[str, Any] | None = None) -> list[FormField]:
    answers = answers or {}
    return [f for f in form.fields if is_asked(form, f, answers)]


# ---- materials -----------------------------------------------------------------------

@dataclass(frozen=True)
class MaterialStatus:
    """A material an included item requires, and whether the resident still has to upload it."""

    item: ServiceItem
    material: Material
    satisfied_by: str | None  # a data source code, "item:<code>" for an earlier item's result, or None

    @property
    def requested(self) -> bool:
        return self.satisfied_by is None


def material_statuses(form: CombinedForm, answers: Mapping[str, Any] | None = None) -> list[MaterialStatus]:
    """Every required material of the included items; one that a data source or an earlier item of
    the bundle satisfies is not requested. A conditional material is required once its condition holds."""
    context = {**form.facts, **form.prefill, **(answers or {})}
    included = {item.code for item in form.included_items}
    return [MaterialStatus(item, m, _satisfier(m, form.facts, included, form.fact_sources))
            for item in form.included_items for m in item.materials
            if conditions.evaluate(m.when, context.get) is True]


def _satisfier(material: Material, facts: Mapping[str, Any], included: set[str], sources: Mapping[str, str]) -> str | None:
    if material.fact is not None and facts.get(material.fact):
        return sources.get(material.fact, "shared-data")
    if material.item is not None and material.item in included:
        return f"item:{material.item}"
    return None


# ---- answers -------------------------------------------------------------------------

def effective_answers(form: CombinedForm, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to every asked field: read-only prefill wins, then the resident's, then prefill."""
    result: dict[str, Any] = {}
    for form_field in asked_fields(form, answers):
        given = answers.get(form_field.key)
        if form_field.prefilled is not None and (form_field.read_only or validation.is_blank(given)):
            result[form_field.key] = form_field.prefilled.value
        elif not validation.is_blank(given):
            result[form_field.key] = given
    return result


def validate_answers(form: CombinedForm, answers: Mapping[str, Any], today: date) -> dict[str, list[Text]]:
    """Per-field errors (empty when the answers are complete and valid): each answer given,
    then the form as a whole. The form check and submission both call this, so they never disagree."""
    errors: dict[str, list[Text]] = {}
    for key, value in answers.items():
        problems = answer_errors(form, key, value, today)
        if problems:
            errors[key] = problems
    for key, problems in form_errors(form, answers, today).items():
        errors.setdefault(key, []).extend(problems)
    return errors


def answer_errors(form: CombinedForm, key: str, value: Any, today: date) -> list[Text]:
    """What is wrong with one given answer on its own (a blank answer is judged by form_errors)."""
    form_field = form.field(key)
    if form_field is None:
        return [NOT_IN_FORM]
    if validation.is_blank(value):
        return []
    if form_field.read_only and form_field.prefilled is not None and value != form_field.prefilled.value:
        return [READ_ONLY]
    return validation.check_value(form_field.definition, value, today)


def form_errors(form: CombinedForm, answers: Mapping[str, Any], today: date) -> dict[str, list[Text]]:
    """Rules of the whole form: every asked, required question answered; answers agree with each other
    and with the registry."""
    effective = effective_answers(form, answers)
    errors: dict[str, list[Text]] = {}
    for form_field in asked_fields(form, answers):
        value = effective.get(form_field.key)
        if form_field.definition.must_be_true and value is not True and validation.is_blank(answers.get(form_field.key)):
            errors[form_field.key] = [validation.MUST_AGREE]
        elif validation.is_blank(value) and form_field.definition.required:
            errors[form_field.key] = [validation.REQUIRED]
    for key, problems in validation.cross_field_errors(effective, dict(form.facts), today).items():
        errors.setdefault(key, []).extend(problems)
    return errors


def check_answers(form: CombinedForm, answers: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The effective answers, or ValidationFailed with per-field errors in zh-CN and English."""
    errors = validate_answers(form, answers, today)
    if errors:
        raise ValidationFailed(INVALID, errors=errors)
    return effective_answers(form, answers)


def shown_prefill(form_field: FormField) -> tuple[Any, bool]:
    """A prefilled value as the resident sees it, and whether it is masked (ID numbers, bank
    cards, mobiles and addresses never reach the browser in full)."""
    value = form_field.prefilled.value if form_field.prefilled else None
    shown = mask_field(form_field.definition.type, value)
    return shown, shown != value


def without_masked_echoes(form: CombinedForm, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers less the masked prefilled values sent back unchanged: those mean "keep the
    government's value", which the form already holds."""
    return {key: value for key, value in answers.items() if not _echoes_mask(form, key, value)}


def _echoes_mask(form: CombinedForm, key: str, value: Any) -> bool:
    form_field = form.field(key)
    return form_field is not None and form_field.prefilled is not None and shown_prefill(form_field) == (value, True)


def fields_for_item(item: ServiceItem, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What one department receives for one item: only the fields the item declares (minimum necessary)."""
    return {key: answers[key] for key in item.fields if key in answers}
