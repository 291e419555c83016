"""Hostile clients on the LAN against a real server on 127.0.0.1: trickled bodies, clients that
never read, many connections from one address, forged origins, hostile rehearsal results."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.serve.server import KEY, PHONE_TOKEN, TOKEN, open_round, running


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
    import readiness.serve.launch as run

    monkeypatch.setattr(run, "WRITE_STALL_S", 1.0)  # read when the protocol class is made
    with running(tmp_path / "d", profile) as srv:
        open_round(srv.url, paper_mb=200)
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


# -- rehearsal rounds ------------------------------------------------------------------------------

MANAGER = {"Authorization": f"Bearer {KEY}"}
SUBMIT = {"Authorization": f"Bearer {TOKEN}"}
PHONE_AUTH = {"Authorization": f"Bearer {PHONE_TOKEN}"}


def _poll(url: str, seat: str) -> requests.Response:
    return requests.get(url + "/api/rehearsals/poll", params={"seat": seat}, headers=SUBMIT, timeout=10)


def test_a_round_is_not_started_twice(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        _poll(srv.url, "A").raise_for_status()
        first = requests.post(srv.url + "/api/rehearsals", json={"url": None, "lead_s": 1, "deadline_s": 30},
                              headers=MANAGER, timeout=10)
        assert first.status_code == 201
        again = requests.post(srv.url + "/api/rehearsals", json={"url": None}, headers=MANAGER, timeout=10)
        assert again.status_code == 409 and "one round at a time" in again.json()["error"]  # a double click
        done = {"seat": "A", "start": first.json()["start_at"], "finish": first.json()["start_at"] + 1, "bytes": 10}
        assert requests.post(srv.url + "/api/rehearsals/1/results", json=done, headers=SUBMIT,
                             timeout=10).status_code == 201
        assert requests.post(srv.url + "/api/rehearsals", json={"url": None}, headers=MANAGER,
                             timeout=10).status_code == 201  # every seat reported: the next one may start


def _round_with(srv, seats=("A",), paper_mb=1.0) -> float:
    for seat in seats:
        _poll(srv.url, seat).raise_for_status()
    r = requests.post(srv.url + "/api/rehearsals", json={"url": None, "paper_mb": paper_mb, "lead_s": 1,
                                                         "deadline_s": 60}, headers=MANAGER, timeout=10)
    assert r.status_code == 201
    return float(r.json()["start_at"])


@pytest.mark.parametrize("result", [
    {"bytes": 10**12},  # more than the paper
    {"bytes": -1},
    {"bytes": 2**63},
    {"start": -1e308, "finish": 1e308},  # a throughput of nothing over all of time
    {"start": 0.0, "finish": 1.0},  # 1970: a PC that never estimated its offset
    {"start": "S+5", "finish": "S+1"},  # finished before it started
    {"samples_mbps": [-5]},
    {"samples_mbps": {"a": 1}},
    {"samples_mbps": "fast"},
])
def test_impossible_results_are_refused(tmp_path, profile, result):
    with running(tmp_path / "d", profile) as srv:
        start_at = _round_with(srv)
        doc = {"seat": "A", "start": start_at, "finish": start_at + 2, "bytes": 1000, **result}
        for k in ("start", "finish"):
            if isinstance(doc[k], str):
                doc[k] = start_at + float(doc[k][2:])
        r = requests.post(srv.url + "/api/rehearsals/1/results", json=doc, headers=SUBMIT, timeout=10)
        assert r.status_code == 400, r.text
        seat = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()["seats"][0]
        assert seat["status"] in ("waiting", "running") and seat["bytes"] == 0


def test_non_finite_numbers_in_a_result_are_refused(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        _round_with(srv)
        for raw in (b'{"seat": "A", "start": NaN, "bytes": 1}', b'{"seat": "A", "start": 1e999, "bytes": 1}',
                    b'{"seat": "A", "bytes": 1, "samples_mbps": [Infinity]}'):
            r = requests.post(srv.url + "/api/rehearsals/1/results", data=raw, headers=SUBMIT, timeout=10)
            assert r.status_code == 400, raw


def test_a_seats_first_result_counts(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        start_at = _round_with(srv, ("A", "B"))
        honest = {"seat": "A", "start": start_at, "finish": start_at + 10, "bytes": 1_000_000}
        assert requests.post(srv.url + "/api/rehearsals/1/results", json=honest, headers=SUBMIT,
                             timeout=10).status_code == 201
        forged = dict(honest, finish=start_at + 0.5)  # another holder of the token, or a confused retry
        again = requests.post(srv.url + "/api/rehearsals/1/results", json=forged, headers=SUBMIT, timeout=10)
        assert again.status_code == 200 and again.json()["stored"] == "already"
        got = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()
        assert {s["hostname"]: s["finish_s"] for s in got["seats"]}["A"] == 10.0


@pytest.mark.parametrize("seat", ["PC-01\u202eLOOC", "PC\x00", "PC\n01", "\u200fPC"])
def test_seat_labels_with_control_or_direction_marks_are_refused(tmp_path, profile, seat):
    with running(tmp_path / "d", profile) as srv:
        r = _poll(srv.url, seat)
        assert r.status_code == 400 and "printable" in r.json()["error"]
        assert _poll(srv.url, "考场1-座位05").status_code == 200  # Chinese labels are fine


def test_made_up_seats_cannot_fill_the_memory(tmp_path, profile, monkeypatch):
    import readiness.site.rounds as rehearsal

    monkeypatch.setattr(rehearsal, "MAX_SEATS", 20)
    with running(tmp_path / "d", profile, rate_per_minute=100000) as srv:
        assert all(_poll(srv.url, f"S{i}").status_code == 200 for i in range(20))
        r = _poll(srv.url, "ONE-TOO-MANY")
        assert r.status_code == 503 and "seats" in r.json()["error"]
        assert _poll(srv.url, "S3").status_code == 200  # the known ones go on


# -- phones ----------------------------------------------------------------------------------------

PHONE = {"schema": "readiness.phone/1",
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
         "ua_ch": None, "device_memory": None, "screen": {"width": 390, "height": 844}, "max_touch_points": 5,
         "app_version": "2.4.3", "name": "李老师", "room": "101"}


def test_a_phone_post_is_small(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        padded = dict(PHONE, padding="x" * 40_000)  # the fields are capped, the document was not
        r = requests.post(srv.url + "/api/phones", json=padded, headers=PHONE_AUTH, timeout=10)
        assert r.status_code == 413
        assert srv.store.phones() == []


def test_a_phone_sent_again_shows_once_as_last_sent(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        for version in ("2.4.2", "2.4.3"):  # sent, the app updated, sent again
            assert requests.post(srv.url + "/api/phones", json=dict(PHONE, app_version=version), headers=PHONE_AUTH,
                                 timeout=10).status_code == 201
        for _ in range(2):  # two identical phones whose invigilators typed no name: two phones
            assert requests.post(srv.url + "/api/phones", json=dict(PHONE, name=""), headers=PHONE_AUTH,
                                 timeout=10).status_code == 201
        rows = requests.get(srv.url + "/api/phones", headers=MANAGER, timeout=10).json()["phones"]
    assert [(p["name"], p["app_version"], p["status"]) for p in rows] == [
        ("李老师", "2.4.3", "pass"), ("", "2.4.3", "pass"), ("", "2.4.3", "pass")]


def test_a_cookie_request_from_another_origin_is_refused(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        s = requests.Session()
        s.get(srv.url + f"/?key={KEY}", timeout=10)
        port = srv.url.rsplit(":", 1)[1]
        for origin in ("http://evil.example", f"http://127.0.0.1:{int(port) + 1}", "null"):
            r = s.post(srv.url + "/api/rehearsals", headers={"X-Readiness": "1", "Origin": origin}, timeout=10)
            assert r.status_code == 403 and "another site" in r.json()["error"], origin
        assert s.post(srv.url + "/api/rehearsals", headers={"X-Readiness": "1", "Origin": srv.url},
                      timeout=10).status_code == 201


def test_reports_without_a_host_name_stay_apart_and_keep_their_names_after_a_restart(tmp_path, profile):
    import json

    from tests.site.aggregate.reports import make_report, site_profile

    bodies = []
    for i in range(2):  # real reports whose facts name no host
        report = json.loads(make_report(tmp_path / "r", f"PC{i}", site_profile(tmp_path), minutes=i).read_bytes())
        del report["facts"]["host"]["hostname"], report["facts"]["host"]["machine_id"]
        bodies.append(json.dumps(report).encode())

    def hosts(srv) -> list[str]:
        site = requests.get(srv.url + "/api/site", headers=MANAGER, timeout=10).json()
        return sorted(m["hostname"] for s in site["sites"] for m in s["machines"])

    with running(tmp_path / "d", profile) as srv:
        for body in bodies:
            assert requests.post(srv.url + "/api/reports", data=body, headers=SUBMIT, timeout=10).status_code == 201
        live = hosts(srv)
    with running(tmp_path / "d", profile) as srv:
        assert hosts(srv) == live == ["#1", "#2"]  # before: both one machine named "request" until a restart


@pytest.mark.parametrize("changes", [
    {"ua_ch": {"platform": "Android", "platformVersion": "9" * 5000}},  # int("9" * 5000) raises in Python
    {"ua_ch": {"platform": "Android", "model": "x" * 20000}},
    {"ua_ch": {"formFactors": ["Mobile"] * 1000}},
    {"ua_ch": [1]}, {"screen": "big"}, {"screen": {"width": "375"}}, {"name": 5}, {"device_memory": True},
    {"max_touch_points": 1e300}, {"user_agent": None},
])
def test_hostile_phone_posts_are_400_and_the_dashboard_stays_up(tmp_path, profile, changes):
    with running(tmp_path / "d", profile) as srv:
        r = requests.post(srv.url + "/api/phones", json=dict(PHONE, **changes), headers=PHONE_AUTH, timeout=10)
        assert r.status_code == 400, r.text
        assert requests.get(srv.url + "/api/state", headers=MANAGER, timeout=10).status_code == 200


@pytest.mark.parametrize("raw", [b"[1]", b'{"schema": "readiness.phone/1"}', b'{"schema": "readiness.phone/1", '
                                 b'"user_agent": "Android Mobile", "ua_ch": {"platformVersion": "' + b"9" * 5000 + b'"}}',
                                 b'{"schema": "readiness.phone/1", "user_agent": "Android 9 Mobile", "screen": 5, '
                                 b'"device_memory": "lots"}'])
def test_a_stored_phone_the_rules_cannot_read_is_an_error_row_not_a_dead_dashboard(tmp_path, profile, raw):
    from readiness.site.store import Store

    store = Store(tmp_path / "d")  # stored by an earlier, laxer server
    store.add_phone(raw, "192.0.2.7")
    store.close()
    with running(tmp_path / "d", profile) as srv:
        state = requests.get(srv.url + "/api/state", headers=MANAGER, timeout=10)
        assert state.status_code == 200
        phones = requests.get(srv.url + "/api/phones", headers=MANAGER, timeout=10).json()["phones"]
    assert len(phones) <= 1 and all(p["status"] in ("error", "fail") for p in phones)


# -- credentials ------------------------------------------------------------------------------------

MANAGER_PATHS = ("/api/site", "/api/state", "/api/phones", "/download/site.json", "/machine/1", "/qr/phone.svg",
                 "/api/rehearsals", "/api/rehearsals/latest", "/download/rehearsals.json")


def test_credentials_only_where_the_contract_puts_them(tmp_path, profile):
    with running(tmp_path / "d", profile, rate_per_minute=100000) as srv:
        for path in MANAGER_PATHS:
            for params in ({"key": KEY}, {"t": KEY}, {"token": KEY}):  # never from the address
                assert requests.get(srv.url + path, params=params, timeout=10).status_code == 401, (path, params)
            for auth in ("", "Bearer", "Bearer ", f"Basic {KEY}", f"bearer{KEY}", f"Bearer {KEY}x", f"Bearer {TOKEN}",
                         f"Bearer {KEY[:-1]}", f"Bearer {PHONE_TOKEN}"):
                assert requests.get(srv.url + path, headers={"Authorization": auth}, timeout=10).status_code == 401, \
                    (path, auth)
            wrong_cookie = requests.get(srv.url + path, cookies={"readiness_key": TOKEN}, timeout=10)
            assert wrong_cookie.status_code == 401, path
        # the manager's cookie is no submit token: a page of another site cannot add reports with it
        r = requests.post(srv.url + "/api/reports", data=b"{}", cookies={"readiness_key": KEY}, timeout=10)
        assert r.status_code == 401
        r = requests.post(srv.url + "/api/reports", data=b"{}", params={"t": TOKEN}, timeout=10)
        assert r.status_code == 401


def test_the_phone_token_opens_only_the_phone_doors(tmp_path, profile):
    from readiness.serve import pages

    with running(tmp_path / "d", profile, rate_per_minute=100000) as srv:
        open_round(srv.url, paper_mb=0.1)
        # a phone link in an invigilator's hands: no PC report, no seat, no result, no paper
        for method, path, body in (("POST", "/api/reports", b"{}"), ("GET", "/api/rehearsals/poll?seat=X", None),
                                   ("POST", "/api/rehearsals/1/results", b'{"seat": "PAPER-READER", "bytes": 0}'),
                                   ("GET", "/paper/1000", None)):
            r = requests.request(method, srv.url + path, data=body, headers=PHONE_AUTH, timeout=10)
            assert r.status_code == 401, (path, r.text)
        # the PCs' token is no phone token: it must not travel in phone links
        r = requests.post(srv.url + "/api/phones", json=PHONE, headers=SUBMIT, timeout=10)
        assert r.status_code == 401 and "phone token" in r.json()["error"]
        assert requests.post(srv.url + "/api/phones", json=PHONE, headers=PHONE_AUTH, timeout=10).status_code == 201
        for t in (TOKEN, KEY, "", PHONE_TOKEN + "x"):
            page = requests.get(srv.url + "/phone", params={"t": t, "lang": "en"}, timeout=10)
            assert page.status_code == 401 and "phone.js" not in page.text and "scan the QR code" in page.text, t
        assert requests.get(srv.url + "/phone", timeout=10).status_code == 401
        assert requests.get(srv.url + "/phone", params={"t": PHONE_TOKEN}, timeout=10).status_code == 200
        qr = requests.get(srv.url + "/qr/phone.svg", headers=MANAGER, timeout=10).content
        assert qr == pages.qr_svg(f"{srv.url}/phone?t={PHONE_TOKEN}")  # the dashboard's QR: the phone token


def test_the_servers_paper_only_for_pcs_and_only_during_a_round(tmp_path, profile):
    with running(tmp_path / "d", profile, rate_per_minute=100000) as srv:
        r = requests.get(srv.url + "/paper/1000", headers=SUBMIT, timeout=10)
        assert r.status_code == 409 and "no rehearsal round" in r.json()["error"]
        rid = open_round(srv.url, paper_mb=0.1)["id"]
        assert len(requests.get(srv.url + "/paper/100000", headers=SUBMIT, timeout=10).content) == 100000
        assert requests.get(srv.url + "/paper/100001", headers=SUBMIT, timeout=10).status_code == 413  # > the paper
        assert requests.get(srv.url + "/paper/1000", timeout=10).status_code == 401
        assert requests.post(srv.url + f"/api/rehearsals/{rid}/stop", headers=MANAGER, timeout=10).status_code == 200
        assert requests.get(srv.url + "/paper/1000", headers=SUBMIT, timeout=10).status_code == 409


def test_an_agent_told_to_slow_down_keeps_its_clock_offset():
    import http.server
    import threading

    from readiness.pc.agent import Agent, Offset, RateLimited

    class Busy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        agent = Agent(f"http://127.0.0.1:{httpd.server_address[1]}", TOKEN, "S", 1000)
        agent.offset = Offset(12.5, 0.001)
        with pytest.raises(RateLimited) as told:  # run() waits as told and keeps the offset
            agent.poll()
        assert told.value.retry_after_s == 1.0
        assert agent.offset == Offset(12.5, 0.001)  # no new round of clock requests into a busy server
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_round_under_way_when_the_server_stopped_is_over_after_the_restart(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        _poll(srv.url, "A").raise_for_status()
        _poll(srv.url, "B").raise_for_status()
        start_at = _round_with(srv, ())
        requests.post(srv.url + "/api/rehearsals/1/results", headers=SUBMIT, timeout=10,
                      json={"seat": "A", "start": start_at, "finish": start_at + 1, "bytes": 1000}).raise_for_status()
    with running(tmp_path / "d", profile) as srv:  # the laptop's lid was closed mid-round
        got = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()
        assert got["state"] == "done" and got["interrupted"] is True
        assert {s["hostname"]: s["status"] for s in got["seats"]} == {"A": "finished", "B": "unfinished"}
        assert got["unfinished"] == ["B"]
        _poll(srv.url, "A").raise_for_status()
        assert requests.post(srv.url + "/api/rehearsals", json={"url": None}, headers=MANAGER,
                             timeout=10).status_code == 201  # and the next round can start


def test_the_same_report_racing_in_from_many_clients_is_stored_once(tmp_path, profile):
    from concurrent.futures import ThreadPoolExecutor

    from tests.site.aggregate.reports import make_report, site_profile

    body = make_report(tmp_path / "r", "PC-RACE", site_profile(tmp_path)).read_bytes()
    with running(tmp_path / "d", profile, rate_per_minute=100000) as srv:
        with ThreadPoolExecutor(24) as pool:  # a PC's outbox flushed by two processes, a retry after a timeout...
            codes = list(pool.map(lambda _: requests.post(srv.url + "/api/reports", data=body, headers=SUBMIT,
                                                          timeout=30).status_code, range(24)))
        assert sorted(codes) == [200] * 23 + [201]
        assert srv.store.count_reports() == 1
        seats = requests.get(srv.url + "/api/state", headers=MANAGER, timeout=10).json()["sites"][0]["seats"]
        assert [s["hostname"] for s in seats] == ["PC-RACE"]


@pytest.mark.parametrize("rid", ["0", "9" * 30, str(2**63)])
def test_a_machine_page_for_an_id_that_cannot_be_is_404(tmp_path, profile, rid):
    with running(tmp_path / "d", profile) as srv:
        assert requests.get(srv.url + f"/machine/{rid}", headers=MANAGER, timeout=10).status_code == 404


def test_two_pcs_waiting_under_one_seat_label_are_told_apart():
    from readiness.site.rounds import JOINED_WITHIN_S, Rehearsals, SeatTaken

    now = [1000.0]
    reh = Rehearsals(clock=lambda: now[0])
    reh.poll("PC-01", "192.168.1.21")
    with pytest.raises(SeatTaken, match="192.168.1.21"):  # its clone, same host name
        reh.poll("PC-01", "192.168.1.22")
    reh.poll("PC-01", "192.168.1.21")  # the first goes on
    now[0] += JOINED_WITHIN_S + 1  # the first fell silent: the label is free
    reh.poll("PC-01", "192.168.1.22")


def test_an_agent_shows_why_the_server_refuses_its_seat():
    import http.server
    import threading

    from readiness.pc.agent import Agent

    class Refusing(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            body = b'{"error": "another PC (192.168.1.21) is waiting as this seat"}'
            self.send_response(409)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    lines: list[str] = []
    try:
        agent = Agent(f"http://127.0.0.1:{httpd.server_address[1]}", TOKEN, "PC-01", 1000, echo=lines.append)
        agent.stop.set()  # no waiting after the answer
        assert agent.poll() is None
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert lines == ["the server refuses this seat (409): another PC (192.168.1.21) is waiting as this seat"]


def test_a_stopped_round_starts_no_seat_and_only_the_manager_stops_it(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        _round_with(srv, ("A",))
        assert requests.post(srv.url + "/api/rehearsals/1/stop", headers=SUBMIT, timeout=10).status_code == 401
        cookie = requests.Session()
        cookie.get(srv.url + f"/?key={KEY}", timeout=10)
        assert cookie.post(srv.url + "/api/rehearsals/1/stop", timeout=10).status_code == 403  # CSRF rule
        assert requests.post(srv.url + "/api/rehearsals/1/stop", headers=MANAGER, timeout=10).status_code == 200
        assert requests.post(srv.url + "/api/rehearsals/1/stop", headers=MANAGER, timeout=10).status_code == 409
        assert _poll(srv.url, "A").json()["round"] is None  # scheduled, then stopped: A does not start
        got = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()
        assert (got["state"], got["stopped"], got["unfinished"]) == ("done", True, ["A"])


@pytest.mark.parametrize("field, most", [("name", 80), ("room", 80), ("app_version", 64), ("user_agent", 1000)])
def test_phone_fields_are_bounded(tmp_path, profile, field, most):
    from readiness.site.phones import NotAPhoneCheck, PhoneCheck

    at = dict(PHONE, **{field: PHONE[field] + "x" * (most - len(PHONE[field]))})
    PhoneCheck.read(at)
    with pytest.raises(NotAPhoneCheck, match=f"at most {most} characters"):
        PhoneCheck.read(dict(at, **{field: at[field] + "x"}))


def test_a_leaked_phone_link_cannot_flood_a_room_or_the_site(tmp_path, profile, monkeypatch):
    from readiness.site import phones

    monkeypatch.setattr(phones, "MAX_PHONES_PER_ROOM", 5)
    monkeypatch.setattr(phones, "MAX_PHONES", 8)
    with running(tmp_path / "d", profile, rate_per_minute=100000) as srv:
        def post(room, i):
            return requests.post(srv.url + "/api/phones", json=dict(PHONE, room=room, name=f"n{i}"),
                                 headers=PHONE_AUTH, timeout=10)

        assert [post(" 101 ", i).status_code for i in range(6)] == [201] * 5 + [409]  # the same room, as typed
        refused = post("101", 99)
        assert refused.status_code == 409 and "new phone token" in refused.json()["error"]
        assert [post("102", i).status_code for i in range(4)] == [201, 201, 201, 409]  # 8 in all
        assert len(srv.store.phones()) == 8
