"""Two network namespaces joined by a veth pair, the server side shaped with tc tbf: a real
bottleneck link on one machine, for the shaped-link benchmarks (root and iproute2 needed).
The addresses live only inside the namespaces this makes, and are removed with them."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from typing import Iterator


def run(cmd: str) -> None:
    subprocess.run(cmd.split(), check=True, capture_output=True)


def can_shape() -> bool:
    return os.geteuid() == 0 and bool(shutil.which("ip")) and bool(shutil.which("tc"))


@contextmanager
def veth_pair(srv: str, cli: str, srv_dev: str, cli_dev: str, srv_ip: str, cli_ip: str) -> Iterator[None]:
    """Namespaces srv and cli, srv_ip on srv_dev and cli_ip on cli_dev (a /30), up; deleted after."""
    try:
        for ns in (srv, cli):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # a leftover of a killed run
            run(f"ip netns add {ns}")
        run(f"ip link add {srv_dev} netns {srv} type veth peer name {cli_dev} netns {cli}")
        run(f"ip -n {srv} addr add {srv_ip}/30 dev {srv_dev}")
        run(f"ip -n {cli} addr add {cli_ip}/30 dev {cli_dev}")
        for ns, dev in ((srv, srv_dev), (cli, cli_dev)):
            run(f"ip -n {ns} link set {dev} up")
            run(f"ip -n {ns} link set lo up")
        yield
    finally:
        for ns in (srv, cli):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def shape(ns: str, dev: str, rate_mbit: float) -> None:
    """tc tbf at rate_mbit on dev (replacing an earlier one), a burst of about 4 ms of traffic."""
    subprocess.run(["tc", "-n", ns, "qdisc", "del", "dev", dev, "root"], capture_output=True)
    burst = max(32, int(rate_mbit * 1000 / 8 / 250))  # kbit
    run(f"tc -n {ns} qdisc add dev {dev} root tbf rate {rate_mbit:g}mbit burst {burst}kbit latency 50ms")
