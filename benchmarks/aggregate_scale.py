"""Site aggregation at scale: N generated reports, time and peak memory, against jq.

Generates N report files (default 100,000, in 100 site folders; realistic ~10 KB reports made by
the real runner) twice: a realistic mix (8 of 10 machines ready) and one where every machine has
problems. For each it times one whole `readiness aggregate` process and one jq pass over the same
files that counts machines by summary status, and prints the ratio (readiness / jq: below 1 is
faster); for the realistic mix also the peak memory of the aggregating processes and the memory
per machine at two sizes (it must not grow beyond the per-machine summary).

    python benchmarks/aggregate_scale.py [--reports 100000] [--keep DIR]

Targets (2 cores): 100,000 reports in under 10 s and 300 MB; at most 0.5 of jq's time on the
realistic mix, and no slower than jq (ratio <= 1) when every machine has problems.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


READY = {}
PROBLEMS = [{"client.user_ini.opengl_level": "2"},  # warn
            {"memory.installed_bytes": 4 * 2**30, "fonts.msyh": []},  # two failures
            {"memory.installed_bytes": None, "memory.usable_bytes": None},  # undetermined
            {"disks": [{"mountpoint": "C:\\", "kind": "fixed", "total_bytes": 128 * 10**9, "free_bytes": 5 * 10**9,
                        "system": True}]},  # storage fails
            {"client.version": "1.1.9-0", "client.user_ini.opengl_level": "1"}]  # client too old, and a warning
MIXES = {"realistic": [READY] * 8 + PROBLEMS[:2],  # 8 of 10 ready
         "problems": PROBLEMS * 2}  # every machine has at least one problem


def templates(variants: list[dict]) -> list[str]:
    from readiness.core.loading import load_checks_and_profile
    from readiness.core.judging import judge_machine
    from tests.helpers import with_facts

    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "site.toml"
        prof.write_text('[site]\nid = "@SITE@"\nname = "学习中心 @SITE@"\nseats = 1000\npublic_ips = ["203.0.113.7"]\n')
        loaded, profile = load_checks_and_profile(prof)
    out = []
    for changes in variants:
        facts = with_facts(dict({"host.hostname": "@HOST@", "host.machine_id": "@ID@"}, **changes))
        facts["network"] = {"bandwidth": {"backend": "http", "download_mbps": 480.5, "error": None},
                            "public_ip": {"ips": ["203.0.113.7"], "answers": []}, "endpoints": []}
        out.append(json.dumps(judge_machine(facts, profile, loaded).to_dict(), ensure_ascii=False, indent=1))
    return out


def generate(folder: Path, n: int, mix: str) -> int:
    texts = templates(MIXES[mix])
    total = 0
    for i in range(n):
        site = f"S{i % 100:03d}"
        d = folder / site
        if i < 100:
            d.mkdir(parents=True, exist_ok=True)
        data = (texts[i % len(texts)].replace("@SITE@", site).replace("@HOST@", f"PC{i:06d}")
                .replace("@ID@", f"00000000-0000-0000-0000-{i:012d}")).encode("utf-8")
        (d / f"PC{i:06d}.json").write_bytes(data)
        total += len(data)
    return total


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, **kw)
    return time.perf_counter() - t0, proc


def peak_mb_of(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB of the largest process) of a fresh child process tree."""
    code = ("import resource, subprocess, sys, time; t=time.perf_counter(); "
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False); "
            "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def jq_seconds(folder: Path) -> tuple[float, dict]:
    script = f"find {folder} -name '*.json' -print0 | xargs -0 cat | jq -n 'reduce inputs as $r ({{}}; .[$r.summary.status] += 1)'"
    t, proc = timed(["bash", "-c", script])
    return t, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="generate here and keep the files")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed rounds, readiness and jq interleaved; the best of each counts (a shared "
                             "machine's noise only ever adds time)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="readiness-bench-"))
    have_jq = shutil.which("jq") is not None
    ratios = {}
    try:
        for mix in MIXES:
            folder = base / mix
            small = max(1000, args.reports // 10)
            print(f"[{mix}] generating {args.reports} reports in {folder} ...", flush=True)
            size = generate(folder, args.reports, mix)
            os.sync()  # the files written back to disk now, not during the timed runs
            print(f"  {size / 1e6:.0f} MB, {size / args.reports / 1024:.1f} KiB a report")
            readiness = [sys.executable, "-m", "readiness", "aggregate", "--format", "json"]
            if mix == "realistic":
                t_small, m_small = peak_mb_of(readiness + [str(folder / f"S{i:03d}") for i in range(small * 100 // args.reports)])
                print(f"  readiness aggregate, {small:>7} reports: {t_small:6.2f} s, peak {m_small:6.0f} MB")
            runs, jq_runs, counts = [], [], {}
            for _ in range(max(1, args.rounds)):
                runs.append(peak_mb_of(readiness + [str(folder)]))
                if have_jq:
                    t_jq, counts = jq_seconds(folder)
                    jq_runs.append(t_jq)
            t_all, m_all = min(t for t, _ in runs), max(m for _, m in runs)
            print(f"  readiness aggregate, {args.reports:>7} reports: {t_all:6.2f} s (best of {len(runs)}: "
                  f"{', '.join(f'{t:.2f}' for t, _ in runs)}), peak {m_all:6.0f} MB (target: < 10 s, < 300 MB)")
            if mix == "realistic":
                per = (m_all - m_small) * 1024 / (args.reports - small)
                print(f"  memory per additional machine: {per:.2f} KiB (the per-machine summary)")
            if have_jq:
                t_jq = min(jq_runs)
                ratios[mix] = t_all / t_jq
                print(f"  jq, one pass counting machines by status: {t_jq:6.2f} s (best of {len(jq_runs)}: "
                      f"{', '.join(f'{t:.2f}' for t in jq_runs)})  {counts}")
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        if have_jq:
            print(f"ratio readiness / jq, realistic site (8 of 10 ready): {ratios['realistic']:.2f} (target <= 0.5)")
            print(f"ratio readiness / jq, every machine has problems:     {ratios['problems']:.2f} (target <= 1.0)")
        else:
            print("jq: not installed (apt-get install jq) - no comparison")
        print(f"cores: {os.cpu_count()}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
