"""What the TLS tests (test_tls.py, test_tls_review.py) share: certificates from the test CA as
files, recording servers that keep every byte a client sends, a report to send, `readiness serve`
run until it says something, and a network namespace with no route. The test CA itself is the
`ca` fixture (tests/serve/conftest.py).

Importing this module skips the importing test module under Wine: cryptography's Rust module (which
trustme and the server's self-signed certificate need) wants bcryptprimitives.dll, absent in Wine 8.
On Linux a missing trustme is a broken install, not a skip."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

try:
    import trustme  # noqa: F401 - the guard: the importing module is skipped where it cannot load
except ImportError:
    if os.name != "nt":
        raise
    pytest.skip("cryptography (trustme) does not load under Wine 8", allow_module_level=True)

from readiness.core.tls import fingerprint_of  # noqa: E402
from readiness.serve.tls import Served  # noqa: E402
from tests.site.aggregate.reports import make_report, site_profile  # noqa: E402


def leaf(ca, tmp: Path, *names: str, **kw) -> tuple[Served, str]:
    """A certificate for names issued by the test CA, as files; its fingerprint."""
    cert = ca.issue_cert(*names, **kw)
    cert_path, key_path = tmp / f"cert-{len(list(tmp.iterdir()))}.pem", tmp / f"key-{len(list(tmp.iterdir()))}.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return Served(cert_path, key_path, fingerprint_of(der), False), fingerprint_of(der)


@contextmanager
def recording(served: Served | None = None) -> Iterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 that records every byte a client sends: TLS with served's certificate
    (the handshake completes, so what is sent after it is seen), plain TCP without one."""
    ctx = None
    if served is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(served.cert), str(served.key))
    listener = socket.create_server(("127.0.0.1", 0))
    got: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                continue
            try:
                with (ctx.wrap_socket(raw, server_side=True) if ctx is not None else raw) as conn:
                    conn.settimeout(1.5)
                    while data := conn.recv(65536):
                        got.append(data)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"{'https' if ctx is not None else 'http'}://127.0.0.1:{listener.getsockname()[1]}", got
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def report_body(tmp: Path, host: str = "PC01") -> bytes:
    return make_report(tmp / "r", host, site_profile(tmp)).read_bytes()


def serve_until(tmp_path: Path, prof: Path, wait_for: str, seconds: float = 30, data: Path | None = None) -> str:
    """`readiness serve`'s start-up text until `wait_for` shows or the time is up (never hangs)."""
    import selectors

    proc = subprocess.Popen([sys.executable, "-m", "readiness", "serve", "--profile", str(prof), "--data",
                             str(data or tmp_path / "data"), "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, READINESS_LANG="en"),
                            cwd=tmp_path)
    out = b""
    try:
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while wait_for.encode() not in out and time.monotonic() < deadline:
            if sel.select(timeout=0.5):
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
        return out.decode(errors="replace")
    finally:
        proc.terminate()
        proc.wait(15)


def _no_route_namespace() -> list[str] | None:
    unshare = shutil.which("unshare")
    if sys.platform != "linux" or unshare is None:
        return None
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
        return [unshare, "-rn"] if probe.returncode == 0 else None
    return [unshare, "-n"]


NETNS = _no_route_namespace()
needs_netns = pytest.mark.skipif(NETNS is None, reason="no network namespaces here (unshare -n needs root or user "
                                                       "namespaces): the refusal is tested without one above")
