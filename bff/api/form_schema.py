"""A marshmallow schema for the answers to one combined form, built from the form itself.

One schema field per question of the form; each field's validator is the core rule for
that answer (:func:`bff.core.forms.answer_errors`), and the schema-level validator runs
the whole-form rules (:func:`bff.core.forms.form_errors`: required when asked, dates in
order, relations as registered). Unknown keys are refused. The messages are bilingual
:class:`~bff.core.text.Text`; :func:`load_answers` turns a marshmallow ValidationError into
the domain's ValidationFailed, which the error envelope renders in the user's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from bff.core import forms
from bff.core.errors import ValidationFailed
from bff.core.text import Text


def answers_schema(form: forms.CombinedForm, today: date) -> Schema:
    """The schema of this form's answers (a fresh class per form: questions differ per applicant)."""
    declared: dict[str, Any] = {f.key: fields.Raw(allow_none=True, validate=_rule(form, f.key, today)) for f in form.fields}

    class AnswersSchema(Schema):
        class Meta:
            unknown = RAISE

        @validates_schema(pass_original=True, skip_on_field_errors=False)
        def whole_form(self, _data: dict[str, Any], original: dict[str, Any], **_kwargs: Any) -> None:
            # The original answers: marshmallow would nest the loaded ones on the dots of the keys.
            errors = forms.form_errors(form, original, today)
            if errors:
                raise ValidationError(errors)  # type: ignore[arg-type]

    return AnswersSchema.from_dict(declared, name=f"Answers_{form.bundle.code}")()  # type: ignore[arg-type]


def _rule(form: forms.CombinedForm, key: str, today: date) -> Any:
    def validate(value: Any) -> None:
        problems = forms.answer_errors(form, key, value, today)
        if problems:
            raise ValidationError(problems)  # type: ignore[arg-type]

    return validate


def load_answers(form: forms.CombinedForm, answers: dict[str, Any], today: date) -> dict[str, Any]:
    """Validated answers, or ValidationFailed with per-field bilingual messages."""
    schema = answers_schema(form, today)
    try:
        schema.load(answers)
    except ValidationError as error:
        raise ValidationFailed(forms.INVALID, errors=_as_texts(error.normalized_messages())) from None
    return forms.effective_answers(form, answers)


def _as_texts(messages: dict[str, Any]) -> dict[str, list[Text]]:
    """Marshmallow's own messages (unknown field) become the form's bilingual ones."""
    result: dict[str, list[Text]] = {}
    for key, problems in messages.items():
        listed = problems if isinstance(problems, list) else [problems]
        result[key] = [p if isinstance(p, Text) else forms.NOT_IN_FORM for p in listed]
    return result
