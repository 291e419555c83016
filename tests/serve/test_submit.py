"""The PC's submitting side against servers that are not the readiness server (a captive portal's
200 page, a redirect, another web server's 404): the report stays in the outbox, never lost."""

from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from readiness.pc.submit import Delivery, Submitter, waiting

BODY = b'{"schema": "readiness.report/1"}'


@contextmanager
def answering(status: int, body: bytes, headers: dict[str, str] | None = None) -> Iterator[str]:
    """A plain web server on 127.0.0.1 that gives every request the same answer."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET = _answer  # noqa: N815 - the stdlib's names

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("status, body, headers", [
    (200, b"<html>Welcome to the campus network, please log in</html>", {"Content-Type": "text/html"}),
    (201, b'{"ok": true}', {"Content-Type": "application/json"}),
    (200, b'{"stored": "already"}', {}),  # no id: not our server's receipt
    (302, b"", {"Location": "http://127.0.0.1:1/login"}),  # requests would have POSTed... as a GET
    (404, b"<html>Not Found</html>", {}),
    (405, b"", {}),
])
def test_an_answer_not_from_a_readiness_server_keeps_the_report(tmp_path, status, body, headers):
    with answering(status, body, headers) as url:
        sub = Submitter(url, "tok", tmp_path / "outbox")
        outcome = sub.send(BODY, "r.json")
        assert outcome.delivery is Delivery.QUEUED, outcome
        assert "server.url" in outcome.detail
        assert [p.read_bytes() for p in waiting(tmp_path / "outbox")] == [BODY]
        flushed = sub.flush()  # the next try: still kept, never deleted nor put aside as refused
    assert [o.delivery for o in flushed] == [Delivery.QUEUED]
    assert [p.read_bytes() for p in waiting(tmp_path / "outbox")] == [BODY]
    assert not (tmp_path / "outbox" / "refused").exists()


def test_the_contracts_refusals_are_put_aside(tmp_path):
    with answering(400, b'{"error": "not valid JSON"}') as url:
        sub = Submitter(url, "tok", tmp_path / "outbox")
        (tmp_path / "outbox").mkdir()
        (tmp_path / "outbox" / "a.json").write_bytes(BODY)
        [outcome] = sub.flush()
    assert outcome.delivery is Delivery.REFUSED and "not valid JSON" in outcome.detail
    assert (tmp_path / "outbox" / "refused" / "a.json").read_bytes() == BODY


def test_a_file_taken_by_another_submit_meanwhile_is_skipped(tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    for name in ("a.json", "b.json"):
        (outbox / name).write_bytes(BODY)
    real_stat = Path.stat
    looked: list[str] = []

    def vanishing(self: Path, *args: object, **kw: object):
        looked.append(self.name)
        if self.name == "a.json" and looked.count("a.json") > 1:  # deleted by the other submit meanwhile
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real_stat(self, *args, **kw)

    monkeypatch.setattr(Path, "stat", vanishing)
    assert "b.json" in [p.name for p in waiting(outbox)]  # no crash, the rest still sent
