"""The level above's door (branch.read_document), its rows and its verdict, without a server."""

from __future__ import annotations

import copy
import math

import pytest

from readiness.branch.chain import (BRANCH_SCHEMA, SITE_SCHEMA, BranchView, DocumentError, Received, branch_document,
                              check_clock, level_status, read_document, read_file, row_for)
from readiness.core.exam import Timeline
from readiness.core.times import iso

NOW = 1_800_000_000.0


def site_doc(site_id="1101", status="pass", reports=3, seats=3, sent=NOW, seq=1, heartbeat=60.0, **extra):
    doc = {"schema": SITE_SCHEMA, "generated_at": iso(sent), "status": status,
           "sites": [{"site": {"id": site_id, "name": "A", "seats": seats}, "status": status, "reports": reports,
                      "findings": [{"status": "fail", "message": {"en": "short", "zh": "不足"}}]}],
           "sender": {"kind": "site", "id": site_id, "name": "Site A", "seats": seats, "heartbeat_s": heartbeat,
                      "sent_at": iso(sent), "seq": seq}}
    doc.update(extra)
    return doc


def test_a_site_document_is_summarised():
    got = read_document(site_doc(reports=2, seats=5))
    assert (got.kind, got.id, got.name, got.status, got.reports, got.seats_expected, got.missing) == \
        ("site", "1101", "Site A", "pass", 2, 5, 3)
    assert got.findings[0]["message"] == {"en": "short", "zh": "不足"}


def test_a_site_with_no_report_yet_cannot_be_called_ready():
    doc = site_doc()
    doc["sites"] = []
    assert read_document(doc).status == "error"


