"""What the catalog command tests share: a province's copy of the shipped catalog, and a run of
`flask catalog …` in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask

from bff.core.catalog import CATALOG_DIR


def province_copy(tmp_path: Path) -> Path:
    """A copy of the shipped catalog that a test may edit."""
    root = tmp_path / "province"
    shutil.copytree(CATALOG_DIR, root)
    return root


def run(app: Flask, *args: str) -> tuple[int, str]:
    """``flask catalog <args>``: its exit code and output."""
    result = app.test_cli_runner().invoke(args=["catalog", *args])
    return result.exit_code, result.output
