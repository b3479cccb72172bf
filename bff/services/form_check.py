"""Checking a resident's answers against their combined form, without saving anything.

The same rules as submission (:func:`bff.core.forms.check_answers`) on the same day (China's),
so an answer the check accepts is never refused when the application is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bff.core import burden, forms
from bff.core.clock import china_today
from bff.core.ports import PrefillSources
from bff.services.forms import form_for_user
from bff.store import Session


@dataclass(frozen=True)
class FormCheck:
    """Answers that passed: what each included item would receive, and the resident's burden with
    these answers (the figures the receipt will show, since submission measures the same way)."""

    items: dict[str, list[str]]
    burden: burden.Burden
    valid: bool = True


def check_form(session: Session, user_id: int, bundle_code: str, subject_ref: str | None,
               answers: dict[str, Any], sources: PrefillSources | None = None) -> FormCheck:
    """Validate answers against the user's combined form for a subject (ValidationFailed with
    per-field errors otherwise). A masked prefilled value sent back unchanged keeps the
    government's value."""
    view = form_for_user(session, user_id, bundle_code, subject_ref, sources)
    effective = forms.check_answers(view.form, forms.without_masked_echoes(view.form, answers), china_today())
    items = {item.code: sorted(forms.fields_for_item(item, effective)) for item in view.form.included_items}
    return FormCheck(items, burden.applicant_burden(view.form, effective))
