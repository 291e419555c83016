"""The source layout (checks/ and reports/ at the top level) maps onto the import names."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import readiness

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def declared() -> tuple[dict[str, str], list[str]]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    return setuptools["package-dir"], setuptools["packages"]


def test_every_source_package_is_declared() -> None:
    """A new subpackage left out of pyproject's explicit list would be missing from the wheel."""
    package_dir, packages = declared()
    found = set()
    for name, folder in package_dir.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join((name, *rel.parts)))
    assert found == set(packages)


@pytest.mark.parametrize("module", ["readiness.checks.memory", "readiness.reports.text"])
@pytest.mark.skipif(Path(readiness.__file__).parent != ROOT / "readiness",
                    reason="the package is installed from a wheel, not from this checkout")
def test_mapped_packages_import_from_top_level_folders(module: str) -> None:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    assert Path(spec.origin).parent.parent == ROOT


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_types_check_as_on_windows() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "typecheck.py")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


# Who may import whom: the core nothing above it; the sides (the PC, the site) the core; the branch the
# site too (it reads site documents); renderers the models they render; the server anything below it.
# The entry modules (cli, standalone, __main__, api) are above all and import anything.
LAYERS = {
    "core": {"core"},
    "pc": {"core", "pc", "reports"},  # the pipeline writes the report file through its renderer
    "site": {"core", "site"},
    "branch": {"core", "site", "branch"},
    "reports": {"core", "site", "branch", "reports"},
    "serve": {"core", "pc", "site", "branch", "reports", "serve"},
    "checks": {"api"},
}
ENTRY_MODULES = {"__init__.py", "__main__.py", "api.py", "cli.py", "standalone.py"}


def _imports(path: Path) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
    return found


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "readiness" and len(parts) > 1 else None


def test_imports_go_one_way_only() -> None:
    wrong = []
    for folder, layer_of_file in (("readiness", None), ("checks", "checks"), ("reports", "reports")):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder)
            layer = layer_of_file or (rel.parts[0] if len(rel.parts) > 1 else None)
            if layer is None:
                continue
            for module in _imports(path):
                target = _layer_of(module)
                if target is not None and target not in LAYERS[layer]:
                    wrong.append(f"{folder}/{rel}: {module}")
    assert wrong == []


def test_the_top_of_the_package_holds_only_the_entry_modules() -> None:
    assert {p.name for p in (ROOT / "readiness").glob("*.py")} == ENTRY_MODULES
    assert (ROOT / "readiness" / "core" / "__init__.py").read_text("utf-8").strip() == ""  # start-up stays small


# HTML is written in templates (reports/templates, readiness/serve/templates: Jinja2 with autoescape),
# never in Python strings, where each value would need its own escape call.
HTML_TAGS = ("html|head|body|title|meta|link|style|script|div|span|p|a|b|i|br|hr|table|thead|tbody|tr|td|th|h[1-6]|"
             "small|strong|em|code|pre|bdi|form|input|button|label|img|ul|ol|li|section|svg|textarea|select|option")


def _html_in_strings(source: str) -> list[int]:
    import ast
    import re

    tag = re.compile(rf"</?(?:{HTML_TAGS})(?:\s[^<>]*)?/?>|<!DOCTYPE", re.I)
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return sorted({node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant)
                   and isinstance(node.value, str) and id(node) not in docstrings and tag.search(node.value)})


def test_no_html_is_written_in_python_strings() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}" for folder in ("readiness", "reports")
             for path in sorted((ROOT / folder).rglob("*.py")) for line in _html_in_strings(path.read_text("utf-8"))]
    assert found == []
    assert _html_in_strings('x = f"<td>{value}</td>"') == [1] and _html_in_strings('x = "<b>"') == [1]
    assert _html_in_strings('"""A <b> in a docstring is prose."""\nx = "a < b > c"') == []


def test_jinja2_is_imported_only_by_the_server_and_the_html_renderers() -> None:
    allowed = {"readiness/serve/pages.py", "reports/html.py"}
    users = {str(path.relative_to(ROOT)) for folder in ("readiness", "reports", "checks")
             for path in (ROOT / folder).rglob("*.py")
             if any(m.split(".")[0] in ("jinja2", "markupsafe") or m == "starlette.templating" for m in _imports(path))}
    assert users == allowed
    # and the renderers that draw HTML go through reports/html.py
    for name in ("site_html", "branch_html"):
        assert "readiness.reports.html" in _imports(ROOT / "reports" / f"{name}.py")
