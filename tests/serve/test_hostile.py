"""Hostile clients on the LAN against a real server on 127.0.0.1: trickled bodies, clients that
never read, many connections from one address, forged origins, hostile rehearsal results."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.serve.server import KEY, TOKEN, running


def _raw(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> bool:
    """Whether the server closes the connection within `seconds` while the client trickles bytes."""
    sock.settimeout(0.5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if trickle:
                sock.sendall(trickle)
            while True:
                data = sock.recv(65536)
                if data == b"":
                    return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


@pytest.mark.parametrize("head", [
    b"POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nab",  # 401: the body is never read
    b"GET /api/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nab",  # a body nobody asked for
])
def test_a_trickled_body_the_app_never_reads_cannot_hold_a_connection(tmp_path, profile, head):
    with running(tmp_path / "d", profile, header_timeout_s=1.0, body_timeout_s=1.0) as srv:
        sock = _raw(srv.url)
        sock.sendall(head)
        assert _closed_within(sock, 8, trickle=b"x")  # 1 s + the margin; before the fix: held for ever
        assert requests.get(srv.url + "/api/clock", timeout=5).status_code == 200


def test_a_client_that_reads_nothing_is_dropped(tmp_path, profile, monkeypatch):
    import readiness.serve.run as run

    monkeypatch.setattr(run, "WRITE_STALL_S", 1.0)  # read when the protocol class is made
    with running(tmp_path / "d", profile) as srv:
        sock = _raw(srv.url)
        sock.sendall(f"GET /paper/200000000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
        time.sleep(4)  # reads nothing: the server's buffers fill, its writes stall, then it gives up
        sock.settimeout(5)
        got = 0
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    break
                got += len(data)
        except (socket.timeout, ConnectionResetError):
            pytest.fail("the server kept a stalled download open")
        assert 0 < got < 50_000_000  # what the kernel's buffers held when the server gave up


def test_one_address_holds_a_bounded_number_of_connections(tmp_path, profile):
    with running(tmp_path / "d", profile, per_client=5, exempt_loopback=False) as srv:
        held = [_raw(srv.url) for _ in range(5)]
        extra = _raw(srv.url)
        extra.settimeout(5)
        extra.sendall(b"GET /api/clock HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            assert extra.recv(100) == b""  # closed unanswered
        except ConnectionResetError:
            pass
        for s in held:
            s.close()
        deadline = time.monotonic() + 5
        while True:  # the slots come back once those connections are gone
            try:
                if requests.get(srv.url + "/api/clock", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the slots of closed connections were not given back"
            time.sleep(0.1)
