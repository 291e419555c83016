"""How fast readiness.exe starts, one-file against one-folder, beside Windows python's own start —
all under Wine on this machine, so every figure carries Wine's process start too: compare ratios.

Runs each command N times, taking turns (after one warm-up run each), with a persistent
wineserver, and prints the median and the fastest run and their ratios to `python -c pass` of
the same Windows CPython 3.13 the exe is built from:

  python.exe -c pass                       the floor: Windows python's own start
  python.exe -m readiness --version        the package, imported by that python
  readiness.exe --version                  one file: unpacks itself into %TEMP% at each start
  readiness.exe check --facts FILE         ... and judges a snapshot
  readiness\\readiness.exe --version        one folder (the zip): nothing to unpack
  readiness\\readiness.exe check --facts FILE

    python scripts/build_exe.py && python benchmarks/exe_startup.py [--runs 10] [--dist dist]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_exe  # noqa: E402
import wine_runtime  # noqa: E402


def run_once(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, input=b"", capture_output=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def timed(rows: list[tuple[str, list[str]]], env: dict[str, str], cwd: Path, runs: int) -> list[list[float]]:
    """Each command `runs` times, the commands taking turns (a busy neighbour slows all alike)."""
    for _label, cmd in rows:
        run_once(cmd, env, cwd)  # warm the caches
    times: list[list[float]] = [[] for _ in rows]
    for _ in range(runs):
        for i, (_label, cmd) in enumerate(rows):
            times[i].append(run_once(cmd, env, cwd))
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--dist", type=Path, default=ROOT / "dist")
    ns = ap.parse_args()
    exe = ns.dist / "readiness.exe"
    archives = sorted(ns.dist.glob("readiness-*-win64.zip"))
    if not exe.is_file() or not archives:
        raise SystemExit(f"build first: python scripts/build_exe.py (nothing in {ns.dist})")
    prefix = build_exe.default_prefix()
    rt_python = "C:\\" + wine_runtime.PY_DIR_NAME + "\\python.exe"
    env = wine_runtime.wine_env(prefix, "en_US.UTF-8", {"READINESS_LANG": "en"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the package's .pyc files are cached, as on a PC
    subprocess.run(["wineserver", "-p"], env=env, check=False)
    subprocess.run(["wine", "cmd", "/c", "ver"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            with zipfile.ZipFile(archives[-1]) as zf:
                zf.extractall(work)
            shutil.copy(ROOT / "examples" / "not-ready-pc.json", work / "pc.json")
            facts = ["check", "--facts", "pc.json", "--output", "r.json"]
            rows = [
                ("python.exe -c pass", ["wine", rt_python, "-c", "pass"]),
                ("python.exe -m readiness --version", ["wine", rt_python, "-m", "readiness", "--version"]),
                ("python.exe -m readiness check --facts", ["wine", rt_python, "-m", "readiness", *facts]),
                ("one file:   readiness.exe --version", ["wine", str(exe), "--version"]),
                ("one file:   readiness.exe check --facts", ["wine", str(exe), *facts]),
                ("one folder: readiness.exe --version", ["wine", str(work / "readiness" / "readiness.exe"),
                                                         "--version"]),
                ("one folder: readiness.exe check --facts", ["wine", str(work / "readiness" / "readiness.exe"),
                                                             *facts]),
            ]
            times = timed(rows, env, work, ns.runs)
            base_median, base_min = statistics.median(times[0]), min(times[0])
            print(f"Windows CPython 3.13 under {wine_runtime.wine_version()}, {ns.runs} interleaved runs "
                  "(median, fastest; ratios to python.exe -c pass):")
            for (label, _cmd), t in zip(rows, times, strict=True):
                med, low = statistics.median(t), min(t)
                print(f"  {label:<42} {med * 1000:6.0f} ms {med / base_median:5.2f}x   "
                      f"fastest {low * 1000:6.0f} ms {low / base_min:5.2f}x")
    finally:
        subprocess.run(["wineserver", "-k"], env=env, check=False)


if __name__ == "__main__":
    main()
