"""A rehearsal round over a `tc tbf` shaped veth link between two network namespaces (root,
iproute2): the site server in one, 20 and 50 agents in the other. Prints the round's aggregate
throughput against the link's TCP goodput (about 95.5% of the shaped rate: framing), and the
completion times against paper × seats / goodput; beside it, the same number of independent
clients (plain parallel HTTP downloads of a file of the paper's size from a static server on the
same link, each on a new connection), the figure the round should come within 2% of. Both are
measured alike: total bytes / (last finish - first start), a client's start taken before its
request (the connect included), its finish after its last byte. The server side's TCP
retransmissions are printed for both (retransmitted segments per new segment sent; the shaper
drops most before the link): a sender that overshoots the shaped queue shows there first. Not a
timed test.

    sudo python benchmarks/rehearsal_shaped.py [--rate 100] [--paper-mb 10] [--seats 20 50]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path

from netns import can_shape, shape, veth_pair  # benchmarks/netns.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
SRV, CLI = "rdy-reh-srv", "rdy-reh-cli"
SRV_IP, CLI_IP = "10.214.0.1", "10.214.0.2"
GOODPUT = 0.955  # TCP over Ethernet framing: payload share of the shaped rate
STATIC_PORT = 8099  # the independent clients' static server, inside the server's namespace
TOKEN, KEY = "shaped-token-0123456789", "shaped-key-0123456789"

INDEPENDENT = r"""
import sys, threading, time, urllib.request
url, seats = sys.argv[1], int(sys.argv[2])
done = []
def fetch():
    t0 = time.monotonic()
    n = 0
    with urllib.request.urlopen(url, timeout=600) as r:
        while True:
            chunk = r.read(65536)
            if not chunk:
                break
            n += len(chunk)
    done.append((t0, time.monotonic(), n))
threads = [threading.Thread(target=fetch) for _ in range(seats)]
for t in threads: t.start()
for t in threads: t.join(900)
start, end, total = min(d[0] for d in done), max(d[1] for d in done), sum(d[2] for d in done)
print(len(done), round(total * 8 / 1e6 / (end - start), 2), round(end - start, 2))
"""

AGENTS = r"""
import sys, threading, time, requests
from readiness.pc.agent import Agent
url, token, key, seats, paper_mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
agents = [Agent(url, token, f"SEAT-{i:02d}", 2**31) for i in range(seats)]
threads = [threading.Thread(target=a.run, args=(1,), daemon=True) for a in agents]
for t in threads: t.start()
manager = {"Authorization": "Bearer " + key}
while requests.get(url + "/api/state", headers=manager, timeout=10).json()["rehearsal"]["waiting"] < seats:
    time.sleep(0.2)
requests.post(url + "/api/rehearsals", json={"url": None, "paper_mb": paper_mb, "lead_s": 3},
              headers=manager, timeout=10).raise_for_status()
for t in threads: t.join(600)
got = requests.get(url + "/api/rehearsals/latest", headers=manager, timeout=10).json()
print(got["finished"], got["throughput_mbps"], got["p50_s"], got["p95_s"], got["max_s"],
      max(abs(s["start_s"] or 0) for s in got["seats"]))
