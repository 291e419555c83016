"""Load on a branch server, over loopback (not a timed test: it prints figures and their ratio to
the targets of issue #20).

3,000 simulated sites each push their document every 30 s (spread evenly: 100 a second), gzip as
real senders send it, each a real `readiness.site/1` of a 50-seat site made by the real aggregate;
meanwhile a manager's page asks GET /api/branch every 2 s. Printed: the ingestion latency p50/p99
(target p99 < 500 ms), /api/branch under that load and quiet (target < 300 ms), the branch
dashboard drawn for 3,000 sites in headless Chromium (target < 1 s), the server's memory and CPU.

    python benchmarks/branch_load.py [--sites 3000] [--every 30] [--seconds 90] [--seats 50] [--no-draw]
"""

from __future__ import annotations

import argparse
import gzip
import json
import queue
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serve_load import start  # noqa: E402  # benchmarks/serve_load.py, beside this script
from tests.site.aggregate.reports import make_report, site_profile  # noqa: E402

KEY = "bench-key-0123456789"
WORKERS = 48


def token(i: int) -> str:
    return f"site-token-{i:05d}-bench"


def site_id(i: int) -> str:
    return f"S{i:05d}"


def template(work: Path, seats: int) -> dict:
    """A real site document: `seats` real reports of one site, folded by the real aggregate, with the
    exam timeline and a round in brief as a site server adds them."""
    from readiness.site.aggregate.build import aggregate
    from readiness.reports import site_json

    work.mkdir(parents=True, exist_ok=True)
    prof = site_profile(work, "1101", seats=seats)
    first = json.loads(make_report(work / "reports", "PC-000", prof).read_text(encoding="utf-8"))
    for i in range(1, seats):
        doc = json.loads(json.dumps(first))
        doc["facts"]["host"]["hostname"] = f"PC-{i:03d}"
        doc["facts"]["host"]["machine_id"] = f"id-{i:03d}"
        if i % 7 == 0:  # some machines with problems, as on a real preparation day
            doc["results"][0]["status"] = "fail"
        (work / "reports" / f"PC-{i:03d}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    doc = site_json.to_dict(aggregate([str(work / "reports")], workers=1))
    doc["exam"] = {"starts_at": ["2026-12-05T08:30:00+08:00"], "escalate_before_s": 300, "duration_s": 5400,
                   "deadlines": []}
    doc["rehearsal"] = {"id": 3, "state": "done", "expected": seats, "joined": seats, "finished": seats, "failed": 0,
                        "p50_s": 41.0, "p95_s": 55.2, "max_s": 61.0, "plan_s": 80, "throughput_mbps": 95.1}
    return doc


def bodies(doc: dict, sites: int, rounds: int, seats: int) -> list[list[bytes]]:
    """Every push of every site, made before the clock starts (the load generator shares the CPU)."""
    out = []
    now = datetime.now(timezone.utc)
    for i in range(sites):
        per_site = []
        for r in range(rounds):
            doc["sites"][0]["site"]["id"] = site_id(i)
            doc["sender"] = {"kind": "site", "id": site_id(i), "name": f"Site {i}", "seats": seats, "heartbeat_s": 30,
                             "sent_at": now.isoformat(timespec="seconds"), "seq": r + 1}
            per_site.append(gzip.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8"), 6))
        out.append(per_site)
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=3000)
    ap.add_argument("--every", type=float, default=30.0, help="seconds between two pushes of one site")
    ap.add_argument("--seconds", type=float, default=90.0, help="how long the load runs")
    ap.add_argument("--seats", type=int, default=50)
    ap.add_argument("--no-draw", action="store_true")
    args = ap.parse_args()
    rounds = max(1, int(args.seconds // args.every))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        doc = template(work / "t", args.seats)
        pushes = bodies(doc, args.sites, rounds, args.seats)
        size = statistics.median(len(b) for b in pushes[0])
        raw = len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        prof = work / "branch.toml"
        prof.write_text(f'[server]\nadmin_key = "{KEY}"\nrate_per_minute = 1000000\n'
                        '[branch]\nid = "B1"\nname = "Bench branch"\n[branch.sites]\n'
                        + "".join(f'"{site_id(i)}" = "{token(i)}"\n' for i in range(args.sites)), encoding="utf-8")
        proc, url, _ = start(work / "data", prof)
        server = psutil.Process(proc.pid)
        server.cpu_percent(None)
        jobs: queue.Queue = queue.Queue()
        latencies: list[float] = []
        codes: dict[int, int] = {}
        lags: list[float] = []
        lock = threading.Lock()

        def worker() -> None:
            session = requests.Session()
            while True:
                job = jobs.get()
                if job is None:
                    return
                due, i, body = job
                t0 = time.perf_counter()
                try:
                    code = session.post(url + "/api/sites", data=body, timeout=60, headers={
                        "Authorization": f"Bearer {token(i)}", "Content-Encoding": "gzip",
                        "Content-Type": "application/json"}).status_code
                except requests.RequestException:
                    code = 0
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    lags.append(t0 - due)
                    codes[code] = codes.get(code, 0) + 1

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        branch_times: list[float] = []
        stop = threading.Event()

        def manager() -> None:
            s = requests.Session()
            while not stop.wait(2.0):
                t0 = time.perf_counter()
                r = s.get(url + "/api/branch", headers={"Authorization": f"Bearer {KEY}"}, timeout=60)
                r.raise_for_status()
                branch_times.append(time.perf_counter() - t0)

        watcher = threading.Thread(target=manager, daemon=True)
        watcher.start()
        began = time.perf_counter()
        gap = args.every / args.sites
        for r in range(rounds):
            for i in range(args.sites):
                due = began + r * args.every + i * gap
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                jobs.put((due, i, pushes[i][r]))
        for _ in threads:
            jobs.put(None)
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        stop.set()
        watcher.join()
        cpu = server.cpu_percent(None)
        rss = server.memory_info().rss
        quiet = []
        for _ in range(5):
            t0 = time.perf_counter()
            got = requests.get(url + "/api/branch", headers={"Authorization": f"Bearer {KEY}"}, timeout=60)
            quiet.append(time.perf_counter() - t0)
        listed = len(got.json()["sites"])
        draw = None if args.no_draw else dashboard(url, args.sites)
        proc.terminate()
        proc.wait(10)
    n = len(latencies)
    p50, p99 = statistics.median(latencies), pct(latencies, 0.99)
    print(f"branch: {args.sites} sites, each pushing every {args.every:g} s ({args.sites / args.every:.0f} a second), "
          f"{rounds} round(s), {n} pushes in {wall:.1f} s; a document of {args.seats} seats: {raw / 1024:.0f} KiB, "
          f"{size / 1024:.1f} KiB gzip")
    print(f"  answers: {dict(sorted(codes.items()))}; sites listed by /api/branch: {listed}")
    print(f"  ingestion latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; p99 / 500 ms target = {p99 / 0.5:.2f}"
          f" (sender lag p99 {pct(lags, 0.99) * 1000:.0f} ms)")
    under = statistics.median(branch_times) if branch_times else float("nan")
    print(f"  /api/branch under load median {under * 1000:.0f} ms (max {max(branch_times or [0]) * 1000:.0f} ms), "
          f"quiet {min(quiet) * 1000:.0f} ms; / 300 ms target = {under / 0.3:.2f} (load), {min(quiet) / 0.3:.2f} (quiet)")
    print(f"  server: {cpu:.0f}% CPU (of one core) during the load, memory {rss / 2**20:.0f} MiB")
    if draw is not None:
        print(f"  branch dashboard drawn in {draw * 1000:.0f} ms (best of 3); / 1 s target = {draw:.2f}")


def dashboard(url: str, sites: int) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True)  # for the probe
        page.goto(url + f"/?key={KEY}")  # sets the cookie
        drawn = f"document.body && document.body.dataset.drawn === '{sites}'"
        page.goto(url + "/branch")
        page.wait_for_function(drawn, timeout=120000)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            page.reload()
            page.wait_for_function(drawn, timeout=120000)
            times.append(time.perf_counter() - t0)
        browser.close()
    return min(times)


if __name__ == "__main__":
    main()
