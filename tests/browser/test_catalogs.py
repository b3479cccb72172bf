"""The PWA's message catalogs: every string the code asks for exists, in both languages (no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "pwa"
LITERAL_KEY = re.compile(r"\bt\('([a-z0-9_]+)'")


def catalog(language: str) -> dict[str, str]:
    return json.loads((PWA / "i18n" / f"{language}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


PLURAL_FORMS = {"0", "zero", "one", "two", "few", "many", "other"}  # `key#form`: "0" for none, else Intl.PluralRules'


def messages(language: str) -> dict[str, str]:
    """The catalog without its plural forms (which each language has as its grammar needs)."""
    return {key: text for key, text in catalog(language).items() if "#" not in key}


def test_both_catalogs_have_the_same_keys_and_no_empty_strings() -> None:
    chinese, english = messages("zh-CN"), messages("en")
    assert set(chinese) == set(english)
    assert not [key for key, text in {**catalog("zh-CN"), **catalog("en")}.items() if not text.strip()]


def test_each_plural_form_belongs_to_a_message_and_fills_only_its_placeholders() -> None:
    placeholders = re.compile(r"\{(\w+)\}")
    for language in ("zh-CN", "en"):
        base = messages(language)
        for key, text in catalog(language).items():
            if "#" not in key:
                continue
            message, form = key.split("#", 1)
            assert message in base and form in PLURAL_FORMS, key
            assert set(placeholders.findall(text)) <= set(placeholders.findall(base[message])), key


def test_every_key_the_code_asks_for_is_in_the_catalogs() -> None:
    used = {key for path in (PWA / "js").rglob("*.js") for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    used |= {el for path in [PWA / "index.html"] for el in re.findall(r'data-i18n="([a-z0-9_]+)"', path.read_text())}
    assert used, "no keys found: has the t('…') convention changed?"
    assert sorted(used - set(catalog("zh-CN"))) == []


def test_placeholders_match_between_languages() -> None:
    chinese, english = messages("zh-CN"), messages("en")
    placeholders = re.compile(r"\{(\w+)\}")
    assert {k: set(placeholders.findall(v)) for k, v in chinese.items()} == \
           {k: set(placeholders.findall(v)) for k, v in english.items()}
