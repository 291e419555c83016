"""How long `readiness check --facts` takes as a whole process, against a bare `python -c pass`.

Target: under 150 ms on a 2-core machine, i.e. a check of a snapshot feels instant. Prints the
median wall time of each over N runs and their ratio and difference (machines are shared and
noisy: the ratio to a bare interpreter start is the figure to compare between machines).

    python benchmarks/check_startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_pairs(cmds: list[list[str]], runs: int, cwd: str) -> list[list[float]]:
    """Wall times of each command, the commands taking turns, so that a noisy neighbour on a
    shared machine slows all of them alike rather than one."""
    for cmd in cmds:
        subprocess.run(cmd, cwd=cwd, capture_output=True)  # warm the file cache
    out: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, capture_output=True)
            out[i].append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        facts = str(ROOT / "examples" / "not-ready-pc.json")
        bare, check = timed_pairs([[sys.executable, "-c", "pass"],
                                   [sys.executable, "-m", "readiness", "check", "--facts", facts, "--lang", "en",
                                    "--output", str(Path(tmp) / "r.json")]], args.runs, tmp)
        imports = subprocess.run([sys.executable, "-X", "importtime", "-m", "readiness", "check", "--facts", facts,
                                  "--output", str(Path(tmp) / "r.json")], capture_output=True, text=True, cwd=tmp)
    heavy = [name for name in ("pefile", "fontTools", "psutil", "cpuinfo", "requests", "jinja2", "starlette")
             if f" {name}" in imports.stderr]
    b, c = statistics.median(bare), statistics.median(check)
    print(f"python -c pass                  median {b * 1000:7.1f} ms, fastest {min(bare) * 1000:7.1f} ms")
    print(f"readiness check --facts FILE    median {c * 1000:7.1f} ms, fastest {min(check) * 1000:7.1f} ms")
    print(f"ratio check/bare                {c / b:7.2f}x (fastest to fastest {min(check) / min(bare):.2f}x; "
          "target: within 6x)")
    print(f"added by readiness              {(c - b) * 1000:7.1f} ms  (target: whole check under 150 ms)")
    print(f"heavy modules imported          {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