def _set(path, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return doc
    return change


def _drop(path):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return doc
    return change


@pytest.mark.parametrize("change, words", [
    (_set(("schema",), "readiness.site/2"), "this server reads readiness.site/1: update the branch server"),
    (_drop(("sender",)), "sender"),
    (_set(("sender", "kind"), "branch"), "sender.kind"),
    (_set(("sender", "id"), ""), "sender.id"),
    (_set(("sender", "id"), " 1101"), "sender.id"),
    (_set(("sender", "id"), "x" * 65), "sender.id"),
    (_set(("sender", "id"), 1101), "sender.id"),
    (_set(("sender", "sent_at"), "2026-12-05T08:30:00"), "sent_at"),  # no offset: another moment in each zone
    (_set(("sender", "seq"), -1), "seq"),
    (_set(("sender", "seq"), True), "seq"),
    (_set(("sender", "heartbeat_s"), 4.9), "heartbeat_s"),
    (_set(("sender", "heartbeat_s"), 3600.1), "heartbeat_s"),
    (_set(("sender", "heartbeat_s"), math.nan), "heartbeat_s"),
    (_set(("sites", 0, "site", "seats"), "50"), "seats"),
    (_set(("status",), "ready"), "status"),
    (_set(("sites",), {}), "sites"),
    (_set(("sites",), ["x"]), "sites[]"),
    (_set(("sites", 0, "reports"), -3), "reports"),
    (_set(("exam",), []), "exam"),
    (_set(("exam",), {"starts_at": ["tomorrow"]}), "starts_at"),
    (_set(("exam",), {"escalate_before_s": math.inf}), "escalate_before_s"),
])
def test_the_door_refuses_what_is_not_a_senders_document(change, words):
    with pytest.raises(DocumentError) as refused:
        read_document(change(copy.deepcopy(site_doc())))
    assert words in refused.value.reason.en and refused.value.reason.zh


@pytest.mark.parametrize("doc", [None, [], "x", 3, {"schema": None}])
def test_not_an_object_or_no_schema(doc):
    with pytest.raises(DocumentError):
        read_document(doc)


@pytest.mark.parametrize("ahead, refused", [(299.0, False), (300.0, False), (301.0, True)])  # documents carry whole seconds
def test_a_clock_ahead_of_ours_is_refused(ahead, refused):
    got = read_document(site_doc(sent=NOW + ahead))
    if refused:
        with pytest.raises(DocumentError) as e:
            check_clock(got, NOW)
        assert "ahead" in e.value.reason.en and "快" in e.value.reason.zh
    else:
        check_clock(got, NOW)


@pytest.mark.parametrize("have, got, newer", [
    ((NOW, 5), (NOW, 6), True),  # the next one within the same second
    ((NOW, 5), (NOW + 1, 6), True),
    ((NOW, 5), (NOW, 5), False),  # the same document again
    ((NOW, 5), (NOW - 600, 4), False),  # a replayed old document: older by both
    ((NOW + 200, 5), (NOW, 6), True),  # the sender's clock was set back: it still counts up
    ((NOW, 50), (NOW + 10, 1), True),  # the sender started afresh in a new data folder: its time goes on
    ((NOW, 50), (NOW - 10, 1), False),  # a second server with the same token, behind the first
])
def test_older_never_beats_newer(have, got, newer):
    kept, offered = (read_document(site_doc(sent=s, seq=q)) for s, q in (have, got))
    assert offered.newer_than(kept) is newer
    view = BranchView({"1101": ""}, Timeline(()))
    assert view.offer(kept, NOW)
    assert view.offer(offered, NOW + 1) is newer
    assert view.latest("1101") is (offered if newer else kept)


def test_the_summary_survives_the_store():
    got = read_document(site_doc(exam={"starts_at": ["2027-01-01T08:30:00+08:00"], "deadlines": []},
                                 rehearsal={"id": 2, "state": "done", "finished": 3, "p95_s": 41.5}))
    assert Received.from_json(got.to_json()) == got


def test_rows_are_listed_for_every_expected_sender_and_sorted_act_first():
    start = NOW + 100  # inside the 300 s window
    view = BranchView({"1101": "A", "1102": "B", "1103": "C", "1104": "D"}, Timeline((start,)))
    exam = {"starts_at": [iso(start)]}
    view.offer(read_document(site_doc("1101", "pass", exam=exam)), NOW)
    view.offer(read_document(site_doc("1102", "fail", exam=exam)), NOW)
    view.offer(read_document(site_doc("1104", "warn", heartbeat=5, exam=exam)), NOW - 16)  # silent for 3 heartbeats
    rows = {r.id: r for r in view.rows(NOW)}
    assert rows["1103"].received is None and rows["1103"].last_seen_s is None
    assert rows["1103"].escalate  # never heard from, inside the window of the branch's own timeline
    assert rows["1102"].escalate and not rows["1101"].escalate
    assert rows["1104"].stale and not rows["1104"].escalate  # its last word (after the window opened) said ready
    order = [r.id for r in view.rows(NOW)]
    assert order.index("1101") == 3 and set(order[:2]) == {"1102", "1103"}
    doc = branch_document("11", "Branch", view.rows(NOW), NOW, view.timeline)
    assert doc["schema"] == BRANCH_SCHEMA and doc["status"] == "fail" and doc["escalating"] == 2 and doc["silent"] == 2
    assert [s["id"] for s in doc["sites"]] == order
    never = next(s for s in doc["sites"] if s["id"] == "1103")
    assert never["last_seen"] is None and never["status"] is None and never["verdict"]["en"] == "NEVER HEARD FROM"


@pytest.mark.parametrize("statuses, verdict", [
    ([], "error"), (["pass"], "pass"), (["pass", "warn"], "warn"), (["pass", None], "error"), (["warn", "fail"], "fail"),
])
def test_the_levels_verdict(statuses, verdict):
    rows = []
    for i, status in enumerate(statuses):
        got = None if status is None else read_document(site_doc(str(i), status))
        rows.append(row_for(str(i), "", got, None if got is None else NOW, NOW, Timeline(())))
    assert level_status(rows) == verdict


def test_headquarters_reads_a_branch_document_by_the_same_door():
    view = BranchView({"1101": "", "1102": ""}, Timeline((NOW + 100,)))
    view.offer(read_document(site_doc("1101", "pass", reports=46, seats=50,  # 4 missing: under the share
                                      rehearsal={"state": "done", "finished": 46})), NOW)
    doc = branch_document("11", "North", view.rows(NOW), NOW, view.timeline,
                          {"kind": "branch", "id": "11", "name": "North", "heartbeat_s": 60, "sent_at": iso(NOW),
                           "seq": 1})
    got = read_document(doc)
    assert (got.kind, got.id, got.status, got.reports, got.seats_expected, got.escalating, got.unheard) == \
        ("branch", "11", "error", 46, None, 1, 1)  # 1102 never heard from: its seats unknown, escalated
    assert got.rehearsal == {"sites": 2, "rehearsed": 1}
    row = row_for("11", "", got, NOW, NOW, Timeline(()))
    assert row.escalate  # a branch with an escalated site escalates at headquarters


def test_files_without_a_sender_count_by_their_own_time():
    doc = site_doc()
    del doc["sender"]
    doc["sites"].append({"site": {"id": "1102", "name": "B", "seats": 10}, "status": "fail", "reports": 4})
    rows = read_file(doc)
    assert [(r.id, r.status, r.reports, r.missing) for r in rows] == [("1101", "pass", 3, 0), ("1102", "fail", 4, 6)]
    assert rows[0].sent_s == NOW
    doc["sites"][0]["site"]["id"] = ""
    with pytest.raises(DocumentError, match="without an id"):
        read_file(doc)


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T00:00:00Z"])
def test_an_instant_outside_an_exam_days_range_is_refused_at_the_door(when):
    with pytest.raises(DocumentError):
        read_document(site_doc(exam={"starts_at": [when]}))
    doc = site_doc()
    doc["sender"]["sent_at"] = when
    with pytest.raises(DocumentError):
        read_document(doc)


def test_a_site_cannot_pose_as_a_ready_branch():
    doc = branch_document("1101", "x", [], NOW, Timeline(()),
                          {"kind": "branch", "id": "1101", "name": "x", "heartbeat_s": 60, "sent_at": iso(NOW), "seq": 1})
    doc["status"] = "pass"  # what it claims
    assert read_document(doc).status == "error"  # a branch of no sites: nobody can say it is ready


def _one_row_branch(**row):
    doc = branch_document("1101", "x", [], NOW, Timeline(()),
                          {"kind": "branch", "id": "1101", "name": "x", "heartbeat_s": 60, "sent_at": iso(NOW), "seq": 1})
    doc["sites"] = [{"id": "1102", "status": "pass", "reports": 3, "seats_expected": 3, "missing": 0,
                     "last_seen": iso(NOW), "stale": False, **row}]
    return read_document(doc)


@pytest.mark.parametrize("escalating, status", [(0, "pass"), (1, "fail"), (2, "fail"), (True, "pass"), ("1", "pass")])
def test_a_rows_escalating_counts_only_as_a_count(escalating, status):
    # the shared reading rule (readiness.core.reading.count: True is no count). Before the door was
    # typed, `escalating: true` counted as escalated; no level writes it (rows carry a number), so
    # it is a malformed row, and a sender could as well write 0: the count is what is read.
    assert _one_row_branch(escalating=escalating).status == status


@pytest.mark.parametrize("finished, rehearsed", [(0, 0), (1, 1), (True, 0), (2.0, 0)])
def test_a_rows_round_counts_as_rehearsed_by_its_finished_seats(finished, rehearsed):
    # as above: `finished: true` is no count of seats (before, it counted as rehearsed)
    got = _one_row_branch(rehearsal={"state": "done", "finished": finished})
    assert got.rehearsal == {"sites": 1, "rehearsed": rehearsed}


def test_a_site_cannot_leave_its_branchs_exam_day():
    start = NOW + 100
    got = read_document(site_doc(status="fail", exam={"starts_at": [iso(NOW + 86400)], "escalate_before_s": 0,
                                                      "duration_s": 60}))
    row = row_for("1101", "", got, NOW, NOW, Timeline((start,), 300.0))
    assert row.escalate and row.next_exam_s == start


def test_a_sender_taken_out_of_the_profile_is_no_longer_listed():
    view = BranchView({"1101": ""}, Timeline(()))
    view.load([("1101", NOW, read_document(site_doc("1101"))), ("1199", NOW, read_document(site_doc("1199")))])
    assert [r.id for r in view.rows(NOW)] == ["1101"]


def test_a_refusal_shows_on_the_senders_row_until_a_document_is_taken():
    from readiness.core.i18n import Text

    view = BranchView({"1101": ""}, Timeline(()))
    view.refuse("1101", NOW, Text("clock ahead", "时钟快"))
    assert view.rows(NOW)[0].to_json()["refused"]["reason"] == {"en": "clock ahead", "zh": "时钟快"}
    view.offer(read_document(site_doc()), NOW)
    assert view.rows(NOW)[0].to_json()["refused"] is None


@pytest.mark.parametrize("have, got, newer", [
    ((NOW - 600, 5, "pass"), (NOW - 60, 0, "fail"), True),  # a later download beats an earlier push, whatever its count
    ((NOW - 60, 0, "fail"), (NOW - 600, 5, "pass"), False),
    ((NOW, 0, "pass"), (NOW, 0, "fail"), True),  # two files of one moment: the worse one counts
    ((NOW, 0, "fail"), (NOW, 0, "pass"), False),
])
def test_files_without_a_senders_count_compare_by_time(have, got, newer):
    kept, offered = (read_document(site_doc(status=st, sent=t, seq=q)) for t, q, st in (have, got))
    assert offered.newer_than(kept) is newer


def test_findings_of_another_shape_are_refused_naming_the_field():
    doc = site_doc()
    doc["sites"][0]["findings"] = 5
    with pytest.raises(DocumentError, match="findings"):
        read_document(doc)


def test_a_file_without_a_sender_is_read_as_its_own_typed_sender():
    """A site file names its sites and a branch file itself: each row's sender is built from the
    file's own fields (no heartbeat promised, no sequence), the names cleaned as at the push door."""
    doc = site_doc()
    del doc["sender"]
    doc["sites"][0]["site"]["name"] = "A\x1b[2J"
    doc["sites"].append({"site": {"id": "1102", "name": "B", "seats": 10}, "status": "fail", "reports": 0})
    rows = read_file(doc)
    assert [(r.kind, r.id, r.seq, r.heartbeat_s, r.sent_s) for r in rows] == [("site", "1101", 0, 60.0, NOW),
                                                                             ("site", "1102", 0, 60.0, NOW)]
    assert "\x1b" not in rows[0].name
    view = BranchView({}, Timeline(()))
    view.offer(read_document(site_doc()), NOW)
    branch = branch_document("11", "North\x07", view.rows(NOW), NOW, view.timeline)
    got = read_file(branch)
    assert [(r.kind, r.id, r.seq, r.heartbeat_s, r.sent_s) for r in got] == [("branch", "11", 0, 60.0, NOW)]
    assert "\x07" not in got[0].name


@pytest.mark.parametrize("where, value, said", [
    ("site", " 1101", "sites[].site.id"), ("site", 1101, "sites[].site.id"), ("site", "x" * 65, "sites[].site.id"),
    ("branch", " 11", "id: "), ("branch", None, "id: "),
])
def test_a_files_bad_id_is_refused_naming_the_field_the_file_has(where, value, said):
    if where == "site":
        doc = site_doc()
        del doc["sender"]
        doc["sites"][0]["site"]["id"] = value
    else:
        view = BranchView({}, Timeline(()))
        view.offer(read_document(site_doc()), NOW)
        doc = branch_document("11", "North", view.rows(NOW), NOW, view.timeline)
        doc["id"] = value
    with pytest.raises(DocumentError) as refused:
        read_file(doc)
    assert said in refused.value.reason.en and "sender" not in refused.value.reason.en
    assert said.rstrip(": ") in refused.value.reason.zh


def test_a_pushed_site_before_any_report_counts_the_seats_its_sender_names():
    doc = site_doc(seats=12)
    doc["sites"] = []  # a site server that no PC has reached yet
    got = read_document(doc)
    assert (got.status, got.reports, got.seats_expected, got.missing) == ("error", 0, 12, 12)
    doc["sender"]["seats"] = "twelve"
    with pytest.raises(DocumentError, match="sender.seats"):
        read_document(doc)
    del doc["sender"]["seats"]
    assert read_document(doc).seats_expected is None
