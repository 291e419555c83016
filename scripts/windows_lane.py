#!/usr/bin/env python3
"""The Windows lane: this checkout's tests under Windows' own CPython in Wine.

    python scripts/windows_lane.py [PYTEST ARGS...]

Prepares the runtime (scripts/wine_runtime.py: cached), points the Windows python at this
checkout, and runs `python -m pytest` there, once under an English and once under a Chinese
Windows (LANG=en_US.UTF-8 → code page 1252, LANG=zh_CN.UTF-8 → code page 936, UI language 2052).
With PYTEST ARGS, only those tests, only under the first locale (quick iteration); READINESS_LANE_LOCALES
(comma-separated) chooses the locales. Exits non-zero when any run fails.

How the checkout is found: readiness-lane.pth in the Windows python's site-packages adds
C:\\readiness-lane, which holds the project's dist-info (its entry points: the built-in checks
are plugins) and a finder that maps readiness, readiness.checks and readiness.reports onto the
checkout's folders, as an editable install does (the package-dir layout of pyproject.toml).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wine_runtime  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"readiness": "readiness", "readiness.checks": "checks", "readiness.reports": "reports"}
DEFAULT_LOCALES = ("en_US.UTF-8", "zh_CN.UTF-8")
# The tests that change the PC they run on (tests/windows/test_scenarios.py: HKLM, Fonts, the
# Desktop) run only with this set; the lane's Wine prefix is its own, so the lane sets it.
MAY_CHANGE_THIS_PC = "READINESS_TESTS_MAY_CHANGE_THIS_PC"

FINDER = '''"""Maps the project's packages onto a checkout (written by scripts/windows_lane.py)."""
import importlib.util
import sys

ROOTS = {roots!r}


class _LaneFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        folder = ROOTS.get(name)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(name, folder + "\\\\__init__.py",
                                                      submodule_search_locations=[folder])


sys.meta_path.insert(0, _LaneFinder)
'''


def windows_path(path: Path) -> str:
    """Wine's Z: drive is the Linux root."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def write_dist_info(folder: Path) -> None:
    """The installed metadata that matters here: name, version and the entry points."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    init = (ROOT / "readiness" / "__init__.py").read_text(encoding="utf-8")
    version = init.split('__version__ = "', 1)[1].split('"', 1)[0]
    info = folder / f"{project['name'].replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {version}\n",
                                   encoding="utf-8")
    groups = {"console_scripts": project.get("scripts", {}), **project.get("entry-points", {})}
    lines = []
    for group, entries in groups.items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in entries.items()]
        lines.append("")
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")


def link_checkout(rt: wine_runtime.Runtime) -> None:
    lane = Path(rt.prefix) / "drive_c" / "readiness-lane"
    shutil.rmtree(lane, ignore_errors=True)
    lane.mkdir(parents=True)
    write_dist_info(lane)
    roots = {name: windows_path(ROOT / folder) for name, folder in PACKAGES.items()}
    (lane / "_readiness_lane_finder.py").write_text(FINDER.format(roots=roots), encoding="utf-8")
    (Path(rt.site) / "readiness-lane.pth").write_text(
        "C:\\readiness-lane\nimport _readiness_lane_finder\n", encoding="ascii")
    wine_runtime.wineserver_kill(Path(rt.prefix))


# Windows programs the Windows tests run, built from source here with mingw-w64 (Debian's
# gcc-mingw-w64-x86-64, in .ci/run's apt line): env var -> (source, exe name). Without the
# compiler the variable is unset and those tests skip, saying so.
STUBS = {"READINESS_DFC_STUB": ("tests/fixtures/dfc/dfc_stub.c", "DFC.exe")}
MINGW = "x86_64-w64-mingw32-gcc"


def build_stubs(folder: Path) -> dict[str, str]:
    """Each stub compiled into folder: {env var: its Windows path}."""
    import subprocess

    compiler = shutil.which(MINGW)
    if compiler is None:
        print(f"=== Windows lane: no {MINGW}: the tests that run a stub program skip ===", flush=True)
        return {}
    out = {}
    for var, (source, name) in STUBS.items():
        exe = folder / name
        subprocess.run([compiler, "-O2", "-s", "-o", str(exe), str(ROOT / source)], check=True)
        out[var] = windows_path(exe)
    return out


def junit_verdict(path: Path) -> str:
    """What pytest's own report says: a Windows process that Wine aborts can still exit 0."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return "no test report (the Windows python died)"
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return "an empty test report"
    n = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    words = f"{n['tests']} tests, {n['failures']} failed, {n['errors']} errors, {n['skipped']} skipped"
    return ("passed: " if n["tests"] and not n["failures"] and not n["errors"] else "FAILED: ") + words


def main(argv: list[str]) -> int:
    t0 = time.monotonic()
    rt = wine_runtime.prepare()
    link_checkout(rt)
    chosen = os.environ.get("READINESS_LANE_LOCALES")
    locales = chosen.split(",") if chosen else (DEFAULT_LOCALES[:1] if argv else DEFAULT_LOCALES)
    failed = []
    for lang in locales:
        t1 = time.monotonic()
        print(f"=== Windows lane: pytest under Windows python in Wine, {lang} ===", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            junit = Path(tmp) / "lane.xml"
            stubs = build_stubs(Path(tmp))
            code = wine_runtime.run_python(
                rt, ["-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={windows_path(junit)}", *argv],
                lang=lang, cwd=str(ROOT),
                env={"READINESS_WINDOWS_LANE": "1", MAY_CHANGE_THIS_PC: "1", **stubs}).returncode
            verdict = junit_verdict(junit)
        print(f"=== Windows lane, {lang}: exit {code}, {verdict} in {time.monotonic() - t1:.0f}s ===", flush=True)
        if code != 0 or not verdict.startswith("passed"):
            failed.append(lang)
    wine_runtime.wineserver_kill(Path(rt.prefix))
    print(f"=== Windows lane: {'FAILED under ' + ', '.join(failed) if failed else 'passed'}; "
          f"{time.monotonic() - t0:.0f}s in all ===", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
