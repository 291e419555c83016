"""The PC's rehearsal agent against hostile or broken download servers (real servers on
127.0.0.1): a trickle cannot hold it past the round's deadline, compressed answers count as the
bytes on the wire, and a PC's clock step does not move its idea of the server's clock."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from readiness.agent import Agent
from tests.serve.server import TOKEN


@contextmanager
def serving(handler: type) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _download(url: str, paper_bytes: int, deadline_s: float) -> tuple[dict, bool]:
    agent = Agent("http://127.0.0.1:9", TOKEN, "S", 2**30, allowed_urls=(url,), timeout_s=5)
    agent.offset = None  # the agent's own clock stands in for the server's: no server needed here
    out: dict = {}
    worker = threading.Thread(target=lambda: out.update(agent.download(
        {"url": url, "paper_bytes": paper_bytes, "start_at": agent.server_time(), "deadline_s": deadline_s})),
        daemon=True)
    worker.start()
    worker.join(30)
    return out, worker.is_alive()


def test_a_trickling_server_cannot_hold_a_seat_past_the_deadline():
    class Trickle(Quiet):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Length", str(10**7))
            self.end_headers()
            try:
                for _ in range(200):  # a byte every 0.2 s: under any read timeout, for 40 s
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass

    with serving(Trickle) as url:
        result, stuck = _download(url + "/paper", 10**7, deadline_s=2)
    assert not stuck, "the agent was still reading long after the round's deadline"
    assert result["error"] == "gave up at the round's deadline" and result["finish"] is None
    assert 0 < result["bytes"] < 100


def test_a_compressed_answer_counts_as_the_bytes_on_the_wire():
    packed = gzip.compress(b"\0" * 1_000_000)

    class Gzipping(Quiet):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")  # whatever the agent asked for
            self.send_header("Content-Length", str(len(packed)))
            self.end_headers()
            self.wfile.write(packed)

    with serving(Gzipping) as url:
        result, stuck = _download(url + "/paper", 1_000_000, deadline_s=20)
    assert not stuck
    assert result["bytes"] == len(packed)  # not the megabyte it unpacks to: that would be a made-up rate
    assert result["finish"] is None and "ended after" in result["error"]


def test_the_agent_measures_with_a_clock_that_does_not_step(monkeypatch):
    """The offset to the server is estimated once, before the start; the Windows time service may
    step the wall clock at any moment after. The wall clock is made to step here (time.time and
    time.time_ns jump an hour back, then forward) before the agent's module is loaded, so whatever
    clock it reads, it reads this one: its idea of the server's clock must not move, and waiting
    for a moment 0.3 s ahead must take 0.3 s."""
    import importlib

    import readiness.agent as agent_module

    real_time, real_ns = time.time, time.time_ns
    step = [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + step[0])
    monkeypatch.setattr(time, "time_ns", lambda: real_ns() + int(step[0] * 1e9))
    try:
        fresh = importlib.reload(agent_module)  # defaults bound now: a wall clock would be the stepping one
        agent = fresh.Agent("http://127.0.0.1:9", TOKEN, "S", 1000)
        agent.server_now = real_time  # the site server's clock, which does not step
        agent.sync()
        for jump in (-3600.0, 3600.0):
            step[0] = jump
            assert abs(agent.server_time() - real_time()) < 0.5, f"a {jump:+.0f} s step moved the agent's clock"
            t0 = time.monotonic()
            assert agent.wait_until(real_time() + 0.3)
            assert 0.2 < time.monotonic() - t0 < 3
    finally:
        monkeypatch.undo()
        importlib.reload(agent_module)
