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

from readiness.pc.agent import Agent
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

    import readiness.pc.agent as agent_module

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


# -- a hostile site server (issue 19, item 9) and the rate limit (item 2) -------------------------

def _round_server(round_doc: dict, paper_location: str | None = None, clock_429: int = 0) -> type:
    """A stand-in site server: /api/clock (429 for the first clock_429 calls), /api/rehearsals/poll
    announcing round_doc (start_at relative to now when a number), results taken, a /paper that
    redirects when paper_location is set."""
    state = {"clock_calls": 0, "results": []}

    class Handler(Quiet):
        def _json(self, code: int, body: bytes, headers: dict | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - the stdlib's name
            import json

            if self.path.startswith("/api/clock"):
                state["clock_calls"] += 1
                if state["clock_calls"] <= clock_429:
                    return self._json(429, b'{"error": "too many"}', {"Retry-After": "1"})
                return self._json(200, json.dumps({"now": time.time()}).encode())
            if self.path.startswith("/api/rehearsals/poll"):
                doc = dict(round_doc)
                if isinstance(doc.get("start_at"), (int, float)):
                    doc["start_at"] = time.time() + doc["start_at"]
                return self._json(200, json.dumps({"now": time.time(), "round": doc}, allow_nan=True).encode())
            if self.path.startswith("/paper") and paper_location:
                self.send_response(302)
                self.send_header("Location", paper_location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._json(404, b"{}")

        def do_POST(self):  # noqa: N802 - the stdlib's name
            import json

            size = int(self.headers.get("Content-Length", "0"))
            state["results"].append(json.loads(self.rfile.read(size)))
            self._json(201, b'{"stored": true}')

    Handler.state = state  # type: ignore[attr-defined]
    return Handler


def _agent_lines(handler: type, seconds: float) -> tuple[list[str], Agent]:
    lines: list[str] = []
    stop = threading.Event()
    with serving(handler) as url:
        agent = Agent(url, TOKEN, "S1", 2**30, timeout_s=3, stop=stop, echo=lines.append)
        worker = threading.Thread(target=agent.run, args=(1,), daemon=True)
        worker.start()
        worker.join(seconds)
        stop.set()
        worker.join(10)
        assert not worker.is_alive()
    return lines, agent


def test_a_start_a_billion_seconds_ahead_is_ignored_not_awaited():
    handler = _round_server({"id": 1, "start_at": 1e9, "url": None, "paper_bytes": 1000, "deadline_s": 60})
    lines, agent = _agent_lines(handler, 4)
    assert any("round 1 ignored" in line and "beyond any lead" in line for line in lines), lines
    assert 1 in agent.done and handler.state["results"] == []


def test_a_start_that_is_not_a_number_does_not_spin():
    handler = _round_server({"id": 2, "start_at": float("nan"), "url": None, "paper_bytes": 1000, "deadline_s": 60})
    lines, _ = _agent_lines(handler, 3)
    assert any("round 2 ignored" in line and "not a time" in line for line in lines), lines
    assert handler.state["clock_calls"] < 60  # a few syncs, not a busy loop


def test_the_paper_is_never_fetched_through_a_redirect():
    target_hits: list[str] = []

    class Elsewhere(Quiet):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            target_hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)

    with serving(Elsewhere) as elsewhere:
        handler = _round_server({"id": 3, "start_at": 1.0, "url": None, "paper_bytes": 1000, "deadline_s": 30},
                                paper_location=elsewhere + "/anything")
        lines, _ = _agent_lines(handler, 8)
    assert target_hits == []
    (result,) = handler.state["results"]
    assert result["bytes"] == 0 and "redirect" in result["error"], result


def test_429_on_the_clock_waits_as_told_and_says_why():
    handler = _round_server({"id": 4, "start_at": 1.0, "url": None, "paper_bytes": 0, "deadline_s": 30}, clock_429=3)
    lines, _ = _agent_lines(handler, 6)
    said = [line for line in lines if "429" in line]
    assert said and "server.rate_per_minute" in said[0], lines
    assert handler.state["clock_calls"] < 40


def test_a_sync_cut_short_by_429_keeps_what_it_measured():
    from readiness.pc.agent import RateLimited, estimate_offset

    calls = iter([100.0, 200.0])

    def server_now() -> float:
        try:
            return next(calls)
        except StopIteration:
            raise RateLimited(1.0) from None

    ticks = iter([0.0, 0.2, 1.0, 1.1, 2.0])
    got = estimate_offset(server_now, lambda: next(ticks), samples=8)
    assert abs(got.rtt_s - 0.1) < 1e-9 and abs(got.offset_s - (200.0 - 1.05)) < 1e-9
    try:
        estimate_offset(lambda: (_ for _ in ()).throw(RateLimited(2.0)), time.monotonic)
    except RateLimited as exc:
        assert exc.retry_after_s == 2.0
    else:
        raise AssertionError("a 429 before any sample must be passed on")



def test_the_paper_comes_on_a_new_connection_after_the_old_one_is_closed():
    """The download opens a new connection, as an exam's browser does at the start, after closing
    the kept-alive one of the clock and the polls: on that one the server's congestion control
    carried a bandwidth learnt from small answers into the paper (measured over a shaped link: many
    more retransmissions, uneven shares, a slow tail, a full site 2-6% under independent clients);
    and a PC holds one connection at a time (a room behind one NAT address shares a cap of 64)."""
    seen: dict[str, list[int]] = {"clock": [], "paper": [], "closed": []}
    clock_closed_first: list[bool] = []

    class KeepAlive(Quiet):
        protocol_version = "HTTP/1.1"  # connections stay open between requests unless a side closes

        def do_GET(self):  # noqa: N802 - the stdlib's name
            port = self.client_address[1]
            if self.path == "/api/clock":
                seen["clock"].append(port)
                body = b'{"now": %f}' % time.time()
            else:
                seen["paper"].append(port)
                give_up = time.monotonic() + 3  # the old connection's end may be handled a moment later
                while not set(seen["clock"]) <= set(seen["closed"]) and time.monotonic() < give_up:
                    time.sleep(0.01)
                clock_closed_first.append(set(seen["clock"]) <= set(seen["closed"]))
                body = b"\0" * 100_000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def finish(self) -> None:
            seen["closed"].append(self.client_address[1])
            super().finish()

    with serving(KeepAlive) as url:
        agent = Agent(url, TOKEN, "S", 2**30, timeout_s=5)
        agent.sync()
        before = list(seen["clock"])
        result = agent.download({"url": None, "paper_bytes": 100_000, "start_at": agent.server_time(),
                                 "deadline_s": 30})
        agent.server_now()  # the session still serves the clock (and the report) afterwards
    assert result["bytes"] == 100_000 and result["error"] is None, result
    assert len(set(before)) == 1, seen  # the clock's requests share one kept-alive connection
    assert seen["paper"] and seen["paper"][0] not in before, seen
    assert clock_closed_first == [True], seen
