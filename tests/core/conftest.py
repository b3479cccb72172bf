"""Fixtures of the core tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bff.core.catalog import CATALOG_DIR


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A copy of the shipped catalog that a test may break (see tests/core/catalog_files.py)."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target
