"""What a draft may hold: answers of the right shape for the form's fields, within a size limit.

A draft is partial by nature, so autosave never asks for completeness or a valid value: a
half-typed date or mobile number saves, and submission (:func:`bff.core.forms.check_answers`)
checks the values. Autosave refuses only what no answer to the field could ever be: a key the
form does not ask, a value of the wrong kind (an object, a number for a name), control
characters, a whole number outside 64 bits, text longer than any answer, and an ID number
that is complete but whose check character is wrong (typed, so the resident should know now).
What is refused leaves the saved draft as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bff.core.catalog import FieldDef
from bff.core.idnumber import PATTERN as ID_PATTERN
from bff.core.idnumber import check_char
from bff.core.text import Text

MAX_ANSWERS_BYTES = 32 * 1024
"""The answers of one draft as UTF-8 JSON: the largest form, every answer at its own limit, is
about 10 KB."""
MAX_TEXT_CHARS = 1000
"""The longest text any answer may be while a draft (every field's own limit is far below)."""
INT64 = 2**63 - 1

# Tab, line feed and carriage return may be pasted into a free-text answer; no other C0 or C1
# control, DEL, or lone surrogate (which no UTF-8 encoder, the response's included, accepts).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

NOT_IN_FORM = Text("此项不属于本申请。", "This question is not part of this application.")
NOT_TEXT = Text("请填写文字。", "Please enter text.")
NOT_YES_NO = Text("请选择是或否。", "Please choose yes or no.")
NOT_WHOLE = Text("请输入整数。", "Please enter a whole number.")
NOT_A_CHOICE = Text("请从选项中选择。", "Please choose one of the options.")
CONTROL_CHARS = Text("内容含有不可见的控制字符，请删除后重试。",
                     "This contains invisible control characters; remove them and try again.")
TOO_LONG = Text(f"内容过长（最多{MAX_TEXT_CHARS}个字）。", f"This is too long (at most {MAX_TEXT_CHARS} characters).")
BAD_ID_CHECK = Text("身份证号码校验位不正确，请核对。", "This ID number's check character is wrong; please check it.")
TOO_LARGE = Text("草稿内容过多，无法保存。", "This draft holds too much to be saved.")


def answer_errors(fields: Mapping[str, FieldDef], changes: Mapping[str, Any]) -> dict[str, list[Text]]:
    """Per key, why each of ``changes`` cannot be saved in a draft of a form asking ``fields``.

    ``None`` clears an answer and is always accepted (even of a key the form no longer asks)."""
    errors: dict[str, list[Text]] = {}
    for key, value in changes.items():
        if value is None:
            continue
        definition = fields.get(key)
        problem = NOT_IN_FORM if definition is None else shape_error(definition, value)
        if problem is not None:
            errors[key] = [problem]
    return errors


def shape_error(definition: FieldDef, value: Any) -> Text | None:
    """Why ``value`` could never be an answer to ``definition``, or None (it may be unfinished)."""
    if definition.type == "boolean":
        return None if isinstance(value, bool) else NOT_YES_NO
    if definition.type == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return None if -INT64 <= value <= INT64 else NOT_WHOLE
    if not isinstance(value, str):
        return NOT_WHOLE if definition.type == "integer" else NOT_TEXT
    return _text_error(definition, value)


def _text_error(definition: FieldDef, value: str) -> Text | None:
    if CONTROL.search(value):
        return CONTROL_CHARS
    if len(value) > MAX_TEXT_CHARS:
        return TOO_LONG
    if definition.type == "select" and value and value not in {choice.value for choice in definition.choices}:
        return NOT_A_CHOICE
    if definition.type == "id_number":
        number = value.strip().upper()
        if ID_PATTERN.match(number) and check_char(number[:17]) != number[17]:
            return BAD_ID_CHECK
    return None


def size_error(answers: Mapping[str, Any]) -> Text | None:
    """TOO_LARGE when the merged answers exceed :data:`MAX_ANSWERS_BYTES`."""
    size = len(json.dumps(answers, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    return TOO_LARGE if size > MAX_ANSWERS_BYTES else None
