"""What a hostile pass over the branch and headquarters broke (issue 27), with real servers on
127.0.0.1: wrong tokens beside valid sites, escalation up to headquarters with only the sites'
exam starts, a branch of thousands of rows taken by headquarters, a site token that is one of the
branch's own secrets, branch documents from a site's token."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

import orjson
import pytest
import requests

from readiness.branch.chain import BranchView, branch_document, now_s, read_document
from readiness.core.exam import SiteFacts, Timeline, exam_section, iso
from readiness.core.profile import build_profile
from readiness.core.settings import CORE_SETTINGS
from tests.serve.server import KEY, PHONE_TOKEN, TOKEN, running
from tests.serve.test_branch import (TOKENS, branch_doc, hand_doc, push, quick_senders,  # noqa: F401  (autouse)
                                     report, site_profile_for, submit, wait_for)


def branch_profile(**branch):
    return build_profile({"branch": {"id": "11", "name": "北区分部", "sites": dict(TOKENS), **branch}}, CORE_SETTINGS)


def test_wrong_tokens_never_shut_out_valid_sites_behind_the_same_address(tmp_path):
    """A bogus token every so often from 127.0.0.1 (a mistyped neighbour, a guesser): every valid
    push from that same address is taken; the guesser is still told to wait."""
    with running(tmp_path / "branch", branch_profile()) as branch:
        bogus_codes: list[int] = []
        stop = threading.Event()

        def guesser() -> None:
            while not stop.is_set():
                bogus_codes.append(push(branch, hand_doc(), token="guessed-token-0000").status_code)
                time.sleep(0.05)

        thread = threading.Thread(target=guesser, daemon=True)
        started = time.monotonic()
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while 429 not in bogus_codes:  # the address is past its allowance of wrong tokens
                assert time.monotonic() < deadline, bogus_codes
                time.sleep(0.05)
            codes = []
            for seq in range(1, 11):
                codes.append(push(branch, hand_doc("1102", seq=seq), token=TOKENS["1102"]).status_code)
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(10)
        assert codes == [201] * 10
        elapsed = time.monotonic() - started
        # the limit on guessing stays: the allowance, plus what refills at 30 a minute while the test ran
        # (a loaded machine runs it longer); without a limit a guess every 0.05 s gets dozens of 401s
        assert set(bogus_codes) == {401, 429} and bogus_codes.count(401) <= 11 + int(elapsed / 2), elapsed
        assert {s["id"]: s for s in branch_doc(branch)["sites"]}["1102"]["status"] == "pass"


def test_headquarters_escalates_a_branch_when_only_its_sites_list_the_exam(tmp_path):
    """Neither the branch nor headquarters has [exam]: the sites' starts and escalations reach the top."""
    starts = [iso(now_s() + 120)]  # inside the plan's 5 minutes
    hq_profile = build_profile({"branch": {"id": "HQ", "name": "总部", "sites": {"11": "branch-11-token"},
                                           "branches": ["11"]}}, CORE_SETTINGS)
    with ExitStack() as stack:
        hq = stack.enter_context(running(tmp_path / "hq", hq_profile))
        mid = build_profile({"branch": {"id": "11", "name": "北区分部", "sites": dict(TOKENS)},
                             "upstream": {"url": hq.url, "token": "branch-11-token", "heartbeat_s": 5}}, CORE_SETTINGS)
        branch = stack.enter_context(running(tmp_path / "branch", mid, chain=True))
        failing = stack.enter_context(running(tmp_path / "b", site_profile_for("1102", branch.url, starts, seats=1),
                                              chain=True))
        submit(failing, report(tmp_path, "1102", "B-01", memory_gib=4))
        wait_for(branch, lambda r: r["1102"]["escalate"] is True)
        doc = wait_for(hq, lambda r: r["11"]["escalate"] is True, timeout=20)
        row = doc["sites"][0]
        assert row["id"] == "11" and row["next_exam_at"] == starts[0]
        assert row["escalate_reason"]["en"] and row["escalate_reason"]["zh"]
        assert doc["escalating"] == 1 and doc["counts"]["pass"] == 0


