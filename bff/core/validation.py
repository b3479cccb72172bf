"""Rules for single answers and for answers taken together; messages in zh-CN and English.

:func:`check_value` checks one answer against its field definition;
:func:`cross_field_errors` checks dates in order and relations against the
registry. Both return :class:`~bff.core.text.Text` messages; nothing raises here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bff.core.catalog import FieldDef
from bff.core.idnumber import PATTERN as ID_PATTERN
from bff.core.idnumber import birth_date_of, check_char, sex_of
from bff.core.text import Text

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CARD = re.compile(r"^\d{16,19}$")
NAME = re.compile(r"^[\u3400-\u9fffA-Za-z·•\s]+$")

REQUIRED = Text("请填写此项。", "Please answer this question.")
MUST_AGREE = Text("请阅读并勾选同意。", "Please read and tick to agree.")
BAD_NAME = Text("姓名只能包含汉字、字母和间隔号“·”。", "A name may contain only Chinese characters, letters and ‘·’.")
DEATH_BEFORE_BIRTH = Text("死亡日期不能早于出生日期。", "The date of death cannot be before the date of birth.")
CREMATION_BEFORE_DEATH = Text("火化日期不能早于死亡日期。", "The cremation cannot be before the death.")
BIRTH_NOT_ID = Text("出生日期与身份证号码不一致。", "The date of birth does not match the ID number.")
PARENT_SEX = Text("身份证号码的性别与父母身份不符。", "The sex in this ID number does not match the parent.")


def _text(zh: str, en: str) -> Text:
    return Text(zh, en)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check digit of bank card numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_value(definition: FieldDef, value: Any, today: date) -> list[Text]:
    """What is wrong with ``value`` as an answer to ``definition`` (empty when fine)."""
    if is_blank(value):
        return [REQUIRED] if definition.required else []
    checker = CHECKERS.get(definition.type, _check_text)
    return checker(definition, value, today)


def _check_text(definition: FieldDef, value: Any, _today: date) -> list[Text]:
    if not isinstance(value, str):
        return [_text("请填写文字。", "Please enter text.")]
    if definition.max_length and len(value.strip()) > definition.max_length:
        return [_text(f"最多{definition.max_length}个字。", f"At most {definition.max_length} characters.")]
    return []


def _check_name(definition: FieldDef, value: Any, today: date) -> list[Text]:
    errors = _check_text(definition, value, today)
    if not errors and not NAME.match(value.strip()):
        errors.append(BAD_NAME)
    return errors


def _check_id_number(_definition: FieldDef, value: Any, today: date) -> list[Text]:
    text = str(value).strip().upper()
    if not ID_PATTERN.match(text):
        return [_text("身份证号码应为18位，最后一位可以是X。", "An ID number has 18 characters; the last may be X.")]
    if check_char(text[:17]) != text[17]:
        return [_text("身份证号码校验位不正确，请核对。", "This ID number's check character is wrong; please check it.")]
    born = birth_date_of(text)
    if born is None or born.year < 1900 or born > today:
        return [_text("身份证号码中的出生日期无效。", "The date of birth inside this ID number is not valid.")]
    return []


def _check_mobile(_definition: FieldDef, value: Any, _today: date) -> list[Text]:
    if not MOBILE.match(str(value).strip()):
        return [_text("请输入11位手机号码。", "Please enter an 11-digit mobile number.")]
    return []


def _check_bank_card(_definition: FieldDef, value: Any, _today: date) -> list[Text]:
    digits = str(value).replace(" ", "")
    if not CARD.match(digits):
        return [_text("银行卡号应为16至19位数字。", "A bank card number has 16 to 19 digits.")]
    if not luhn_ok(digits):
        return [_text("银行卡号有误，请核对。", "This bank card number is not valid; please check it.")]
    return []


def _check_date(definition: FieldDef, value: Any, today: date) -> list[Text]:
    day = parse_date(value)
    if day is None:
        return [_text("请输入有效日期（年-月-日）。", "Please enter a valid date (year-month-day).")]
    if definition.not_future and day > today:
        return [_text("日期不能晚于今天。", "This date cannot be in the future.")]
    return []


def _check_integer(definition: FieldDef, value: Any, _today: date) -> list[Text]:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
        return [_text("请输入整数。", "Please enter a whole number.")]
    number = int(value)
    if definition.min is not None and number < definition.min:
        return [_text(f"不能小于{definition.min}。", f"Must be at least {definition.min}.")]
    if definition.max is not None and number > definition.max:
        return [_text(f"不能大于{definition.max}。", f"Must be at most {definition.max}.")]
    return []


def _check_select(definition: FieldDef, value: Any, _today: date) -> list[Text]:
    if value not in {c.value for c in definition.choices}:
        return [_text("请从选项中选择。", "Please choose one of the options.")]
    return []


def _check_boolean(definition: FieldDef, value: Any, _today: date) -> list[Text]:
    if not isinstance(value, bool):
        return [_text("请选择是或否。", "Please choose yes or no.")]
    if definition.must_be_true and value is not True:
        return [MUST_AGREE]
    return []


CHECKERS = {
    "name": _check_name,
    "id_number": _check_id_number,
    "mobile": _check_mobile,
    "bank_card": _check_bank_card,
    "date": _check_date,
    "integer": _check_integer,
    "select": _check_select,
    "boolean": _check_boolean,
}


# ---- rules across answers -------------------------------------------------------

RELATION_NAMES = {"self": "本人", "father": "父亲", "mother": "母亲", "spouse": "配偶", "child": "子女", "other": "其他"}


def cross_field_errors(answers: dict[str, Any], facts: dict[str, Any], today: date) -> dict[str, list[Text]]:
    """Dates in order, ID numbers that agree with sex and birth date, relations as registered."""
    errors: dict[str, list[Text]] = {}
    for key, message in [*_date_order(answers), *_id_agreement(answers), *_relation(answers, facts)]:
        errors.setdefault(key, []).append(message)
    return errors


def _dates(answers: dict[str, Any], *keys: str) -> list[date | None]:
    return [parse_date(answers[k]) if not is_blank(answers.get(k)) else None for k in keys]


def _date_order(answers: dict[str, Any]) -> list[tuple[str, Text]]:
    born, died, cremation = _dates(answers, "subject.birth_date", "subject.death_date", "subject.cremation_date")
    problems = []
    if born and died and died < born:
        problems.append(("subject.death_date", DEATH_BEFORE_BIRTH))
    if died and cremation and cremation < died:
        problems.append(("subject.cremation_date", CREMATION_BEFORE_DEATH))
    return problems


def _id_agreement(answers: dict[str, Any]) -> list[tuple[str, Text]]:
    problems = []
    number, born = answers.get("subject.id_number"), _dates(answers, "subject.birth_date")[0]
    if _valid_id(number) and born and birth_date_of(str(number).upper()) != born:
        problems.append(("subject.birth_date", BIRTH_NOT_ID))
    for key, sex in (("family.mother_id_number", "female"), ("family.father_id_number", "male")):
        if _valid_id(answers.get(key)) and sex_of(str(answers[key])) != sex:
            problems.append((key, PARENT_SEX))
    return problems


def _valid_id(value: Any) -> bool:
    text = str(value or "").upper()
    return bool(ID_PATTERN.match(text)) and check_char(text[:17]) == text[17]


def _relation(answers: dict[str, Any], facts: dict[str, Any]) -> list[tuple[str, Text]]:
    registered, answered = facts.get("applicant.registry_relation"), answers.get("applicant.relation")
    if registered is None or is_blank(answered) or registered == answered:
        return []
    name = RELATION_NAMES.get(registered, registered)
    return [("applicant.relation", _text(f"与户籍登记的亲属关系（{name}）不一致。",
                                         f"This does not match the relation held in the registry ({registered})."))]
