"""Editing a copy of the catalog's files (the ``catalog_dir`` fixture) and reading the loader's refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bff.core.catalog import CatalogError, load_catalog


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(root: Path) -> str:
    with pytest.raises(CatalogError) as raised:
        load_catalog(root)
    return str(raised.value)
