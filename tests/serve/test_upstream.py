"""The sender up the chain against real misbehaving branches on 127.0.0.1: a 429 with Retry-After,
a branch that trickles its answer, one that says it has a newer document, a proxy's 500 page."""

from __future__ import annotations

import http.server
import threading
import time
from contextlib import contextmanager

import pytest
import requests

from readiness.serve import upstream
from readiness.site.store import Store
from readiness.serve.upstream import Upstream, sites_url


class Branch(http.server.BaseHTTPRequestHandler):
    behaviour = "ok"
    seen: list[float] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Branch.seen.append(time.monotonic())
        if Branch.behaviour == "429":
            self._answer(429, b'{"error": "too often"}', {"Retry-After": "3"})
        elif Branch.behaviour == "older":
            self._answer(200, b'{"id": "1101", "stored": "older", "seq": 1}')
        elif Branch.behaviour in ("401", "403"):
            self._answer(int(Branch.behaviour), b'{"error": "a valid site token is needed"}')
        elif Branch.behaviour == "proxy500":
            self._answer(500, b"<html>Internal Server Error</html>", {"Content-Type": "text/html"})
        elif Branch.behaviour == "trickle":
            self.wfile.write(b"HTTP/1.1 201 Created\r\n")
            for _ in range(30):  # a header byte every half second: no single read ever times out
                time.sleep(0.5)
                try:
                    self.wfile.write(b"X")
                    self.wfile.flush()
                except OSError:
                    return
        else:
            self._answer(201, b'{"id": "1101", "stored": "new", "seq": 1}')

    def _answer(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def branch(behaviour: str):
    Branch.behaviour, Branch.seen = behaviour, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Branch)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data")
    yield s
    s.close()


def sender(url: str, store: Store) -> Upstream:
    return Upstream(url, "site-1101-token", 5.0, lambda seq: {"seq": seq}, lambda: 1, store, "site")


def test_a_429_is_retried_no_sooner_than_its_retry_after(store, monkeypatch):
    monkeypatch.setattr(upstream, "POLL_S", 0.05)
    monkeypatch.setattr(upstream, "BACKOFF_S", (0.2, 0.2))
    with branch("429") as url:
        up = sender(url, store)
        up.start()
        time.sleep(4.5)
        up.stop()
    gaps = [b - a for a, b in zip(Branch.seen, Branch.seen[1:])]
    assert gaps and min(gaps) >= 2.9, gaps  # Retry-After: 3 wins over a 0.2 s backoff
    assert "429" in up.state()["error"]["en"] and up.state()["pending"]


def test_a_trickling_branch_is_given_up_on_within_the_attempts_time(store, monkeypatch):
    monkeypatch.setattr(upstream, "ATTEMPT_S", 2.0)
    with branch("trickle") as url:
        up = sender(url, store)
        t0 = time.monotonic()
        ok, _ = up.send_once(requests.Session())
        took = time.monotonic() - t0
    assert not ok and took < 4
    state = up.state()
    assert "did not answer within 2 s" in state["error"]["en"] and "秒内没有回应" in state["error"]["zh"]
    assert state["pending"]  # kept in the outbox


def test_older_is_not_delivered(store):
    with branch("older") as url:
        up = sender(url, store)
        ok, _ = up.send_once(requests.Session())
    assert not ok and up.state()["delivered_at"] is None
    assert "another server" in up.state()["error"]["en"] and "令牌" in up.state()["error"]["zh"]


def test_a_proxys_error_page_is_said_by_its_status(store):
    with branch("proxy500") as url:
        up = sender(url, store)
        ok, _ = up.send_once(requests.Session())
    assert not ok and "HTTP 500" in up.state()["error"]["en"] and "not this tool" not in up.state()["error"]["en"]


@pytest.mark.parametrize("code", ["401", "403"])
def test_a_branch_refusing_the_token_is_said_as_such_on_the_console_once_and_the_dashboard(store, code):
    """Issue 28 item 2: "the branch refuses this site's token", naming upstream.token; said on the
    console when it starts and when it ends, not at every heartbeat."""
    told: list = []
    with branch(code) as url:
        up = sender(url, store)
        up.say = told.append
        for _ in range(3):
            ok, wait = up.send_once(requests.Session())
            assert not ok and wait == 0.0
        error = up.state()["error"]
        assert error["en"].startswith(f"the branch refuses this site's token ({code}): correct upstream.token")
        assert error["zh"].startswith(f"分部服务器不接受本考点的令牌（{code}）") and "upstream.token" in error["zh"]
        assert len(told) == 1 and error["en"] in told[0].en and error["zh"] in told[0].zh  # once, not at every try
        Branch.behaviour = "ok"
        ok, _ = up.send_once(requests.Session())
    assert ok and len(told) == 2 and "delivered again" in told[-1].en


def test_delivered_empties_the_outbox(store):
    with branch("ok") as url:
        up = sender(url, store)
        ok, _ = up.send_once(requests.Session())
    state = up.state()
    assert ok and state["delivered_at"] and not state["pending"] and state["error"] is None


@pytest.mark.parametrize("base, url", [
    ("http://10.1.0.5:8765", "http://10.1.0.5:8765/api/sites"),
    ("http://10.1.0.5:8765/", "http://10.1.0.5:8765/api/sites"),
    ("https://branch.example/readiness/", "https://branch.example/readiness/api/sites"),
])
def test_where_documents_go(base, url):
    assert sites_url(base) == url
