"""Accuracy of the http bandwidth backend, and the client's CPU share.

1. Against a pacing server on 127.0.0.1 (a separate process, so the two do not share a GIL) at
   10, 100 and 1000 Mbit/s: prints measured/paced and the client's CPU use.
2. Where the machine allows it (root, iproute2, tc), against a link shaped with `tc tbf` between
   two network namespaces joined by a veth pair: expected goodput is about 95.5% of the shaped
   rate (TCP/IP and Ethernet framing of 1500-byte packets).

    python benchmarks/bandwidth_accuracy.py [--duration 5] [--warmup 1] [--rates 10,100,1000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from netns import can_shape, shape, veth_pair  # benchmarks/netns.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readiness.pc.net.bandwidth import MeasureError, measure_http  # noqa: E402

SERVER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.pc.net.servers import Server
mbps = float(sys.argv[1]) or None
s = Server(mbps=mbps)
if len(sys.argv) > 2:  # listen on the namespace's address instead of 127.0.0.1
    import socket
    s.socket.close()
    s.socket = socket.create_server((sys.argv[2], 0))
    s.server_address = s.socket.getsockname()
print(s.server_address[0], s.server_address[1], flush=True)
s.serve_forever()
"""


def start_server(mbps: float, prefix: list[str] | None = None, host: str | None = None) -> tuple[subprocess.Popen, str]:
    cmd = (prefix or []) + [sys.executable, "-c", SERVER.format(root=str(ROOT)), str(mbps)] + ([host] if host else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    addr, port = proc.stdout.readline().split()
    return proc, f"http://{addr}:{port}/file"


def measure_in(prefix: list[str] | None, url: str, args: argparse.Namespace) -> dict:
    if not prefix:
        return measure_http(url, streams=args.streams, duration_s=args.duration, warmup_s=args.warmup)
    code = ("import json, sys; sys.path.insert(0, %r); from readiness.pc.net.bandwidth import measure_http; "
            "print(json.dumps(measure_http(%r, streams=%d, duration_s=%f, warmup_s=%f)))"
            % (str(ROOT), url, args.streams, args.duration, args.warmup))
    out = subprocess.run(prefix + [sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import json

    return json.loads(out.stdout)


def loopback(args: argparse.Namespace) -> None:
    print("Against the pacing server on 127.0.0.1")
    print(f"{'paced Mbit/s':>12} {'measured':>10} {'ratio':>7} {'median':>8} {'p90':>8} {'client CPU (one core)':>22}")
    for rate in args.rates:
        proc, url = start_server(rate)
        try:
            m = measure_http(url, streams=args.streams, duration_s=args.duration, warmup_s=args.warmup)
            print(f"{rate:>12g} {m['download_mbps']:>10.1f} {m['download_mbps'] / rate:>7.3f} "
                  f"{m['median_mbps']:>8.1f} {m['p90_mbps']:>8.1f} {m['cpu_core_share'] * 100:>21.0f}%"
                  + ("  (CPU-bound: a lower bound)" if m["note"] else ""))
        except MeasureError as exc:
            print(f"{rate:>12g}  error: {exc}")
        finally:
            proc.terminate()
            proc.wait()


def shaped(args: argparse.Namespace) -> None:
    if not can_shape():
        print("\nShaped link: skipped (needs root, iproute2 and tc)")
        return
    srv, cli = "rdy-bench-srv", "rdy-bench-cli"
    print("\nAgainst a tc tbf shaped veth link between two namespaces (expected ~95.5% of the shaped rate)")
    print(f"{'shaped Mbit/s':>13} {'measured':>10} {'ratio':>7} {'client CPU (one core)':>22}")
    try:
        with veth_pair(srv, cli, "rdy-b0", "rdy-b1", "10.213.0.1", "10.213.0.2"):
            for rate in [r for r in args.rates if r <= 1000]:
                shape(srv, "rdy-b0", rate)
                proc, url = start_server(0, ["ip", "netns", "exec", srv], "10.213.0.1")
                try:
                    m = measure_in(["ip", "netns", "exec", cli], url, args)
                    print(f"{rate:>13g} {m['download_mbps']:>10.1f} {m['download_mbps'] / rate:>7.3f} "
                          f"{m['cpu_core_share'] * 100:>21.0f}%")
                except subprocess.CalledProcessError as exc:
                    print(f"{rate:>13g}  error: {exc.stderr.strip().splitlines()[-1] if exc.stderr else exc}")
                finally:
                    proc.terminate()
                    proc.wait()
    except subprocess.CalledProcessError as exc:
        print(f"  could not set up the namespaces: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=[10.0, 100.0, 1000.0])
    args = parser.parse_args()
    t0 = time.monotonic()
    loopback(args)
    shaped(args)
    print(f"\n(total {time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
