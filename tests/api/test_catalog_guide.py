"""docs/catalog.md's worked example is a valid catalog change, and its sample outputs are what the
commands print: the YAML is taken from the page, written into a copy of the catalog and checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api.catalog_cli_helpers import province_copy, run
from tests.core.catalog_files import edit
from tests.factories import ApplicationFactory

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"
BLOCK = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def guide() -> str:
    """The page's guide for a provincial team, up to the next section."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("## A provincial team's guide")
    return text[start:text.index("\n## ", start + 1)]


def blocks(language: str) -> list[str]:
    """The guide's fenced blocks of ``language`` ("" for plain), their indentation removed."""
    found = []
    for indent, lang, body in BLOCK.findall(guide()):
        if lang == language:
            found.append("".join(line.removeprefix(indent) for line in body.splitlines(keepends=True)))
    return found


def install_example(root: Path) -> list[str]:
    """Write the worked example's files into the catalog copy ``root``; returns the paths written."""
    written = []
    for body in blocks("yaml"):
        first, _, rest = body.partition("\n")
        if first == "# fields.yaml, under fields:":
            indented = "".join(f"  {line}" if line.strip() else line for line in rest.splitlines(keepends=True))
            edit(root / "fields.yaml", "\nfields:\n", "\nfields:\n" + indented)
            written.append("fields.yaml")
        elif first.startswith(("# items/", "# bundles/")):
            relative = first.removeprefix("# ")
            (root / relative).write_text(body, encoding="utf-8")
            written.append(relative)
    return written


def sample(marker: str) -> list[str]:
    """The lines of the page's plain block holding ``marker``."""
    return next(body for body in blocks("") if marker in body).strip().splitlines()


@pytest.fixture
def province(tmp_path: Path) -> Path:
    return province_copy(tmp_path)


def test_the_worked_example_passes_the_check(app, province):
    written = install_example(province)
    assert sorted(written) == ["bundles/residence-permit.yaml", "fields.yaml", "items/residence-permit-card.yaml",
                               "items/residence-registration.yaml"]
    code, output = run(app, "check", str(province))
    assert code == 0, output
    assert f"{province}: valid, version" in output


def test_the_pages_sample_of_problems_is_what_the_check_prints(app, province):
    install_example(province)
    card = province / "items/residence-permit-card.yaml"
    edit(card, "department: public-security", "department: public-securty")
    edit(card, "  - subject.residence_address", "  - subject.residence_adress")
    edit(province / "bundles/residence-permit.yaml", "en: A residence permit}", "en: ''}")
    code, output = run(app, "check", str(province))
    assert code == 1
    for line in sample("problem(s) in DIR"):
        assert line.replace("DIR", str(province)) in output.splitlines(), (line, output)


def test_the_pages_sample_of_a_diff_is_what_the_diff_prints(app, province):
    install_example(province)
    vaccination = province / "items/vaccination-certificate.yaml"
    edit(vaccination, "time_limit_days: 5", "time_limit_days: 9")
    edit(vaccination, "  - family.mother_name\n", "")
    for _ in range(3):
        ApplicationFactory(bundle="birth", submitted=True)
    code, output = run(app, "diff", str(province))
    assert code == 0, output
    first, *rest = sample("catalog <live version>")
    assert output.splitlines()[0].startswith("catalog ") and first.startswith("catalog <live version>")
    for line in rest:
        assert line in output.splitlines(), (line, output)
