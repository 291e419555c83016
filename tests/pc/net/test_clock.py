"""The full chain for the clock: the real probe against a 127.0.0.1 exam server whose Date is
right, minutes ahead or days behind, then the check judges the facts (also as a saved snapshot)."""

import json

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
