"""Type-check the package as it is installed, with mypy, as on Windows (see [tool.mypy]).

The sources of ``readiness.checks`` and ``readiness.reports`` sit in the top-level folders
``checks/`` and ``reports/`` (setuptools ``package-dir``), which mypy cannot map to those import
names. This lays the package out as installed, in a temporary folder of symlinks, and runs mypy
on it with the project's configuration.

    python scripts/typecheck.py [extra mypy arguments]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"checks": "checks", "reports": "reports"}  # readiness.<name> -> top-level folder


def lay_out(target: Path) -> Path:
    """A ``readiness`` package under ``target`` whose entries link to the real sources."""
    package = target / "readiness"
    package.mkdir()
    for entry in (ROOT / "readiness").iterdir():
        if entry.name != "__pycache__":
            _link(package / entry.name, entry)
    for name, folder in MAPPED.items():
        _link(package / name, ROOT / folder)
    return package


def _link(link: Path, source: Path) -> None:
    """A symlink; a copy where symlinks need a privilege (Windows without developer mode)."""
    try:
        link.symlink_to(source, target_is_directory=source.is_dir())
    except OSError:
        if source.is_dir():
            shutil.copytree(source, link, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, link)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="readiness-typecheck-") as tmp:
        package = lay_out(Path(tmp))
        cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
               "--cache-dir", str(ROOT / ".mypy_cache"), str(package), *argv]
        return subprocess.run(cmd, cwd=tmp).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
