"""A small document's wait at a branch while large ones arrive (issue 27 item 7), over loopback;
not a timed test: it prints figures and their ratios.

A branch server (`readiness serve`, its own process) takes ordinary site documents (a few KB, gzip)
from one sender every 0.2 s: first alone (quiet), then while ten senders push documents of about
8 MB unpacked as fast as the branch answers them (loaded). Printed: the small documents' latency
p50 / p99 / max in both phases and the ratio loaded / quiet; the large documents taken a second.
Target: the small documents' p99 under load within 10 times the quiet p99, and under 500 ms.

    python benchmarks/ingest_wait.py [--seconds 20] [--big 10] [--code DIR]

--code runs the server from another checkout (PYTHONPATH), to measure before a change.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serve_load import start  # noqa: E402  # benchmarks/serve_load.py, beside this script

KEY = "bench-key-0123456789"
SMALL_IDS = [f"S{i:03d}" for i in range(20)]
BIG_IDS = [f"B{i:03d}" for i in range(200)]


def token(site: str) -> str:
    return f"token-{site}-bench"


def site_doc(site: str, seq: int, pad_bytes: int = 0) -> bytes:
    """A site's document as its server sends it; pad_bytes of machines' rows (as a site of
    thousands of seats) make it large."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    doc = {"schema": "readiness.site/1", "generated_at": now, "status": "warn",
           "sites": [{"site": {"id": site, "name": f"Site {site}", "seats": 50}, "status": "warn", "reports": 48,
                      "findings": [{"status": "warn", "message": {"en": "2 PCs lack the MSYH font",
                                                                  "zh": "2 台考试机缺少微软雅黑字体"}}]}],
           "exam": {"starts_at": ["2026-12-05T08:30:00+08:00"], "escalate_before_s": 300, "duration_s": 5400,
                    "deadlines": []},
           "sender": {"kind": "site", "id": site, "name": f"Site {site}", "seats": 50, "heartbeat_s": 60,
                      "sent_at": now, "seq": seq}}
    if pad_bytes:
        rng = random.Random(seq)
        rows, size = [], 0
        while size < pad_bytes:
            row = {"host": f"PC-{rng.randrange(10**6):06d}", "id": f"{rng.getrandbits(64):016x}",
                   "status": rng.choice(["pass", "warn", "fail"]), "memory": rng.randrange(2, 64) * 2**30,
                   "note": f"room {rng.randrange(1, 40)} seat {rng.randrange(1, 60)}"}
            rows.append(row)
            size += 150
        doc["machines"] = rows
    return gzip.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8"), 6)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0, help="each phase")
    ap.add_argument("--big", type=int, default=10, help="senders of large documents")
    ap.add_argument("--code", type=Path, default=None, help="run the server from this checkout")
    args = ap.parse_args()
    if args.code is not None:
        os.environ["PYTHONPATH"] = str(args.code.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        prof = work / "branch.toml"
        prof.write_text(f'[server]\nadmin_key = "{KEY}"\nrate_per_minute = 1000000\n'
                        '[branch]\nid = "B1"\nname = "Bench branch"\n[branch.sites]\n'
                        + "".join(f'"{s}" = "{token(s)}"\n' for s in SMALL_IDS + BIG_IDS), encoding="utf-8")
        big_bodies = [site_doc("X", 1, pad_bytes=10_400_000) for _ in range(3)]
        print(f"large document: {len(big_bodies[0]) / 2**20:.2f} MB gzip, "
              f"{len(gzip.decompress(big_bodies[0])) / 2**20:.2f} MB unpacked")
        proc, url, _ = start(work / "data", prof)
        stop_big = threading.Event()
        big_taken: list[float] = []
        big_codes: dict[int, int] = {}
        lock = threading.Lock()
        seqs = {s: 0 for s in SMALL_IDS + BIG_IDS}

        def next_seq(site: str) -> int:
            with lock:
                seqs[site] += 1
                return seqs[site]

        def big_sender(n: int) -> None:
            session = requests.Session()
            ids = BIG_IDS[n::args.big]
            i = 0
            while not stop_big.is_set():
                site = ids[i % len(ids)]
                i += 1
                doc = json.loads(gzip.decompress(big_bodies[i % len(big_bodies)]))
                doc["sites"][0]["site"]["id"] = doc["sender"]["id"] = site
                doc["sender"]["seq"] = next_seq(site)
                body = gzip.compress(json.dumps(doc).encode(), 1)
                try:
                    code = session.post(url + "/api/sites", data=body, timeout=60, headers={
                        "Authorization": f"Bearer {token(site)}", "Content-Encoding": "gzip"}).status_code
                except requests.RequestException:
                    code = 0
                with lock:
                    big_codes[code] = big_codes.get(code, 0) + 1
                    if code == 201:
                        big_taken.append(time.monotonic())

        def small_phase(seconds: float) -> tuple[list[float], dict[int, int]]:
            session = requests.Session()
            waits: list[float] = []
            codes: dict[int, int] = {}
            end = time.monotonic() + seconds
            i = 0
            while time.monotonic() < end:
                site = SMALL_IDS[i % len(SMALL_IDS)]
                i += 1
                body = site_doc(site, next_seq(site))
                t0 = time.perf_counter()
                code = session.post(url + "/api/sites", data=body, timeout=60, headers={
                    "Authorization": f"Bearer {token(site)}", "Content-Encoding": "gzip"}).status_code
                waits.append(time.perf_counter() - t0)
                codes[code] = codes.get(code, 0) + 1
                time.sleep(0.2)
            return waits, codes

        try:
            quiet, quiet_codes = small_phase(args.seconds)
            threads = [threading.Thread(target=big_sender, args=(n,), daemon=True) for n in range(args.big)]
            for t in threads:
                t.start()
            time.sleep(2)  # the large ones under way
            began = time.monotonic()
            loaded, loaded_codes = small_phase(args.seconds)
            took = time.monotonic() - began
            stop_big.set()
            for t in threads:
                t.join(90)
        finally:
            proc.terminate()
            proc.wait(10)
        big_rate = sum(1 for t in big_taken if began <= t <= began + took) / took
        print(f"small documents, quiet:  p50 {pct(quiet, .5) * 1000:7.1f} ms  p99 {pct(quiet, .99) * 1000:7.1f} ms  "
              f"max {max(quiet) * 1000:7.1f} ms  ({len(quiet)} sent, answers {quiet_codes})")
        print(f"small documents, loaded: p50 {pct(loaded, .5) * 1000:7.1f} ms  p99 {pct(loaded, .99) * 1000:7.1f} ms  "
              f"max {max(loaded) * 1000:7.1f} ms  ({len(loaded)} sent, answers {loaded_codes})")
        print(f"large documents taken: {big_rate:.2f} a second by {args.big} senders (answers {big_codes})")
        ratio = pct(loaded, .99) / pct(quiet, .99)
        print(f"ratio loaded / quiet p99: {ratio:.1f} (target <= 10); loaded p99 / 500 ms target: "
              f"{pct(loaded, .99) / 0.5:.2f} (target <= 1)")


if __name__ == "__main__":
    main()
