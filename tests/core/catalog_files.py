"""Editing a copy of the catalog's files (the ``catalog_dir`` fixture) and reading the loader's refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bff.core.catalog import CatalogError, load_catalog


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` holding ``text``."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def at(root: Path, relative: str, text: str) -> str:
    """``file:line:`` as a problem names the place: the line of ``text`` in ``root/relative``."""
    return f"{relative}:{line_of(root / relative, text)}:"


def load_error(root: Path) -> str:
    with pytest.raises(CatalogError) as raised:
        load_catalog(root)
    return str(raised.value)
