"""Load on the site server, over loopback only (not a timed test: it prints figures and ratios).

1. 500 simulated PCs submit their reports at the same moment (one thread each, a barrier):
   all stored? p50 / p99 latency, throughput, the server's memory before and after.
2. The dashboard of a branch of 5,000 machines (50 sites × 100) in headless Chromium: the time
   from navigation until every seat is drawn, against the 1 s target.

    python benchmarks/serve_load.py [--pcs 500] [--branch 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.site.aggregate.reports import make_report, site_profile  # noqa: E402

TOKEN, KEY = "bench-token-0123456789", "bench-key-0123456789"


def start(data: Path, profile: Path) -> tuple[subprocess.Popen, str, float]:
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--data", str(data), "--profile", str(profile), "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    assert proc.stdout is not None
    for line in proc.stdout:
        m = re.search(r"(https?://127\.0\.0\.1:\d+)/(?:branch)?\?key=", line)  # a site's dashboard link or a branch's
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, m.group(1), time.perf_counter() - began
    raise SystemExit(f"the server did not start (exit {proc.wait()})")


def bodies(folder: Path, profile: Path, count: int, sites: int = 1) -> list[bytes]:
    doc = json.loads(make_report(folder, "PC-0", profile).read_text(encoding="utf-8"))
    out = []
    for i in range(count):
        doc["facts"]["host"]["hostname"] = f"S{i % sites:02d}-PC-{i:05d}"
        doc["facts"]["host"]["machine_id"] = f"id-{i:05d}"
        doc["site"]["id"] = f"{1100 + i % sites}"
        out.append(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    return out


def profile_file(folder: Path, seats: int) -> Path:
    prof = site_profile(folder, seats=seats)
    with prof.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\nrate_per_minute = 1000000\n')
    return prof


def burst(pcs: int, work: Path) -> None:
    prof = profile_file(work, pcs)
    reports = bodies(work / "r", prof, pcs)
    proc, url, _ = start(work / "burst-data", prof)
    server = psutil.Process(proc.pid)
    rss_before = server.memory_info().rss
    barrier = threading.Barrier(pcs)
    latencies: list[float] = []
    codes: list[int] = []
    lock = threading.Lock()

    def pc(body: bytes) -> None:
        session = requests.Session()
        barrier.wait()
        t0 = time.perf_counter()
        try:
            code = session.post(url + "/api/reports", data=body, timeout=60,
                                headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        except requests.RequestException:
            code = 0
        with lock:
            latencies.append(time.perf_counter() - t0)
            codes.append(code)

    threads = [threading.Thread(target=pc, args=(b,)) for b in reports]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    rss_after = server.memory_info().rss
    site = requests.get(url + "/api/site", headers={"Authorization": f"Bearer {KEY}"}, timeout=60).json()
    stored = sum(s["reports"] for s in site["sites"])
    proc.terminate()
    proc.wait(10)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"burst: {pcs} PCs at once over loopback; 201: {codes.count(201)}, other: "
          f"{sorted(set(c for c in codes if c != 201))}; stored {stored}/{pcs}")
    print(f"  latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (p99 / p50 = {p99 / p50:.2f}); "
          f"all done in {wall:.1f} s ({pcs / wall:.0f} reports/s, {wall / pcs * 1000:.1f} ms of server per report)")
    print(f"  server memory {rss_before / 2**20:.0f} MiB before, {rss_after / 2**20:.0f} MiB after "
          f"({(rss_after - rss_before) / pcs / 1024:.0f} KiB per report)")


def branch(machines: int, work: Path) -> None:
    from readiness.site.store import Store

    sites = max(1, machines // 100)
    prof = profile_file(work, 100)
    prof.write_text(prof.read_text(encoding="utf-8").replace('id = "1101"\n', ""), encoding="utf-8")  # many sites
    data = work / "branch-data"
    store = Store(data)
    for body in bodies(work / "r", prof, machines, sites):
        store.add_report(body, "127.0.0.1")
    store.close()
    proc, url, started = start(data, prof)
    rss = psutil.Process(proc.pid).memory_info().rss
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True)  # for the probes
            page.goto(url + f"/?key={KEY}")  # sets the cookie; the first draw is not timed
            page.wait_for_function(f"document.querySelectorAll('a.seat').length === {machines}", timeout=120000)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                page.reload()
                page.wait_for_function(f"document.querySelectorAll('a.seat').length === {machines}", timeout=120000)
                times.append(time.perf_counter() - t0)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    best = min(times)
    print(f"branch: {machines} machines in {sites} sites; server start (reads every report) {started:.1f} s, "
          f"memory {rss / 2**20:.0f} MiB")
    print(f"  dashboard drawn in {best * 1000:.0f} ms (best of 3; median {statistics.median(times) * 1000:.0f} ms); "
          f"/ 1 s target = {best:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcs", type=int, default=500)
    ap.add_argument("--branch", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        burst(args.pcs, Path(tmp))
        branch(args.branch, Path(tmp))


if __name__ == "__main__":
    main()
