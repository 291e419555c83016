"""The chain of command with real servers on 127.0.0.1: sites push their documents to a branch, the
branch to headquarters; verdicts arrive, a killed site turns stale, a site never heard from is
listed, escalation inside the window, and forged, replayed, malformed or too frequent pushes are
refused with nothing kept."""

from __future__ import annotations

import gzip
import json
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
import requests

from readiness.branch.chain import SITE_SCHEMA
from readiness.core.profile import build_profile
from readiness.core.settings import CORE_SETTINGS
from readiness.serve import upstream
from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.server import KEY, TOKEN, running

TOKENS = {"1101": "site-1101-token", "1102": "site-1102-token", "1103": "site-1103-token"}
HQ_TOKENS = {"11": "branch-11-token"}


@pytest.fixture(autouse=True)
def quick_senders(monkeypatch):
    """Senders look for changes often and wait little between two documents (the defaults are for a LAN
    on exam day: 1 s and 5 s), so that a test sees a change arrive in a moment."""
    monkeypatch.setattr(upstream, "POLL_S", 0.1)
    monkeypatch.setattr(upstream, "MIN_GAP_S", 0.3)


def iso_in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def branch_profile(starts=(), **more):
    return build_profile({"branch": {"id": "11", "name": "北区分部", "sites": dict(TOKENS)},
                          "exam": {"starts_at": list(starts)}, **more}, CORE_SETTINGS)


def site_profile_for(site_id: str, url: str, starts=(), seats: int = 2, heartbeat: float = 5.0):
    return build_profile({"site": {"id": site_id, "name": f"考点 {site_id}", "seats": seats},
                          "upstream": {"url": url, "token": TOKENS[site_id], "heartbeat_s": heartbeat},
                          "exam": {"starts_at": list(starts)}}, CORE_SETTINGS)


def report(tmp_path: Path, site_id: str, host: str, memory_gib: int = 16) -> bytes:
    prof = site_profile(tmp_path, site_id, seats=2)
    path = make_report(tmp_path / f"reports-{site_id}", host, prof,
                       {"memory.installed_bytes": memory_gib * 2**30, "memory.usable_bytes": memory_gib * 2**30})
    return path.read_bytes()


def submit(site, body: bytes) -> None:
    r = requests.post(site.url + "/api/reports", data=body, headers=site.submit_headers(), timeout=10)
    assert r.status_code in (200, 201), r.text


