"""The catalog as files: their text by relative path, the version they make, and where a key sits.

A catalog is read from a directory (``bff/catalog`` or a province's copy) or from a snapshot an
application was submitted with; both are the same mapping of ``"items/senior-card.yaml"`` to the
file's text, so one loader validates both and one hash names both.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

CatalogFiles = Mapping[str, str]  # relative POSIX path → the file's YAML text

_STEP = re.compile(r"\[(\d+)\]")


def read_catalog_files(root: Path) -> dict[str, str]:
    """Every ``*.yaml`` under ``root`` by its relative path. Read as bytes and decoded, so the text
    is exactly the file (no newline translation) and hashes the same as the file itself."""
    return {path.relative_to(root).as_posix(): path.read_bytes().decode("utf-8")
            for path in sorted(root.rglob("*.yaml"))}


def files_version(files: CatalogFiles) -> str:
    """A content hash of the files: an application records the version it was made with."""
    digest = hashlib.sha256()
    for relative in sorted(files, key=PurePosixPath):
        digest.update(relative.encode())
        digest.update(files[relative].encode("utf-8"))
    return digest.hexdigest()[:12]


# libyaml's parser when the wheel has it (it reads the catalog several times faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> tuple[Any, KeyLines]:
    """The file's data and where its keys are, from one parse (``yaml.YAMLError`` if it is not YAML)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), KeyLines(node)
    finally:
        loader.dispose()


class KeyLines:
    """The 1-based line of a key path in one YAML file: ``time_limit_days``, ``needs[1]``,
    ``consumes.name``, ``fields.bank.card_number.validation`` (keys may hold dots: the longest
    key that matches wins), ``materials[0].when``. A path that goes further than the file gives
    the line of the deepest part found."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def line(self, path: str) -> int:
        if self.root is None:
            return 1
        found, depth = _walk(self.root, path, 0)
        # departments.yaml and categories.yaml keep their entries under one top-level key.
        if depth == 0 and isinstance(self.root, yaml.MappingNode):
            for _, value in self.root.value:
                inner, inner_depth = _walk(value, path, 0)
                if inner_depth > depth:
                    found, depth = inner, inner_depth
        return found if depth else 1


def _walk(node: yaml.Node, path: str, depth: int) -> tuple[int, int]:
    """(line, how many steps matched) of ``path`` below ``node``."""
    line = node.start_mark.line + 1
    if not path:
        return line, depth
    step = _STEP.match(path)
    if step:
        index = int(step.group(1))
        if isinstance(node, yaml.SequenceNode) and index < len(node.value):
            return _walk(node.value[index], path[step.end():].lstrip("."), depth + 1)
        return line, depth
    if not isinstance(node, yaml.MappingNode):
        return line, depth
    best: tuple[yaml.Node, yaml.Node] | None = None
    for key, value in node.value:
        name = str(key.value)
        if (path == name or path.startswith((name + ".", name + "["))) and (
                best is None or len(name) > len(str(best[0].value))):
            best = (key, value)
    if best is None:
        return line, depth
    key, value = best
    rest = path[len(str(key.value)):].lstrip(".")
    if not rest:
        return key.start_mark.line + 1, depth + 1
    inner, inner_depth = _walk(value, rest, depth + 1)
    return (inner, inner_depth) if inner_depth > depth + 1 else (key.start_mark.line + 1, depth + 1)
