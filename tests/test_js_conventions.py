"""House rules for the PWA's JavaScript, checked on a real parse of every module under pwa/js.

A function (declaration, expression, arrow, method) counts every line from its first to its last,
nested functions included: a long closure is long however its inner helpers are split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tree_sitter_javascript
from tree_sitter import Language, Node, Parser

ROOT = Path(__file__).resolve().parent.parent
JS_ROOT = ROOT / "pwa" / "js"
MAX_FUNCTION_LINES = 60
FUNCTION_NODES = {"function_declaration", "function_expression", "function", "arrow_function",
                  "method_definition", "generator_function_declaration", "generator_function"}

PARSER = Parser(Language(tree_sitter_javascript.language()))


def parse(source: str) -> Node:
    """The module's syntax tree; a module the grammar cannot read fails the check instead of passing it."""
    tree = PARSER.parse(source.encode("utf-8"))
    assert not tree.root_node.has_error, "the JavaScript parser found a syntax error"
    return tree.root_node


def function_name(node: Node) -> str:
    named = node.child_by_field_name("name")
    if named is None and node.parent is not None and node.parent.type in {"variable_declarator", "pair"}:
        named = node.parent.child_by_field_name("name") or node.parent.child_by_field_name("key")
    return named.text.decode("utf-8") if named is not None and named.text else "(anonymous)"


def functions(root: Node) -> Iterator[tuple[str, int, int]]:
    """(name, first line, number of lines) of every function in the tree, outer before inner."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_named and node.type in FUNCTION_NODES:
            yield function_name(node), node.start_point.row + 1, node.end_point.row - node.start_point.row + 1
        stack.extend(reversed(node.children))


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    return [found for found in functions(parse(source)) if found[2] > limit]


def js_modules() -> list[Path]:
    return sorted(JS_ROOT.rglob("*.js"))


def test_there_are_modules_to_check():
    assert len(js_modules()) > 20


@pytest.mark.parametrize("path", js_modules(), ids=lambda p: str(p.relative_to(JS_ROOT)))
def test_no_function_in_the_pwa_is_longer_than_the_limit(path: Path):
    offenders = long_functions(path.read_text(encoding="utf-8"))
    assert not offenders, "split these into functions or components with one job each: " + ", ".join(
        f"{name} (line {line}, {lines} lines)" for name, line, lines in offenders)


# The check itself: what counts as a function and where it ends.

def body(lines: int) -> str:
    return "\n".join(f"  step({i});" for i in range(lines - 2))


def test_counts_a_declaration_from_its_first_line_to_its_last():
    assert list(functions(parse(f"function a() {{\n{body(5)}\n}}\n"))) == [("a", 1, 5)]


def test_finds_arrows_methods_and_expressions_by_the_name_they_are_given():
    source = ("const f = () => 1;\nconst g = function () {};\nclass C { m() {} }\n"
              "const o = { h: async () => {}, k() {} };\nfunction* gen() {}\n")
    assert [name for name, _, _ in functions(parse(source))] == ["f", "g", "m", "h", "k", "gen"]


def test_an_outer_function_counts_the_lines_of_its_inner_ones():
    source = f"function outer() {{\n  function inner() {{\n{body(70)}\n  }}\n}}\n"
    assert [(name, lines) for name, _, lines in long_functions(source)] == [("outer", 72), ("inner", 70)]


def test_braces_in_strings_templates_comments_and_regexes_do_not_end_a_function():
    tricky = "  const s = '}'; const u = `${'}'}`; // }\n  /* } */ const r = /}/;\n"
    source = f"function a() {{\n{tricky}{body(60)}\n}}\n"
    assert long_functions(source) == [("a", 1, 62)]


def test_a_function_of_exactly_the_limit_passes():
    assert long_functions(f"const a = () => {{\n{body(MAX_FUNCTION_LINES)}\n}};\n") == []


def test_a_module_that_does_not_parse_fails_the_check():
    with pytest.raises(AssertionError):
        parse("function a( {\n")
