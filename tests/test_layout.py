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
