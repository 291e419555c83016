"""Real servers on 127.0.0.1 for the network tests: a paced file server, an IP echo, HTTPS."""

from __future__ import annotations

import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Pacer:
    """Shared pacing for all connections: the next chunk may leave at next_t (no bursts)."""

    def __init__(self, mbps: float) -> None:
        self.rate = mbps * 1e6 / 8
        self.lock = threading.Lock()
        self.next_t = time.monotonic()

    def wait(self, n: int) -> None:
        with self.lock:
            now = time.monotonic()
            t = max(now, self.next_t)
            self.next_t = t + n / self.rate
        delay = t - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "Server"

    def log_message(self, *args) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, shifted by the server's date_offset_s: a server whose clock is wrong
        (or a PC whose clock is, seen from the server)."""
        now = time.time() if timestamp is None else timestamp
        return super().date_time_string(now + getattr(self.server, "date_offset_s", 0.0) - getattr(self, "aged_s", 0))

    def _send(self, code: int, body: bytes, ctype: str = "text/plain", headers: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one route table
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        path = url.path
        try:
            if path == "/file":
                self._file(int(q.get("size", [str(256 * 2**20)])[0]), self.server.pacer)
            elif path == "/trickle":
                self._trickle()
            elif path == "/short":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(10 * 2**20))
                self.end_headers()
                self.wfile.write(b"\0" * 2**20)
                self.close_connection = True
            elif path == "/html":
                self._send(200, b"<html><body>Please log in</body></html>" * 1000, "text/html; charset=utf-8")
            elif path == "/redirect":
                self._send(302, b"", headers={"Location": "/redirect"})
            elif path == "/echo":
                self._send(200, (self.server.echo_ip + "\n").encode())
            elif path == "/echo.json":
                self._send(200, json.dumps({"ip": self.server.echo_ip}).encode(), "application/json")
            elif path == "/echo-bad":
                self._send(200, b"hello, world", "text/plain")
            elif path == "/ok":
                self._send(200, b"ok")
            elif path == "/cached":  # a caching proxy's copy, made `age` seconds ago: the origin's Date then
                self.aged_s = int(q.get("age", ["600"])[0])
                self._send(200, b"ok", headers={"Age": str(self.aged_s)})
                self.aged_s = 0
            elif path == "/slow":
                time.sleep(float(q.get("s", ["1"])[0]))
                self._send(200, b"ok")
            else:
                self._send(404, b"not found")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def _file(self, size: int, pacer: Pacer | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk_size = 16 * 1024 if pacer is None or pacer.rate < 50e6 else 64 * 1024
        chunk = b"\0" * chunk_size
        left = size
        while left > 0:
            n = min(left, chunk_size)
            if pacer is not None:
                pacer.wait(n)
            self.wfile.write(chunk[:n])
            left -= n

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(10 * 2**20))
        self.end_headers()
        for _ in range(120):
            self.wfile.write(b"\0" * 1000)
            self.wfile.flush()
            time.sleep(1)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mbps: float | None = None, echo_ip: str = "203.0.113.7", tls: ssl.SSLContext | None = None,
                 date_offset_s: float = 0.0):
        super().__init__(("127.0.0.1", 0), Handler)
        self.date_offset_s = date_offset_s
        self.pacer = Pacer(mbps) if mbps else None
        self.echo_ip = echo_ip
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.server_address[1]}{path}"
