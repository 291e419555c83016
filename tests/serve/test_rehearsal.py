"""Exam-start rehearsal rounds on loopback: agents (threads, and one real process killed mid-way)
against a server pacing its paper at a known rate."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import requests

from readiness.pc.agent import Agent, estimate_offset
from readiness.site.rounds import ImpossibleResult, Rehearsals, percentile
from readiness.site.pacing import Pacer
from tests.helpers import under_wine
from tests.serve.server import KEY, TOKEN, open_round, running

MANAGER = {"Authorization": f"Bearer {KEY}"}


def agents(url: str, seats: list[str], **kw) -> tuple[list[Agent], list[threading.Thread]]:
    made = [Agent(url, TOKEN, s, 2**30, **kw) for s in seats]
    threads = [threading.Thread(target=a.run, args=(1,), daemon=True) for a in made]
    for t in threads:
        t.start()
    return made, threads


def wait_waiting(url: str, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = requests.get(url + "/api/state", headers=MANAGER, timeout=10).json()
        if state["rehearsal"]["waiting"] >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} agents joined")


def start_round(base: str, **body) -> dict:
    r = requests.post(base + "/api/rehearsals", json=dict({"url": None}, **body), headers=MANAGER, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def test_fifty_seats_share_the_paced_link(tmp_path, make_profile):
    rate, paper_mb, seats = 40.0, 0.25, 50
    if under_wine():  # Wine's scheduler is not Windows': 50 threads of Windows python there measure Wine.
        seats = 10    # The pacing is measured on Linux; under Wine the round's bookkeeping, with 10 seats.
    with running(tmp_path / "d", make_profile(rehearsal__lan_mbps=rate), rate_per_minute=100000) as srv:
        made, threads = agents(srv.url, [f"SEAT-{i:02d}" for i in range(seats)])
        wait_waiting(srv.url, seats)
        started = start_round(srv.url, paper_mb=paper_mb, lead_s=2)
        assert started["expected"] == seats
        for t in threads:
            t.join(60)
        got = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()
    assert got["state"] == "done" and (got["joined"], got["finished"], got["failed"]) == (seats, seats, 0)
    # 50 agent threads and the server share two cores with whatever else runs (the Windows lane runs
    # this under Wine): the band catches a wrong unit or a rate not shared, not scheduling noise;
    # the statistics themselves are pinned exactly by test_round_statistics.
    assert got["throughput_mbps"] == pytest.approx(rate, rel=0.15)
    expected_s = seats * paper_mb * 8 / rate  # paper size × seats / rate
    assert got["max_s"] == pytest.approx(expected_s, rel=0.2)
    assert 0 < got["p50_s"] <= got["p95_s"] <= got["max_s"]
    assert all(abs(s["start_s"]) < 0.5 for s in got["seats"])  # everyone started at the moment (a start
    # found by polling, once a second, would be up to a second late; 0.5 s leaves room for a loaded machine)
    assert all(s["bytes"] == int(paper_mb * 1e6) for s in got["seats"])
    assert len(got["slowest"]) == 5 and got["plan_s"] == 80


def test_the_clock_offset_of_a_skewed_pc(tmp_path, profile):
    skew = 3.217
    with running(tmp_path / "d", profile) as srv:
        agent = Agent(srv.url, TOKEN, "SKEWED", 2**30, clock=lambda: time.time() + skew)
        offset = agent.sync()
    assert offset.rtt_s < 0.5
    # the server's time is somewhere within the round trip: the error is at most half of it
    assert abs(offset.offset_s + skew) <= offset.rtt_s / 2 + 0.001


def test_offset_keeps_the_shortest_round_trip():
    local = iter([0.0, 1.0, 10.0, 10.002, 20.0, 20.5]).__next__
    remote = iter([100.6, 110.001, 120.4]).__next__
    best = estimate_offset(remote, local, samples=3)
    assert best.rtt_s == pytest.approx(0.002) and best.offset_s == pytest.approx(100.0)


def test_a_killed_agent_is_unfinished_and_a_late_one_is_left_out(tmp_path, make_profile):
    with running(tmp_path / "d", make_profile(rehearsal__lan_mbps=4.0), rate_per_minute=100000) as srv:
        proc = subprocess.Popen([sys.executable, "-m", "readiness", "rehearse", "--seat", "KILLED", "--server", srv.url,
                                 "--token", TOKEN, "--rounds", "1"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        try:
            made, threads = agents(srv.url, ["A", "B"])
            wait_waiting(srv.url, 3)
            started = start_round(srv.url, paper_mb=0.25, lead_s=1.5, deadline_s=4)
            late, late_threads = agents(srv.url, ["LATE"])
            time.sleep(max(0.0, started["start_at"] - time.time()) + 0.3)  # mid-download (1.5 s at 4 Mbit/s)
            proc.kill()  # kill -9; TerminateProcess on Windows
            proc.wait(10)
            for t in threads:
                t.join(30)
            time.sleep(max(0.0, started["start_at"] + 4 - time.time()) + 0.2)  # past the deadline
            got = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()
            late[0].stop.set()
            late_threads[0].join(10)
        finally:
            proc.kill()
    assert got["state"] == "done" and got["expected"] == 3 and got["finished"] == 2
    assert got["unfinished"] == ["KILLED"] and got["late"] == ["LATE"]
    assert {s["hostname"]: s["status"] for s in got["seats"]} == {"A": "finished", "B": "finished",
                                                                   "KILLED": "unfinished"}


def test_only_the_manager_starts_a_round(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        token = {"Authorization": f"Bearer {TOKEN}"}
        assert requests.post(srv.url + "/api/rehearsals", headers=token, timeout=10).status_code == 401
        s = requests.Session()
        s.get(srv.url + f"/?key={KEY}", timeout=10)
        assert s.post(srv.url + "/api/rehearsals", timeout=10).status_code == 403  # a cookie alone: no (CSRF)
        assert s.post(srv.url + "/api/rehearsals", headers={"X-Readiness": "1"}, json={"url": None},
                      timeout=10).status_code == 201
        for bad in ({"url": "file:///etc/passwd"}, {"paper_mb": -1}, {"lead_s": "soon"}, [1]):
            r = requests.post(srv.url + "/api/rehearsals", json=bad, headers=MANAGER, timeout=10)
            assert r.status_code == 400, bad
        r = requests.post(srv.url + "/api/rehearsals/1/results", json={"seat": "NOBODY", "bytes": 1},
                          headers=token, timeout=10)
        assert r.status_code == 409
        assert requests.get(srv.url + "/api/rehearsals/latest", headers=token, timeout=10).status_code == 401
        assert requests.get(srv.url + "/paper/100", timeout=10).status_code == 401
        assert requests.get(srv.url + f"/paper/{2**31}", headers=token, timeout=10).status_code == 413
        assert requests.get(srv.url + "/paper/100000", headers=token, timeout=10).status_code == 409  # no seat: over


def test_rounds_are_kept_across_restarts(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        start_round(srv.url)
    with running(tmp_path / "d", profile) as srv:
        rounds = requests.get(srv.url + "/api/rehearsals", headers=MANAGER, timeout=10).json()["rounds"]
        assert [r["id"] for r in rounds] == [1]
        assert start_round(srv.url)["id"] == 2
        export = requests.get(srv.url + "/download/rehearsals.json", headers=MANAGER, timeout=10)
        assert export.headers["content-disposition"].startswith("attachment")
        assert [r["id"] for r in export.json()["rounds"]] == [1, 2]


def test_the_site_report_downloads_carry_the_rounds(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        _, threads = agents(srv.url, ["SEAT-A", "SEAT-<i>B</i>"])
        wait_waiting(srv.url, 2)
        start_round(srv.url, paper_mb=0.05, lead_s=1)
        for t in threads:
            t.join(30)
        rounds = requests.get(srv.url + "/api/rehearsals", headers=MANAGER, timeout=10).json()["rounds"]
        site = requests.get(srv.url + "/download/site.json", headers=MANAGER, timeout=10).json()
        page = requests.get(srv.url + "/download/site.html", headers=MANAGER, timeout=10).text
        plain = requests.get(srv.url + "/api/site", headers=MANAGER, timeout=10).json()
    assert [r["state"] for r in rounds] == ["done"] and rounds[0]["finished"] == 2
    assert site["rehearsals"] == rounds  # each round as GET /api/rehearsals/latest gives it
    assert "rehearsals" not in plain  # /api/site stays aggregate's document
    section = page[page.index('<section class="rehearsals">'):page.index("</section>")]
    assert "开考演练" in section and "2 / 2" in section and "80 秒内" in section and "<i>" not in section


def test_round_statistics():
    now = [1000.0]
    reh = Rehearsals(clock=lambda: now[0])
    for seat in ("a", "b", "c"):
        reh.poll(seat)
    r = reh.start(None, 1_000_000, 5, 60)
    assert reh.report(r.id, "a", {"start": 1005.0, "finish": 1015.0, "bytes": 1_000_000}) is True
    assert reh.report(r.id, "b", {"start": 1005.0, "finish": 1025.0, "bytes": 1_000_000}) is True
    assert reh.report(r.id, "c", {"start": 1005.0, "finish": None, "bytes": 10, "error": "reset"}) is True
    with pytest.raises(ImpossibleResult):
        reh.report(r.id, "c", {"start": "x", "bytes": 1})
    now[0] = 1030.0
    got = reh.latest()
    assert got is not None
    assert (got["finished"], got["failed"], got["max_s"], got["p50_s"]) == (2, 1, 20.0, 10.0)
    assert got["throughput_mbps"] == pytest.approx(2 * 8 / 20)
    assert got["slowest"] == ["b", "a"]
    assert percentile([], 0.5) is None and percentile([1, 2, 3, 4], 0.95) == 4


def test_the_pacer_spaces_chunks_at_its_rate():
    pacer = Pacer(8.0)  # 1 MB/s
    waits = [pacer.delay(100_000) for _ in range(5)]
    assert waits[0] == pytest.approx(0, abs=0.01) and waits[4] == pytest.approx(0.4, abs=0.01)
    assert Pacer(None).delay(10**9) == 0


def test_the_dashboard_state_changes_when_a_seat_starts_waiting(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        first = requests.get(srv.url + "/api/state", headers=MANAGER, timeout=10).json()
        same = requests.get(srv.url + "/api/state", params={"v": first["version"]}, headers=MANAGER, timeout=10)
        assert same.json() == {"version": first["version"], "unchanged": True}
        requests.get(srv.url + "/api/rehearsals/poll", params={"seat": "S1"}, timeout=10,
                     headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
        after = requests.get(srv.url + "/api/state", params={"v": first["version"]}, headers=MANAGER, timeout=10)
        assert after.json()["rehearsal"]["waiting"] == 1


def test_a_pc_downloads_only_what_its_profile_names(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        named = f"{srv.url}/paper/50000"  # a URL the PC's profile names (here: on the same server)
        agents_ = [Agent(srv.url, TOKEN, "OK", 2**30, allowed_urls=(named,)),
                   Agent(srv.url, TOKEN, "NOT-NAMED", 2**30, allowed_urls=("http://elsewhere.invalid/x",))]
        threads = [threading.Thread(target=a.run, args=(1,), daemon=True) for a in agents_]
        for t in threads:
            t.start()
        wait_waiting(srv.url, 2)
        start_round(srv.url, url=named, paper_mb=0.05, lead_s=1)
        for t in threads:
            t.join(30)
        got = requests.get(srv.url + "/api/rehearsals/latest", headers=MANAGER, timeout=10).json()
    seats = {s["hostname"]: s for s in got["seats"]}
    assert seats["NOT-NAMED"]["status"] == "failed" and "profile does not name" in seats["NOT-NAMED"]["error"]
    assert seats["NOT-NAMED"]["bytes"] == 0
    assert seats["OK"]["status"] == "finished" and seats["OK"]["bytes"] == 50000


def test_a_pc_never_downloads_more_than_the_cap(tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        open_round(srv.url, paper_mb=1)  # the server's paper is sent only during a round
        agent = Agent(srv.url, TOKEN, "CAPPED", 100_000)
        agent.sync()
        result = agent.download({"url": None, "paper_bytes": 1_000_000, "start_at": time.time(), "deadline_s": 30})
    assert result["bytes"] == 100_000 and result["error"] is None


def test_a_result_is_sent_again_after_a_server_hiccup():
    import http.server

    answers = [503, 429, 201]
    seen: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            seen.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(answers.pop(0))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        agent = Agent(f"http://127.0.0.1:{httpd.server_address[1]}", TOKEN, "S", 1000)
        agent.report(1, {"start": 1.0, "finish": 2.0, "bytes": 10})
    finally:
        httpd.shutdown()
    assert len(seen) == 3 and answers == []


def test_a_finished_round_collects_no_late_seats():
    """Every seat reported: a seat polling now waits for the next round, it was not late for this one."""
    now = [1000.0]
    reh = Rehearsals(clock=lambda: now[0])
    for seat in ("a", "b"):
        reh.poll(seat)
    r = reh.start(None, 1_000_000, 5, 60)
    now[0] = 1006.0
    reh.poll("late-while-running")
    for seat in ("a", "b"):
        reh.report(r.id, seat, {"start": 1005.0, "finish": 1010.0, "bytes": 1_000_000})
    now[0] = 1012.0  # well before the deadline (1065)
    reh.poll("joined-after-it-ended")
    got = reh.latest()
    assert got["state"] == "done" and got["late"] == ["late-while-running"]
    second = reh.start(None, 1_000_000, 5, 60)
    assert "joined-after-it-ended" in second.seats