"""


def tcp_counters(ns: str) -> tuple[int, int]:
    """(segments sent, segments retransmitted) by TCP in namespace ns, from its /proc/net/snmp."""
    text = subprocess.run(["ip", "netns", "exec", ns, "cat", "/proc/net/snmp"], capture_output=True, text=True,
                          check=True).stdout
    names, values = [line.split()[1:] for line in text.splitlines() if line.startswith("Tcp:")][:2]
    row = dict(zip(names, values))
    return int(row["OutSegs"]), int(row["RetransSegs"])


def retransmitted(ns: str, before: tuple[int, int]) -> float:
    """Segments retransmitted since `before` per new segment sent (OutSegs counts no retransmission)."""
    out, retrans = tcp_counters(ns)
    return (retrans - before[1]) / max(1, out - before[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100.0, help="shaped rate, Mbit/s")
    ap.add_argument("--paper-mb", type=float, default=10.0)
    ap.add_argument("--seats", type=int, nargs="+", default=[20, 50])
    args = ap.parse_args()
    if not can_shape():
        print("skipped: needs root, iproute2 and tc")
        return
    tmp = Path(tempfile.mkdtemp())
    profile = tmp / "site.toml"
    profile.write_text(f'[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\nrate_per_minute = 1000000\n',
                       encoding="utf-8")
    server = None
    stack = ExitStack()
    try:
        stack.enter_context(veth_pair(SRV, CLI, "rdy-r0", "rdy-r1", SRV_IP, CLI_IP))
        shape(SRV, "rdy-r0", args.rate)
        server = subprocess.Popen(["ip", "netns", "exec", SRV, sys.executable, "-m", "readiness", "serve",
                                   "--host", SRV_IP, "--port", "0", "--data", str(tmp / "data"),
                                   "--profile", str(profile), "--lang", "en"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                  env=dict(os.environ, PYTHONUNBUFFERED="1"))
        assert server.stdout is not None
        url = None
        for line in server.stdout:
            m = re.search(r"(http://[\d.]+:\d+)/\?key=", line)
            if m:
                url = m.group(1)
                break
        if url is None:
            raise SystemExit("the server did not start")
        threading.Thread(target=server.stdout.read, daemon=True).start()
        goodput = args.rate * GOODPUT
        print(f"tbf {args.rate:g} Mbit/s (goodput ~{goodput:.1f}), paper {args.paper_mb:g} MB, LAN-only round")
        paper = tmp / "static" / "paper.bin"  # the independent clients' file: the paper's size
        paper.parent.mkdir()
        paper.write_bytes(os.urandom(int(args.paper_mb * 1e6)))
        static = subprocess.Popen(["ip", "netns", "exec", SRV, sys.executable, "-m", "http.server", "--bind", SRV_IP,
                                   str(STATIC_PORT)], cwd=paper.parent, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        stack.callback(static.wait, 10)
        stack.callback(static.terminate)
        print(f"{'seats':>5} {'finished':>8} {'Mbit/s':>8} {'/goodput':>9} {'max s':>7} {'expected s':>10} "
              f"{'p50 s':>6} {'p95 s':>6} {'start skew s':>12} {'retrans':>7} {'independent':>11} {'retrans':>7} "
              f"{'round/indep':>11}")
        for seats in args.seats:
            before = tcp_counters(SRV)
            out = subprocess.run(["ip", "netns", "exec", CLI, sys.executable, "-c", AGENTS, url, TOKEN, KEY,
                                  str(seats), str(args.paper_mb)], capture_output=True, text=True, cwd=ROOT,
                                 timeout=900)
            if out.returncode != 0:
                print(f"{seats:>5} error: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
                continue
            finished, mbps, p50, p95, top, skew = out.stdout.split()
            round_retrans = retransmitted(SRV, before)
            before = tcp_counters(SRV)
            expected = seats * args.paper_mb * 8 / goodput
            ref = subprocess.run(["ip", "netns", "exec", CLI, sys.executable, "-c", INDEPENDENT,
                                  f"http://{SRV_IP}:{STATIC_PORT}/paper.bin", str(seats)],
                                 capture_output=True, text=True, timeout=900)
            indep = float(ref.stdout.split()[1]) if ref.returncode == 0 and ref.stdout.split() else float("nan")
            indep_retrans = retransmitted(SRV, before)
            print(f"{seats:>5} {finished:>8} {float(mbps):>8.1f} {float(mbps) / goodput:>9.3f} {float(top):>7.2f} "
                  f"{expected:>10.2f} {float(p50):>6.2f} {float(p95):>6.2f} {float(skew):>12.3f} {round_retrans:>7.1%} "
                  f"{indep:>11.1f} {indep_retrans:>7.1%} {float(mbps) / indep:>11.3f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        stack.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