def ordinary_site(site_id: str, sent: float) -> dict:
    """A site's document as its server sends it: the plan's five deadlines, two findings."""
    doc = hand_doc(site_id, "warn", sent=iso(sent))
    doc["sites"][0]["findings"] = [
        {"status": "warn", "message": {"en": "3 PCs: the MSYH font is missing from C:\\Windows\\Fonts",
                                       "zh": "3 台考试机：C:\\Windows\\Fonts 中缺少微软雅黑字体"}},
        {"status": "warn", "message": {"en": "the exam client on 2 PCs is 1.2.0-3, not 1.2.1-0",
                                       "zh": "2 台考试机的考试客户端为 1.2.0-3，而非 1.2.1-0"}}]
    doc["exam"] = exam_section(Timeline((sent + 86400,)), SiteFacts(True, False, None, None, False), sent)
    doc["rehearsal"] = {"id": 3, "state": "done", "expected": 50, "joined": 50, "finished": 50, "failed": 0,
                        "p50_s": 41.0, "p95_s": 55.2, "max_s": 61.0, "plan_s": 80, "throughput_mbps": 95.1}
    return doc


def test_headquarters_takes_a_branch_of_5700_ordinary_sites_and_one_of_hostile_rows(tmp_path):
    from dataclasses import replace

    now = now_s()
    one = read_document(ordinary_site("S00000", now))
    view = BranchView({f"S{i:05d}": f"学习中心 {i}" for i in range(5700)}, Timeline(()))
    for sid in view.expected:
        view.offer(replace(one, id=sid), now)
    sender = {"kind": "branch", "id": "11", "name": "北区分部", "heartbeat_s": 60, "sent_at": iso(now), "seq": 1}
    big = branch_document("11", "北区分部", view.rows(now), now, view.timeline, sender)
    hq_profile = build_profile({"branch": {"id": "HQ", "sites": {"11": "branch-11-token"}, "branches": ["11"]}},
                               CORE_SETTINGS)
    with running(tmp_path / "hq", hq_profile) as hq:
        r = push(hq, big, token="branch-11-token", gz=True)
        assert r.status_code == 201, r.text
        row = branch_doc(hq)["sites"][0]
        assert row["reports"] == 2 * 5700 and row["status"] == "warn"
        from tests.branch.test_hostile import hostile_doc

        hostile = read_document(hostile_doc("S00000"))
        for sid in list(view.expected)[:3000]:
            view.offer(replace(hostile, id=sid, seq=2, sent_s=now + 1), now + 1)
        sender = {**sender, "seq": 2, "sent_at": iso(now + 1)}
        worse = branch_document("11", "北区分部", view.rows(now + 1), now + 1, view.timeline, sender)
        r = push(hq, worse, token="branch-11-token", gz=True)
        assert r.status_code == 201, r.text
        assert branch_doc(hq)["sites"][0]["status"] == "fail"