def branch_doc(branch) -> dict:
    r = requests.get(branch.url + "/api/branch", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def wait_for(branch, predicate, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        doc = branch_doc(branch)
        rows = {s["id"]: s for s in doc["sites"]}
        if predicate(rows):
            return doc
        assert time.monotonic() < deadline, json.dumps(doc, ensure_ascii=False)[:3000]
        time.sleep(0.5)  # as a page polls (the manager's bucket holds 240 a minute)


def push(branch, doc, token=TOKENS["1101"], gz=False, **kw):
    body = orjson.dumps(doc)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if gz:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return requests.post(branch.url + "/api/sites", data=body, headers=headers, timeout=10, **kw)


def hand_doc(site_id="1101", status="pass", sent=None, seq=1, heartbeat=60.0):
    sent = sent or datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"schema": SITE_SCHEMA, "generated_at": sent, "status": status,
            "sites": [{"site": {"id": site_id, "name": "x", "seats": 2}, "status": status, "reports": 2,
                       "findings": []}],
            "sender": {"kind": "site", "id": site_id, "name": "x", "seats": 2, "heartbeat_s": heartbeat,
                       "sent_at": sent, "seq": seq}}


def test_verdicts_arrive_a_killed_site_turns_stale_and_a_silent_one_is_listed(tmp_path):
    with ExitStack() as stack:
        branch = stack.enter_context(running(tmp_path / "branch", branch_profile()))
        site_a = stack.enter_context(running(tmp_path / "a", site_profile_for("1101", branch.url), chain=True))
        site_b_stack = ExitStack()
        site_b = site_b_stack.enter_context(running(tmp_path / "b", site_profile_for("1102", branch.url), chain=True))
        submit(site_a, report(tmp_path, "1101", "A-01"))
        submit(site_a, report(tmp_path, "1101", "A-02"))
        submit(site_b, report(tmp_path, "1102", "B-01", memory_gib=4))  # 4 GiB: not ready
        doc = wait_for(branch, lambda r: r["1101"]["reports"] == 2 and r["1102"]["reports"] == 1)
        rows = {s["id"]: s for s in doc["sites"]}
        assert rows["1101"]["status"] == "pass" and rows["1101"]["missing"] == 0
        assert rows["1102"]["status"] == "fail" and rows["1102"]["missing"] == 1 and rows["1102"]["seats_expected"] == 2
        assert rows["1103"]["last_seen"] is None and rows["1103"]["status"] is None  # never heard from: still listed
        assert doc["schema"] == "readiness.branch/1" and doc["id"] == "11" and doc["name"] == "北区分部"
        assert doc["status"] == "fail"
        site_b_stack.close()  # the site's server is gone: nothing more comes from it
        doc = wait_for(branch, lambda r: r["1102"]["stale"], timeout=25)  # 3 x its 5 s heartbeat
        assert not {s["id"]: s for s in doc["sites"]}["1101"]["stale"]  # the live site keeps beating


def test_escalation_inside_the_window(tmp_path):
    starts = [iso_in(120)]  # 2 minutes ahead: inside the plan's 5 minutes
    with ExitStack() as stack:
        branch = stack.enter_context(running(tmp_path / "branch", branch_profile(starts)))
        ready = stack.enter_context(running(tmp_path / "a", site_profile_for("1101", branch.url, starts, seats=1),
                                            chain=True))
        failing = stack.enter_context(running(tmp_path / "b", site_profile_for("1102", branch.url, starts, seats=1),
                                              chain=True))
        submit(ready, report(tmp_path, "1101", "A-01"))
        submit(ready, report(tmp_path, "1101", "A-02"))  # every seat reported (a seat missing of two escalates)
        submit(failing, report(tmp_path, "1102", "B-01", memory_gib=4))
        doc = wait_for(branch, lambda r: r["1101"]["reports"] == 2 and r["1102"]["reports"] == 1)
        rows = {s["id"]: s for s in doc["sites"]}
        assert rows["1102"]["escalate"] is True and rows["1101"]["escalate"] is False
        assert rows["1102"]["escalate_reason"]["en"] == "not ready, and the exam is near"
        assert rows["1103"]["escalate"] is True  # never heard from, inside the window of the branch's own timeline
        assert rows["1101"]["next_exam_at"] is not None
        assert [s["id"] for s in doc["sites"]][-1] == "1101"  # the sites to act on first come first
        assert doc["escalating"] == 2
        state = requests.get(failing.url + "/api/state", headers=failing.manager_headers(), timeout=10).json()
        assert state["exam"]["escalate"] is True and 0 < state["exam"]["seconds_to_start"] <= 120
        assert state["upstream"][0]["delivered_at"] is not None and state["upstream"][0]["error"] is None


def test_not_ready_outside_the_window_is_not_escalated(tmp_path):
    starts = [iso_in(3600)]
    with ExitStack() as stack:
        branch = stack.enter_context(running(tmp_path / "branch", branch_profile(starts)))
        failing = stack.enter_context(running(tmp_path / "b", site_profile_for("1102", branch.url, starts, seats=1),
                                              chain=True))
        submit(failing, report(tmp_path, "1102", "B-01", memory_gib=4))
        doc = wait_for(branch, lambda r: r["1102"]["reports"] == 1)
        rows = {s["id"]: s for s in doc["sites"]}
        assert rows["1102"]["status"] == "fail" and rows["1102"]["escalate"] is False
        assert rows["1103"]["escalate"] is False


def test_forged_replayed_malformed_and_flooding_pushes_are_refused(tmp_path):
    with running(tmp_path / "branch", branch_profile()) as branch:
        assert push(branch, hand_doc(), token="not-a-token-of-ours").status_code == 401
        assert push(branch, hand_doc(), token=KEY).status_code == 401  # the manager's key is no site's token
        forged = push(branch, hand_doc("1102"), token=TOKENS["1101"])
        assert forged.status_code == 403 and forged.json()["error_text"]["zh"]
        assert branch.store.sender_doc("1102") is None  # nothing of it kept
        now = datetime.now(timezone.utc)
        newer = hand_doc(sent=now.isoformat(timespec="seconds"), seq=5)
        assert push(branch, newer).status_code == 201
        older = hand_doc(status="fail", sent=(now - timedelta(minutes=10)).isoformat(timespec="seconds"), seq=4)
        replay = push(branch, older)
        assert replay.status_code == 200 and replay.json()["stored"] == "older"
        assert {s["id"]: s for s in branch_doc(branch)["sites"]}["1101"]["status"] == "pass"  # older never beats newer
        ahead = hand_doc(sent=(now + timedelta(minutes=10)).isoformat(timespec="seconds"))
        r = push(branch, ahead)
        assert r.status_code == 400 and "ahead" in r.json()["error"]
        for body in (b"{", b"[]", b'{"schema": "readiness.site/1"}', b"\xff\xfe"):
            r = requests.post(branch.url + "/api/sites", data=body, timeout=10,
                              headers={"Authorization": f"Bearer {TOKENS['1101']}"})
            assert r.status_code == 400 and r.json()["error_text"]["en"], body
        bomb = gzip.compress(b" " * (80 * 2**20))  # 80 MB of spaces in 80 KB
        r = requests.post(branch.url + "/api/sites", data=bomb, timeout=30,
                          headers={"Authorization": f"Bearer {TOKENS['1101']}", "Content-Encoding": "gzip"})
        assert r.status_code == 413
        huge = _answer_to_the_head(branch.url, "/api/sites", 5 * 2**20, {"Authorization": f"Bearer {TOKENS['1103']}"})
        assert huge == 413  # read before any of the body is sent: no race with the server closing
        r = push(branch, hand_doc(seq=6), gz=True)  # gzip, as sites send
        assert r.status_code == 201
        codes = [push(branch, hand_doc("1103", seq=i), token=TOKENS["1103"]).status_code for i in range(1, 16)]
        assert 429 in codes and codes[0] in (200, 201)
        assert branch.store.integrity() == "ok"


def _answer_to_the_head(url: str, path: str, length: int, headers: dict[str, str]) -> int:
    """The status a server gives a POST whose head announces `length` bytes, read before a byte of
    the body is sent (a client that sends while the server answers 413 and closes may see its
    answer cut off, on a loaded machine: the flake of issue 28 item 19)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("POST", path)
        for key, value in {**headers, "Content-Type": "application/json", "Content-Length": str(length)}.items():
            conn.putheader(key, value)
        conn.endheaders()  # the head only
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_branch_restarted_mid_morning_keeps_what_it_had(tmp_path):
    with running(tmp_path / "branch", branch_profile()) as branch:
        assert push(branch, hand_doc(status="warn")).status_code == 201
    with running(tmp_path / "branch", branch_profile()) as branch:
        rows = {s["id"]: s for s in branch_doc(branch)["sites"]}
        assert rows["1101"]["status"] == "warn" and rows["1101"]["last_seen"] is not None
        page = requests.get(branch.url + "/api/branch/sites/1101", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
        assert page.status_code == 200 and page.json()["sender"]["id"] == "1101"


def test_the_site_keeps_its_document_while_the_branch_is_away(tmp_path):
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://127.0.0.1:{port}"
    with running(tmp_path / "a", site_profile_for("1101", url), chain=True) as site:
        submit(site, report(tmp_path, "1101", "A-01"))
        deadline = time.monotonic() + 10
        while not site.store.upstream_state()["pending"] or site.store.upstream_state()["last_error"] is None:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        state = requests.get(site.url + "/api/state", headers=site.manager_headers(), timeout=10).json()
        assert state["upstream"][0]["pending"] is True and "cannot be reached" in state["upstream"][0]["error"]["en"]
        assert "无法连接" in state["upstream"][0]["error"]["zh"]
        with running(tmp_path / "branch", branch_profile(), port=port) as branch:  # the branch comes up
            doc = wait_for(branch, lambda r: r["1101"]["reports"] == 1, timeout=20)
            assert {s["id"]: s for s in doc["sites"]}["1101"]["missing"] == 1  # the document kept, then delivered
            deadline = time.monotonic() + 10
            while site.store.upstream_state()["pending"]:
                assert time.monotonic() < deadline
                time.sleep(0.1)


def test_headquarters_is_a_branch_of_branches(tmp_path):
    hq_profile = build_profile({"branch": {"id": "HQ", "name": "总部", "sites": dict(HQ_TOKENS), "branches": ["11"]}}, CORE_SETTINGS)
    with ExitStack() as stack:
        hq = stack.enter_context(running(tmp_path / "hq", hq_profile))
        mid = build_profile({"branch": {"id": "11", "name": "北区分部", "sites": dict(TOKENS)},
                             "upstream": {"url": hq.url, "token": HQ_TOKENS["11"], "heartbeat_s": 5}}, CORE_SETTINGS)
        branch = stack.enter_context(running(tmp_path / "branch", mid, chain=True))
        site = stack.enter_context(running(tmp_path / "a", site_profile_for("1101", branch.url), chain=True))
        submit(site, report(tmp_path, "1101", "A-01"))
        submit(site, report(tmp_path, "1101", "A-02"))
        wait_for(branch, lambda r: r["1101"]["reports"] == 2)
        doc = wait_for(hq, lambda r: r["11"]["reports"] == 2, timeout=20)
        row = doc["sites"][0]
        assert row["kind"] == "branch" and row["status"] == "error"  # two of its sites never heard from
        assert row["unheard"] == 2 and row["name"] == "北区分部"
        assert row["rehearsal"] == {"sites": 3, "rehearsed": 0}


def test_a_server_that_is_a_site_and_its_own_branch(tmp_path):
    both = build_profile({"site": {"id": "1101", "name": "A", "seats": 1},
                          "branch": {"id": "11", "name": "北区", "sites": dict(TOKENS)}}, CORE_SETTINGS)
    with running(tmp_path / "both", both, chain=True) as server:
        submit(server, report(tmp_path, "1101", "A-01"))
        doc = wait_for(server, lambda r: r["1101"]["reports"] == 1)
        row = {s["id"]: s for s in doc["sites"]}["1101"]
        assert (row["status"], row["missing"], row["seats_expected"]) == ("warn", 1, 2)  # as its own site view says
        site = requests.get(server.url + "/api/site", headers=server.manager_headers(), timeout=10).json()
        assert site["sites"][0]["missing"] == 1 and site["status"] == "warn"


def test_a_site_server_is_not_a_branch(tmp_path, profile):
    with running(tmp_path / "site", profile) as site:
        assert push(site, hand_doc()).status_code == 404
        assert requests.get(site.url + "/api/branch", headers=site.manager_headers(), timeout=10).status_code == 404


def test_the_manager_ticks_the_invigilators_for_the_next_start(tmp_path):
    starts = [iso_in(3 * 86400)]
    p = build_profile({"site": {"id": "1101", "seats": 1}, "exam": {"starts_at": starts}}, CORE_SETTINGS)
    with running(tmp_path / "site", p) as site:
        h = site.manager_headers()
        state = requests.get(site.url + "/api/state", headers=h, timeout=10).json()
        item = next(d for d in state["exam"]["deadlines"] if d["id"] == "invigilators")
        assert item["state"] == "open"
        r = requests.post(site.url + "/api/exam/ticks", json={"item": "invigilators", "done": True}, headers=h, timeout=10)
        assert r.status_code == 200 and r.json()["start"] == state["exam"]["next_start"]
        state = requests.get(site.url + "/api/state", headers=h, timeout=10).json()
        item = next(d for d in state["exam"]["deadlines"] if d["id"] == "invigilators")
        assert item["state"] == "done" and item["done_at"] == r.json()["at"]
        for bad in ({"item": "phones", "done": True}, {"item": "invigilators", "done": "yes"}, [], None):
            assert requests.post(site.url + "/api/exam/ticks", json=bad, headers=h, timeout=10).status_code == 400
        cookie = requests.post(site.url + "/api/exam/ticks", json={"item": "invigilators", "done": False},
                               cookies={"readiness_key": KEY}, timeout=10)
        assert cookie.status_code == 403  # a cookie alone (another site's form) changes nothing
        assert requests.post(site.url + "/api/exam/ticks", json={"item": "invigilators", "done": False},
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).status_code == 401


def test_an_unforeseen_shape_is_a_400_noted_on_the_row_and_the_page_never_a_500(tmp_path):
    with running(tmp_path / "branch", branch_profile()) as branch:
        doc = hand_doc()
        doc["sites"][0]["findings"] = 5
        r = push(branch, doc)
        assert r.status_code == 400 and "findings" in r.json()["error"]
        row = {s["id"]: s for s in branch_doc(branch)["sites"]}["1101"]
        assert "findings" in row["refused"]["reason"]["en"] and row["refused"]["reason"]["zh"]
        doc = hand_doc(seq=2)
        doc["sites"][0]["checks"] = {"memory": {"fail": 1}}
        doc["sites"][0]["machines"] = [{"hostname": "PC", "status": "fail",
                                        "problems": [{"check": ["memory"], "status": "fail"}] * 500}]
        assert push(branch, doc).status_code == 201
        page = requests.get(branch.url + "/branch/sites/1101", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
        assert page.status_code == 200 and page.text.count("[&#39;memory&#39;]:") == 50  # a machine's problems bounded (escaped: ' is &#39;)


def test_the_page_of_a_document_says_what_the_door_made_of_it(tmp_path):
    from readiness.branch.chain import branch_document
    from readiness.core.exam import Timeline

    hq = build_profile({"branch": {"id": "HQ", "name": "总部", "sites": dict(HQ_TOKENS), "branches": ["11"]}}, CORE_SETTINGS)
    with running(tmp_path / "hq", hq) as server:
        now = datetime.now(timezone.utc)
        doc = branch_document("11", "北区", [], now.timestamp(), Timeline(()),
                              {"kind": "branch", "id": "11", "name": "北区", "heartbeat_s": 60,
                               "sent_at": now.isoformat(timespec="seconds"), "seq": 1})
        doc["status"] = "pass"  # what it claims of itself, with no site at all
        assert push(server, doc, token=HQ_TOKENS["11"]).status_code == 201
        page = requests.get(server.url + "/branch/sites/11?lang=en", headers={"Authorization": f"Bearer {KEY}"},
                            timeout=10)
        assert 'data-status="error"' in page.text and 'id="verdict" data-status="pass"' not in page.text


def test_the_branch_page_without_the_key_is_a_login_that_comes_back(tmp_path):
    with running(tmp_path / "branch", branch_profile()) as branch:
        page = requests.get(branch.url + "/branch", timeout=10)
        assert page.status_code == 401 and 'action="/branch"' in page.text
        back = requests.get(branch.url + f"/branch?key={KEY}", allow_redirects=False, timeout=10)
        assert back.status_code == 303 and back.headers["location"] == "/branch"
        assert back.cookies.get("readiness_key") == KEY
        wrong = requests.get(branch.url + "/branch?key=not-the-key", allow_redirects=False, timeout=10)
        assert wrong.status_code == 401 and 'action="/branch"' in wrong.text and "not right" in requests.get(
            branch.url + "/branch?key=not-the-key&lang=en", timeout=10).text
        old = requests.get(branch.url + f"/?key={KEY}&next=branch", allow_redirects=False, timeout=10)  # a form of 0.2
        assert old.status_code == 303 and old.headers["location"] == "/branch"
        elsewhere = requests.get(branch.url + f"/?key={KEY}&next=https://evil.example/", allow_redirects=False,
                                 timeout=10)
        assert elsewhere.headers["location"] == "/branch"  # a name, never an address: a branch only's home


def test_a_newer_sites_document_is_kept_and_a_new_major_one_refused_with_the_advice(tmp_path):
    """A site server of a newer minor version (checks and fields this branch does not know) counts as it
    judged itself, and its version shows on its row; readiness.site/2 is refused with what to update."""
    newer = hand_doc(status="fail")
    newer["tool"] = {"name": "exam-readiness", "version": "0.9.0"}
    newer["sites"][0].update(checks={"usb-ports": {"fail": 2}}, titles={"usb-ports": {"en": "USB ports", "zh": "USB"}},
                             quarantine={"new": True})
    newer["signed"] = {"by": "x"}
    major = hand_doc(seq=2)
    major.update(schema="readiness.site/2", tool={"name": "exam-readiness", "version": "1.0.0"})
    with running(tmp_path / "branch", branch_profile()) as branch:
        assert push(branch, newer).status_code == 201
        row = {s["id"]: s for s in branch_doc(branch)["sites"]}["1101"]
        assert row["status"] == "fail" and row["tool_version"] == "0.9.0"
        refused = push(branch, major)
        text = branch.url and requests.get(branch.url + "/download/branch.text", timeout=10,
                                           headers={"Authorization": f"Bearer {KEY}"}).text
    assert refused.status_code == 400
    assert refused.json()["error"] == "this server reads readiness.site/1: update the branch server " \
                                      "(readiness 1.0.0 or later)"
    assert refused.json()["error_text"]["zh"] == "本服务器只能读取 readiness.site/1：请更新分部服务器（readiness 1.0.0 或更新版本）"
    assert "服务器 readiness 版本 0.9.0" in text


@pytest.mark.parametrize("pcs, state", [(1, "open"), (2, "done"), (3, "open")])  # under, at, over the seats
def test_every_seat_reported_is_ticked_only_when_the_pcs_match_the_seats(tmp_path, pcs, state):
    """Issue 28 item 5: 3 PCs for 2 seats is not 'every seat reported' (the document a branch
    reads and signs carries the same deadline)."""
    p = build_profile({"site": {"id": "1101", "seats": 2}, "exam": {"starts_at": [iso_in(3 * 86400)]}}, CORE_SETTINGS)
    prof = site_profile(tmp_path, seats=2)
    with running(tmp_path / "site", p) as site:
        for i in range(pcs):
            body = make_report(tmp_path / "r", f"PC-0{i}", prof).read_bytes()
            r = requests.post(site.url + "/api/reports", data=body, timeout=10,
                              headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
            assert r.status_code == 201
        state_doc = requests.get(site.url + "/api/state", headers=site.manager_headers(), timeout=10).json()
    item = next(d for d in state_doc["exam"]["deadlines"] if d["id"] == "seats_reported")
    assert item["state"] == state
    if pcs > 2:
        assert any("3 PCs reported for 2 seats" in f["message"]["en"] for f in state_doc["sites"][0]["findings"])
