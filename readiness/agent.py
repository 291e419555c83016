"""The PC's side of an exam-start rehearsal (`readiness rehearse`): wait for a round, start at
its moment in the server's clock, download the paper-sized object, report.

The clock offset to the server is estimated from several request round trips to /api/clock,
keeping the one with the shortest round trip (the NTP idea: its midpoint is the least uncertain).
The download takes only the round's URL, never more than the paper's bytes (and the profile's
bandwidth.max_mb), and gives up at the round's deadline. An agent that loses the server goes back
to waiting.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

POLL_S = 1.0
OFFSET_SAMPLES = 8


@dataclass(frozen=True)
class Offset:
    offset_s: float  # server clock - local clock
    rtt_s: float


def estimate_offset(server_now: Callable[[], float], local: Callable[[], float],
                    samples: int = OFFSET_SAMPLES) -> Offset:
    best: Offset | None = None
    for _ in range(samples):
        t0 = local()
        remote = server_now()
        t1 = local()
        sample = Offset(remote - (t0 + t1) / 2, t1 - t0)
        if best is None or sample.rtt_s < best.rtt_s:
            best = sample
    assert best is not None
    return best


class Agent:
    def __init__(self, server: str, token: str, seat: str, max_bytes: int, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, stop: threading.Event | None = None,
                 echo: Callable[[str], None] = lambda line: None, allowed_urls: tuple[str, ...] = ()) -> None:
        import requests

        self.server = server.rstrip("/")
        self.seat = seat
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.clock = clock
        self.stop = stop or threading.Event()
        self.echo = echo
        self.session = requests.Session()
        self.session.trust_env = False  # the site server is on the LAN: never through a proxy
        self.auth = {"Authorization": f"Bearer {token}"}
        self.allowed_urls = allowed_urls  # besides the server's own paper: what this PC's profile names
        self.done: set[int] = set()
        self.offset: Offset | None = None  # server clock - self.clock (monotonic: a PC's clock step cannot move it)

    # -- talking to the server --------------------------------------------------------------------
    def server_now(self) -> float:
        r = self.session.get(self.server + "/api/clock", timeout=self.timeout_s)
        r.raise_for_status()
        return float(r.json()["now"])

    def sync(self) -> Offset:
        self.offset = estimate_offset(self.server_now, self.clock)
        return self.offset

    def poll(self) -> dict[str, Any] | None:
        r = self.session.get(self.server + "/api/rehearsals/poll", params={"seat": self.seat}, headers=self.auth,
                             timeout=self.timeout_s)
        if r.status_code in (400, 409):  # the server says what is wrong with this seat: show it, keep waiting
            try:
                why = str(r.json().get("error", ""))
            except ValueError:
                why = r.text[:200]
            self.echo(f"the server refuses this seat ({r.status_code}): {why}")
            self.stop.wait(max(POLL_S, 5.0))
            return None
        if r.status_code == 429:  # a room behind one address: wait as told, keep the clock offset
            after = r.headers.get("Retry-After", "")
            self.stop.wait(min(30.0, float(after)) if after.isdigit() else POLL_S)
            return None
        r.raise_for_status()
        found = r.json().get("round")
        return found if isinstance(found, dict) else None

    def report(self, round_id: int, result: dict[str, Any], tries: int = 5) -> None:
        """Send the result, trying again a few times: a short outage must not lose a round."""
        import requests

        for attempt in range(tries):
            try:
                r = self.session.post(f"{self.server}/api/rehearsals/{round_id}/results",
                                      json=dict(result, seat=self.seat), headers=self.auth, timeout=self.timeout_s)
                if r.status_code < 500 and r.status_code != 429:
                    r.raise_for_status()
                    return
            except requests.ConnectionError:
                if attempt == tries - 1:
                    raise
            if self.stop.wait(1.0 * (attempt + 1)):
                return
        r.raise_for_status()

    # -- one round --------------------------------------------------------------------------------
    def server_time(self) -> float:
        return self.clock() + (self.offset.offset_s if self.offset else 0.0)

    def wait_until(self, server_at: float) -> bool:
        while not self.stop.is_set():
            left = server_at - self.server_time()
            if left <= 0:
                return True
            self.stop.wait(min(left, 0.25) if left > 0.3 else max(0.0, left))
        return False

    def download(self, rnd: dict[str, Any]) -> dict[str, Any]:
        import requests
        import urllib3

        own = rnd.get("url") is None
        url = f"{self.server}/paper/{int(rnd['paper_bytes'])}" if own else str(rnd["url"])
        if not own and url not in self.allowed_urls:  # the server cannot send the PCs anywhere else
            return {"start": self.server_time(), "finish": None, "bytes": 0, "samples_mbps": [],
                    "error": "this PC's profile does not name that URL (rehearsal.url or bandwidth.url)"}
        cap = min(int(rnd["paper_bytes"]), self.max_bytes)
        if cap <= 0:
            return {"start": self.server_time(), "finish": None, "bytes": 0, "samples_mbps": [],
                    "error": "the round names no bytes to load"}
        deadline = float(rnd["start_at"]) + float(rnd["deadline_s"])
        start = self.server_time()
        got = 0
        per_second: dict[int, int] = {}
        error: str | None = None
        headers = {"Accept-Encoding": "identity"}  # bytes on the wire: a compressed answer would count more
        if url.startswith(self.server + "/"):
            headers.update(self.auth)  # the token goes to the site server only
        try:
            with self.session.get(url, stream=True, timeout=self.timeout_s, headers=headers) as r:
                r.raise_for_status()
                while True:
                    # read1: what has arrived, so that a trickling server meets the deadline check
                    chunk = r.raw.read1(min(65536, cap - got), decode_content=False)
                    now = self.server_time()
                    if not chunk:
                        break
                    got += len(chunk)
                    per_second[int(now - start)] = per_second.get(int(now - start), 0) + len(chunk)
                    if got >= cap:
                        break
                    if now > deadline or self.stop.is_set():
                        error = "gave up at the round's deadline" if now > deadline else "stopped"
                        break
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            from readiness.net.bandwidth import describe_error

            error = describe_error(exc)[:300]
        finish = self.server_time()
        if error is None and got < cap:
            error = f"the object ended after {got} of {cap} bytes"
        samples = [round(per_second.get(i, 0) * 8 / 1e6, 2) for i in range(int(finish - start) + 1)]
        return {"start": start, "finish": None if error else finish, "bytes": got, "samples_mbps": samples,
                "error": error}

    def run(self, rounds: int | None = None) -> int:
        """Wait for rounds and take part; returns after `rounds` rounds (None: until stopped)."""
        taken = 0
        while not self.stop.is_set() and (rounds is None or taken < rounds):
            try:
                if self.offset is None:
                    self.sync()
                rnd = self.poll()
                if rnd is None or int(rnd["id"]) in self.done:
                    self.stop.wait(POLL_S)
                    continue
                self.sync()  # fresh, just before the moment
                self.echo(f"round {rnd['id']}: starting in {float(rnd['start_at']) - self.server_time():.1f} s")
                if not self.wait_until(float(rnd["start_at"])):
                    break
                result = self.download(rnd)
                self.done.add(int(rnd["id"]))
                self.report(int(rnd["id"]), result)
                taken += 1
                self.echo(f"round {rnd['id']}: {result['bytes']} bytes, "
                          + (f"done in {result['finish'] - float(rnd['start_at']):.1f} s" if result["finish"]
                             else f"failed: {result['error']}"))
            except Exception as exc:  # the server went away, or answered nonsense: back to waiting
                self.echo(f"waiting for the server ({type(exc).__name__})")
                self.offset = None
                self.stop.wait(POLL_S)
        return taken