@pytest.mark.parametrize("secret", ["token", "admin_key", "phone_token"])
def test_a_site_token_equal_to_one_of_the_branchs_own_secrets_is_refused_at_start(tmp_path, secret):
    """`readiness serve` itself, as a manager starts it: exit 2, naming the site and the secret."""
    import subprocess
    import sys

    values = {"token": TOKEN, "admin_key": KEY, "phone_token": PHONE_TOKEN}
    sites = "".join(f'"{k}" = "{v}"\n' for k, v in {**TOKENS, "1104": values[secret]}.items())
    prof = tmp_path / "branch.toml"
    prof.write_text(f'[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\nphone_token = "{PHONE_TOKEN}"\n'
                    f'[branch]\nid = "11"\n[branch.sites]\n{sites}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "readiness", "serve", "--profile", str(prof), "--data",
                           str(tmp_path / "data"), "--host", "127.0.0.1", "--port", "0", "--lang", "en"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "1104" in done.stdout + done.stderr
    assert f"server.{secret}" in done.stdout + done.stderr


def test_a_sites_token_cannot_post_a_branch_document(tmp_path):
    with running(tmp_path / "branch", branch_profile()) as branch:
        assert push(branch, hand_doc()).status_code == 201
        view = BranchView({"1101": ""}, Timeline(()))
        view.offer(read_document(hand_doc()), now_s())
        forged = branch_document("1101", "Branch READY", view.rows(now_s()), now_s(), view.timeline,
                                 {"kind": "branch", "id": "1101", "name": "x", "heartbeat_s": 60,
                                  "sent_at": iso(now_s()), "seq": 9})
        r = push(branch, forged)
        assert r.status_code == 403 and "branch" in r.json()["error_text"]["en"]
        row = {s["id"]: s for s in branch_doc(branch)["sites"]}["1101"]
        assert row["kind"] == "site" and row["refused"]["reason"]["zh"]


def test_a_branch_listing_a_branch_not_among_its_senders_does_not_start(tmp_path):
    from readiness.branch.chain import chain_problem

    problem = chain_problem(branch_profile(branches=["12"]))
    assert problem is not None and "12" in problem.en and "12" in problem.zh


def test_one_site_per_token_another_sites_section_is_left_out(tmp_path):
    with running(tmp_path / "branch", branch_profile()) as branch:
        doc = hand_doc("1101")
        doc["sites"].append({"site": {"id": "1102", "name": "B", "seats": 40}, "status": "pass", "reports": 40,
                             "findings": []})
        assert push(branch, doc).status_code == 201
        rows = {s["id"]: s for s in branch_doc(branch)["sites"]}
        assert (rows["1101"]["reports"], rows["1101"]["left_out"]) == (2, ["1102"])
        assert rows["1102"]["last_seen"] is None  # 1101's token never speaks for 1102


def test_a_small_document_never_waits_behind_another_senders_large_one(tmp_path):
    """Ingestion: while a large document of another sender is being parsed (the parsing slot
    taken) and one is being stored (its sender's lock held), a small document of another site is
    taken at once; the one ordering decision stays per sender."""
    import threading as th

    from readiness.serve import branch_routes

    with running(tmp_path / "branch", branch_profile()) as branch:
        view = branch.serving.branch
        assert push(branch, hand_doc("1102", seq=1), token=TOKENS["1102"]).status_code == 201
        with view._lock:
            storing = view._ingest.setdefault("1102", th.Lock())
        taken = [branch_routes._parsing.acquire(timeout=5)]
        storing.acquire()
        try:
            assert taken == [True]
            r = push(branch, hand_doc("1101"))  # on a single ingestion lock this waits for ever
            assert r.status_code == 201
            late = {}
            waiting = th.Thread(target=lambda: late.update(r=push(branch, hand_doc("1102", seq=2),
                                                                  token=TOKENS["1102"])))
            waiting.start()
            waiting.join(1.0)
            assert waiting.is_alive()  # 1102's own next document waits for 1102's document being stored
        finally:
            storing.release()
            for _ in taken:
                branch_routes._parsing.release()
        waiting.join(15)
        assert late["r"].status_code == 201


@pytest.mark.parametrize("path, token, size", [("/api/sites", TOKENS["1101"], 6 * 2**20),
                                               ("/api/reports", TOKEN, 3 * 2**20)])
def test_a_body_over_the_limit_without_expect_gets_its_413_not_a_reset(tmp_path, path, token, size):
    """A sender that sends a too-large body at once, without `Expect: 100-continue`: the server
    reads the rest and drops it, so the whole body goes out without a reset (on Windows a reset
    also drops the 413 already received), the 413 is read, and the connection goes on."""
    import socket
    from urllib.parse import urlsplit

    both = build_profile({"site": {"id": "1101"}, "branch": {"id": "11", "sites": dict(TOKENS)}}, CORE_SETTINGS)
    with running(tmp_path / "branch", both) as branch:  # a site and its branch: both doors
        parts = urlsplit(branch.url)
        sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
        try:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode())
            sock.sendall(b"x" * size)  # raised ConnectionResetError when the server closed at its 413
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                chunk = sock.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            sock.sendall(f"GET /api/branch HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {KEY}\r\n\r\n"
                         .encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")  # the same connection serves the next request
        finally:
            sock.close()
