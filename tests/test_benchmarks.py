"""Every benchmark runs, at a tiny size, as part of the suite: a benchmark that nothing runs rots
(serve_load.py wrote a rate the profile had since bounded, and stopped running). These are smoke
runs: they prove each script still works end to end and prints its figures; no time is asserted
(the figures are for the README, measured on a quiet machine). exe_startup.py runs with the exe's
own smoke tests (tests/test_exe.py), where the exe is built."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the benchmarks drive Linux processes (and Wine, netns, tc)")

BENCH = ROOT / "benchmarks"


def run(script: str, *args: str, timeout: float = 240) -> str:
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_check_startup():
    out = run("check_startup.py", "--runs", "1")
    assert "ratio check/bare" in out and "target: within 6x" in out, out


def test_aggregate_scale():
    out = run("aggregate_scale.py", "--reports", "40", "--rounds", "1")
    assert "readiness aggregate,      40 reports" in out and "peak" in out, out


def test_serve_load():
    out = run("serve_load.py", "--pcs", "8", "--branch", "60")
    assert "stored 8/8" in out and "dashboard drawn in" in out, out


def test_bandwidth_accuracy():
    out = run("bandwidth_accuracy.py", "--rates", "10", "--duration", "1", "--warmup", "0.2", "--streams", "2")
    assert "shaped Mbit/s" in out or "needs root" in out, out


def test_rehearsal_shaped():
    out = run("rehearsal_shaped.py", "--seats", "2", "--paper-mb", "0.5", "--rate", "50")
    assert "skipped: needs root" in out or "/goodput" in out, out


def test_branch_load():
    out = run("branch_load.py", "--sites", "12", "--every", "1", "--seconds", "2", "--seats", "3")
    assert "answers: {201: 24}" in out and "sites listed by /api/branch: 12" in out, out
    assert "ingestion latency p50" in out and "branch dashboard drawn in" in out, out
