"""The full chain for the clock: the real probe against a 127.0.0.1 exam server whose Date is
right, minutes ahead or days behind, then the check judges the facts (also as a saved snapshot)."""

import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from readiness.core.facts import Facts
from readiness.core.judging import judge_check
from readiness.pc.net.collect import collect_network
from tests.pc.net.servers import Server


def judge(loaded, profile, net):
    spec = next(c for c in loaded.checks if c.id == "clock")
    facts = {"schema": "readiness.facts/1", "network": net, "errors": {}, "not_collected": {}}
    return judge_check(spec, Facts(json.loads(json.dumps(facts))), profile)  # as saved and read back


@pytest.mark.parametrize("offset_s, status", [(0, "pass"), (4 * 60, "warn"), (-3 * 86400, "fail")])
def test_exam_server_date_right_minutes_ahead_days_behind(loaded, make_profile, offset_s, status):
    with Server(date_offset_s=offset_s) as srv:
        profile = make_profile(**{"network.endpoints": [srv.url("/ok")], "network.ip_echo_urls": [],
                                  "bandwidth.url": srv.url("/file?size=1000000"), "bandwidth.duration_s": 1.0,
                                  "bandwidth.warmup_s": 0.0})
        net = collect_network(profile, {}, {})
    e = net["endpoints"][0]
    assert e["ok"] and e["date"] and e["sent_at"] <= e["received_at"] and e["rtt_s"] >= 0
    assert net["site_clock"] is None  # no [server] url
    result = judge(loaded, profile, net)
    assert result.status.value == status, result.message.en


def test_the_site_servers_clock_is_measured(loaded, make_profile):
    """A stand-in for `readiness serve`'s /api/clock ({"now": seconds}), 10 minutes ahead."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Clock(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = json.dumps({"now": time.time() + 600}).encode()
            self.send_response(200 if self.path == "/api/clock" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Clock)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        profile = make_profile(**{"network.endpoints": [], "network.ip_echo_urls": [],
                                  "server.url": f"http://127.0.0.1:{srv.server_address[1]}",
                                  "bandwidth.url": f"http://127.0.0.1:{srv.server_address[1]}/none",
                                  "bandwidth.duration_s": 1.0})
        not_collected = {}
        net = collect_network(profile, {}, not_collected)
    finally:
        srv.shutdown()
        srv.server_close()
    assert net["site_clock"]["server_time"] is not None and net["site_clock"]["error"] is None
    spec = next(c for c in loaded.checks if c.id == "clock")
    facts = {"schema": "readiness.facts/1", "network": net, "errors": {}, "not_collected": not_collected}
    result = judge_check(spec, Facts(facts), profile)
    assert result.status.value == "fail" and "10 min" in result.message.en


def test_a_cached_answers_age_is_recorded_and_added(loaded, make_profile):
    """A caching proxy's copy keeps the origin's Date from 600 s ago and says Age: 600."""
    with Server() as srv:
        profile = make_profile(**{"network.endpoints": [srv.url("/cached?age=600")], "network.ip_echo_urls": [],
                                  "bandwidth.url": srv.url("/file?size=1000"), "bandwidth.duration_s": 1.0,
                                  "bandwidth.warmup_s": 0.0})
        net = collect_network(profile, {}, {})
    assert net["endpoints"][0]["age"] == "600"
    assert judge(loaded, profile, net).status.value == "pass"
    net["endpoints"][0]["age"] = None  # as a tool that ignored Age read it: 10 minutes behind
    assert judge(loaded, profile, net).status.value == "fail"


def _trustme():
    try:
        import trustme
    except ImportError:  # the Windows lane: cryptography's Rust module needs bcryptprimitives.dll, absent in Wine 8
        if os.name != "nt":
            raise
        pytest.skip("Wine 8 lacks bcryptprimitives.dll, which cryptography (trustme) needs")
    return trustme


def _https(tmp_path, not_before, not_after):
    import ssl

    ca = _trustme().CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", not_before=not_before, not_after=not_after).configure_cert(ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return ctx, str(ca_file)


def test_a_certificate_refused_for_its_dates_still_gives_the_clock(loaded, make_profile, tmp_path):
    """The PC's clock is three days behind the exam server: the server's certificate, valid from
    tomorrow by this PC's clock, is refused, and the Date read once more without verification
    (for the clock only) says by how much."""
    now = datetime.now(timezone.utc)
    ctx, ca_file = _https(tmp_path, now + timedelta(days=1), now + timedelta(days=30))
    with Server(tls=ctx, date_offset_s=3 * 86400) as srv:
        profile = make_profile(**{"network.endpoints": [srv.url("/ok")], "network.ip_echo_urls": [],
                                  "network.ca_bundle": ca_file, "bandwidth.url": srv.url("/file?size=1000"),
                                  "bandwidth.duration_s": 1.0, "bandwidth.warmup_s": 0.0})
        net = collect_network(profile, {}, {})
    e = net["endpoints"][0]
    assert not e["ok"] and e["failed_step"] == "tls" and "not yet valid" in e["error"]
    assert e["date_unverified"] is True and e["date"] and e["status"] is None  # nothing else of the answer kept
    result = judge(loaded, profile, net)
    assert result.status.value == "fail" and "3 days behind" in result.message.en
    assert "without TLS verification" in result.observed.en


def test_a_certificate_refused_for_another_reason_gives_no_date(loaded, make_profile, tmp_path):
    """An unknown CA (an intercepting box?) is no clock problem: its Date is not read."""
    now = datetime.now(timezone.utc)
    ctx, _ = _https(tmp_path, now - timedelta(days=1), now + timedelta(days=30))
    with Server(tls=ctx, date_offset_s=3 * 86400) as srv:
        profile = make_profile(**{"network.endpoints": [srv.url("/ok")], "network.ip_echo_urls": [],
                                  "bandwidth.url": srv.url("/file?size=1000"), "bandwidth.duration_s": 1.0,
                                  "bandwidth.warmup_s": 0.0})
        net = collect_network(profile, {}, {})
    e = net["endpoints"][0]
    assert e["failed_step"] == "tls" and e["date"] is None and e["date_unverified"] is False
    assert judge(loaded, profile, net).status.value == "error"
