"""Load on a branch server, over loopback (not a timed test: it prints figures and their ratio to
the targets of issue #20).

3,000 simulated sites each push their document every 30 s (spread evenly: 100 a second), gzip as
real senders send it, each a real `readiness.site/1` of a 50-seat site made by the real aggregate;
meanwhile a manager's page asks GET /api/branch every 2 s. Printed: the ingestion latency p50/p99
(target p99 < 500 ms), /api/branch under that load and quiet (target < 300 ms), the branch
dashboard drawn for 3,000 sites in headless Chromium (target < 1 s), the server's memory and CPU;
once over plain http, then again over https (the server's self-signed certificate, pinned by the
senders as [upstream] fingerprint does), the two side by side. Every push comes on a new
connection, as a real sender's do (they push further apart than the server's keep-alive).

    python benchmarks/branch_load.py [--sites 3000] [--every 30] [--seconds 90] [--seats 50] [--no-draw] [--no-tls]
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
    ap.add_argument("--no-tls", action="store_true", help="only the plain-http run")
    args = ap.parse_args()
    rounds = max(1, int(args.seconds // args.every))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        doc = template(work / "t", args.seats)
        pushes = bodies(doc, args.sites, rounds, args.seats)
        size = statistics.median(len(b) for b in pushes[0])
        raw = len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        print(f"branch: {args.sites} sites, each pushing every {args.every:g} s ({args.sites / args.every:.0f} a "
              f"second) on a new connection each time (real senders push further apart than the server's 5 s "
              f"keep-alive), {rounds} round(s); a document of {args.seats} seats: {raw / 1024:.0f} KiB, "
              f"{size / 1024:.1f} KiB gzip", flush=True)
        runs = {"plain http": run(work / "plain", args, rounds, pushes, tls=False)}
        report("plain http", runs["plain http"])
        if not args.no_tls:
            label = "https (self-signed ECDSA P-256, pinned)"
            runs[label] = run(work / "tls", args, rounds, pushes, tls=True)
            report(label, runs[label])
            plain, tls = runs["plain http"], runs[label]
            print(f"  https beside plain: ingestion p99 {tls['p99'] * 1000:.0f} against {plain['p99'] * 1000:.0f} ms, "
                  f"p50 {tls['p50'] * 1000:.0f} against {plain['p50'] * 1000:.0f} ms; /api/branch under load "
                  f"{tls['under'] * 1000:.0f} against {plain['under'] * 1000:.0f} ms; server CPU {tls['cpu']:.0f}% "
                  f"against {plain['cpu']:.0f}%")


def run(work: Path, args: argparse.Namespace, rounds: int, pushes: list[list[bytes]], tls: bool) -> dict:
    """One load on a fresh branch server (plain http, or https with its self-signed certificate,
    which the senders pin as [upstream] fingerprint does); its figures."""
    from readiness.core.tls import Trust, pem_fingerprint

    work.mkdir(parents=True)
    prof = work / "branch.toml"
    prof.write_text(f'[server]\nadmin_key = "{KEY}"\nrate_per_minute = 1000000\n'
                    + ('tls = "self-signed"\n' if tls else "")
                    + '[branch]\nid = "B1"\nname = "Bench branch"\n[branch.sites]\n'
                    + "".join(f'"{site_id(i)}" = "{token(i)}"\n' for i in range(args.sites)), encoding="utf-8")
    proc, url, _ = start(work / "data", prof)
    trust = Trust("upstream", pem_fingerprint(work / "data" / "tls" / "self-signed-cert.pem") if tls else None)
    server = psutil.Process(proc.pid)
    server.cpu_percent(None)
    jobs: queue.Queue = queue.Queue()
    latencies: list[float] = []
    codes: dict[int, int] = {}
    lags: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        session = trust.session(url)  # the sender's own session: the pin on the branch's origin
        while True:
            job = jobs.get()
            if job is None:
                return
            due, i, body = job
            session.close()  # a new connection (and TLS handshake) for every push, as a real sender's
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
        s = trust.session(url)
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
    quiet_session = trust.session(url)
    for _ in range(5):
        t0 = time.perf_counter()
        got = quiet_session.get(url + "/api/branch", headers={"Authorization": f"Bearer {KEY}"}, timeout=60)
        quiet.append(time.perf_counter() - t0)
    listed = len(got.json()["sites"])
    draw = None if args.no_draw else dashboard(url, args.sites)
    proc.terminate()
    proc.wait(10)
    return {"n": len(latencies), "wall": wall, "codes": dict(sorted(codes.items())), "listed": listed,
            "p50": statistics.median(latencies), "p99": pct(latencies, 0.99), "lag99": pct(lags, 0.99),
            "under": statistics.median(branch_times) if branch_times else float("nan"),
            "under_max": max(branch_times or [0]), "quiet": min(quiet), "cpu": cpu, "rss": rss, "draw": draw}


def report(label: str, f: dict) -> None:
    print(f"{label}: {f['n']} pushes in {f['wall']:.1f} s")
    print(f"  answers: {f['codes']}; sites listed by /api/branch: {f['listed']}")
    print(f"  ingestion latency p50 {f['p50'] * 1000:.0f} ms, p99 {f['p99'] * 1000:.0f} ms; p99 / 500 ms target = "
          f"{f['p99'] / 0.5:.2f} (sender lag p99 {f['lag99'] * 1000:.0f} ms)")
    print(f"  /api/branch under load median {f['under'] * 1000:.0f} ms (max {f['under_max'] * 1000:.0f} ms), "
          f"quiet {f['quiet'] * 1000:.0f} ms; / 300 ms target = {f['under'] / 0.3:.2f} (load), "
          f"{f['quiet'] / 0.3:.2f} (quiet)")
    print(f"  server: {f['cpu']:.0f}% CPU (of one core) during the load, memory {f['rss'] / 2**20:.0f} MiB")
    if f["draw"] is not None:
        print(f"  branch dashboard drawn in {f['draw'] * 1000:.0f} ms (best of 3); / 1 s target = {f['draw']:.2f}")
    sys.stdout.flush()


def dashboard(url: str, sites: int) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True,  # for the probe
                                ignore_https_errors=True)  # the https run's self-signed certificate
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
