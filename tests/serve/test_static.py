"""The pages' static files: served, in the built wheel and in the exe's spec, and every word their
scripts ask for is in the one table (a missing one would show its key on the page)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

from readiness.site.rounds import round_summary  # noqa: F401 - the states below are the ones it gives
from readiness.serve import pages
from readiness.site.words import WORDS
from tests.serve.server import running

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "readiness" / "serve" / "static"
STATES = ("scheduled", "running", "done", "waiting", "finished", "failed", "unfinished")


def test_the_static_files_are_the_assets() -> None:
    assert sorted(p.name for p in STATIC.iterdir()) == sorted(pages.ASSETS)
    assert pages.asset("../app.py") is None and pages.asset("nope.js") is None


def test_the_assets_are_served(tmp_path, profile) -> None:
    with running(tmp_path / "d", profile) as srv:
        for name in pages.ASSETS:
            r = requests.get(f"{srv.url}/assets/{name}", timeout=10)
            assert r.status_code == 200 and r.content == (STATIC / name).read_bytes()
            assert r.headers["content-type"].startswith("text/css" if name.endswith(".css") else "text/javascript")
        r = requests.get(f"{srv.url}/assets/pages.py", timeout=10)
        assert (r.status_code, r.json()["error"]) == (404, "no such file")


@pytest.mark.parametrize("script", ["common.js", "dashboard.js", "phone.js", "branch.js"])
def test_every_word_a_script_asks_for_is_in_the_table(script: str) -> None:
    source = (STATIC / script).read_text("utf-8")
    asked = {w for w in re.findall(r"\btn?\(\"(\w+)\"", source) if not w.endswith("_")}  # "deadline_" + state:
    assert asked or script == "common.js", script  # tests/serve/test_branch_pages.py checks each state
    assert asked <= set(WORDS), asked - set(WORDS)
    assert "roundof" not in source and "const T =" not in source  # the one table, not a copy in the script


def test_the_manager_pages_helpers_are_written_once() -> None:
    """t, txt, el, when, span, badge: common.js only, loaded first by both dashboards."""
    for script in ("dashboard.js", "branch.js"):
        source = (STATIC / script).read_text("utf-8")
        for helper in ("function t(", "function txt(", "function el(", "function when(", "function span(",
                       "function badge(", "const TABLE"):
            assert helper not in source, (script, helper)


def test_every_round_and_seat_state_is_a_word() -> None:
    assert all(WORDS[s].zh != s for s in STATES)


def test_the_exe_takes_the_static_files() -> None:
    spec = (ROOT / "packaging" / "readiness.spec").read_text("utf-8")
    assert 'collect_data_files("readiness.serve", includes=["static/*", "templates/*"])' in spec
    assert 'collect_data_files("readiness.reports", includes=["templates/*"])' in spec  # the HTML reports' templates


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
@pytest.mark.skipif(importlib.util.find_spec("pip") is None, reason="builds the wheel with pip (the Windows lane's "
                    "Python has none)")
def test_the_wheel_carries_the_static_files(tmp_path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"readiness/serve/static/{n}" for n in pages.ASSETS} <= names
    templates = {f"readiness/serve/templates/{p.name}" for p in pages.TEMPLATES.glob("*.html")}
    templates |= {f"readiness/reports/templates/{p.name}" for p in (ROOT / "reports" / "templates").iterdir()}
    assert len(templates) > 10 and templates <= names  # every page's and report's template, the print CSS too
