"""The officer workbench names each datum that runs between departments (a case's inputs, what an
approval produces) in words, in both languages, never by its catalog key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bff.core.catalog import default_catalog

I18N = Path(__file__).resolve().parent.parent / "pwa" / "i18n"


def data_that_runs_between_departments() -> set[str]:
    items = default_catalog().items.values()
    return {name for item in items for name in item.consumes} | {name for item in items for name in item.produces}


def test_the_catalog_lets_data_run_between_departments() -> None:
    assert {"birth_certificate_number", "citizen_id_number"} <= data_that_runs_between_departments()


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_datum_has_a_label(language: str) -> None:
    messages = json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))
    missing = {name for name in data_that_runs_between_departments() if not messages.get(f"input_{name}", "").strip()}
    assert not missing, f"add input_<name> to pwa/i18n/{language}.json for {sorted(missing)}"
