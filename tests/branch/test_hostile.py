"""What the hostile pass over the branch found (issue 27), without a server: rows and documents
bounded, texts cleaned as names are, a branch escalating with its sites, missing seats escalating
(rule rows under, at, over), both next exams, one site per token, kinds as listed."""

from __future__ import annotations

import orjson
import pytest

from readiness.branch.chain import (DOCUMENT_BUDGET, MAX_TEXT, ROW_BUDGET, SITE_SCHEMA, BranchView, WrongSender,
                                    branch_document, check_kind, read_document, row_for)
from readiness.core import rules
from readiness.core.exam import SiteFacts, Timeline, exam_section, iso
from readiness.core.names import invisible
from readiness.serve.branch_routes import MAX_DOCUMENT

NOW = 1_800_000_000.0
HOSTILE = "\u202eEXE.1CP\x07\x1b[31m" + "长" * 1000  # direction mark, bell, escape, then 1,000 characters


def site_doc(site_id="1101", status="pass", reports=3, seats=3, sent=NOW, findings=(), deadlines=(), starts=(),
             sections=None, **exam):
    return {"schema": SITE_SCHEMA, "generated_at": iso(sent), "status": status,
            "sites": sections if sections is not None else [
                {"site": {"id": site_id, "name": "A", "seats": seats}, "status": status, "reports": reports,
                 "findings": list(findings)}],
            "exam": {"starts_at": [iso(s) for s in starts], "deadlines": list(deadlines), **exam},
            "sender": {"kind": "site", "id": site_id, "name": "Site A", "seats": seats, "heartbeat_s": 60,
                       "sent_at": iso(sent), "seq": 1}}


def hostile_doc(site_id="1101"):
    """20 findings and 20 deadlines of 1,000 characters in both languages, with control characters."""
    findings = [{"status": "fail", "message": {"en": HOSTILE + "x" * 1000, "zh": HOSTILE}} for _ in range(20)]
    deadlines = [{"id": f"d{i}\u202e", "title": {"en": HOSTILE, "zh": HOSTILE}, "state": "overdue",
                  "due_at": iso(NOW)} for i in range(20)]
    return site_doc(site_id, "fail", findings=findings, deadlines=deadlines)


def row_bytes(row) -> int:
    return len(orjson.dumps(row.to_json()))


def test_a_hostile_row_is_cut_to_its_budget_and_cleaned():
    got = read_document(hostile_doc())
    row = row_for("1101", "", got, NOW, NOW, Timeline(()))
    out = row.to_json()
    details = len(orjson.dumps(out["findings"])) + len(orjson.dumps(out["deadlines"]))
    assert details <= ROW_BUDGET and row_bytes(row) <= ROW_BUDGET + 1200
    assert out["cut"] == 40 - len(out["findings"]) - len(out["deadlines"]) and out["cut"] > 0
    assert out["findings"], "the worst findings stay"
    texts = [f["message"][k] for f in out["findings"] for k in ("en", "zh")] + \
        [d["title"][k] for d in out["deadlines"] for k in ("en", "zh")] + [d["id"] for d in out["deadlines"]]
    assert all(not any(invisible(ch) for ch in t) for t in texts)  # no U+202E, \x07 or \x1b left
    assert all(len(t) <= MAX_TEXT for t in texts)
    assert out["findings"][0]["message"]["zh"].startswith("EXE.1CP[31m长") and \
        out["findings"][0]["message"]["zh"].endswith("…")


def test_a_short_text_is_kept_whole():
    got = read_document(site_doc(findings=[{"status": "warn", "message": {"en": "2 PCs\x07 slow", "zh": "2 台\u202e慢"}}]))
    assert got.findings[0]["message"] == {"en": "2 PCs slow", "zh": "2 台慢"} and got.cut == 0


def _branch_of(docs, now=NOW):
    view = BranchView({d["sender"]["id"]: "" for d in docs}, Timeline(()))
    for d in docs:
        got = read_document(d)
        view.offer(got, now)
    return branch_document("11", "North", view.rows(now), now, view.timeline,
                           {"kind": "branch", "id": "11", "name": "North", "heartbeat_s": 60, "sent_at": iso(now),
                            "seq": 1})


def test_three_thousand_hostile_sites_still_make_a_document_headquarters_takes():
    from dataclasses import replace

    one = read_document(hostile_doc())  # read once at the door; the same row for 3,000 ids
    view = BranchView({f"S{i:05d}": "" for i in range(3000)}, Timeline(()))
    for sid in view.expected:
        view.offer(replace(one, id=sid), NOW)
    branch = branch_document("11", "North", view.rows(NOW), NOW, view.timeline,
                             {"kind": "branch", "id": "11", "name": "North", "heartbeat_s": 60, "sent_at": iso(NOW),
                              "seq": 1})
    size = len(orjson.dumps(branch))
    assert size <= DOCUMENT_BUDGET < MAX_DOCUMENT
    got = read_document(branch)  # headquarters' door
    assert got.kind == "branch" and got.reports == 3 * 3000 and got.status == "fail"
    assert all(r["status"] == "fail" and r["reports"] == 3 for r in branch["sites"])  # figures never cut


def test_a_branch_over_its_budget_cuts_the_least_urgent_rows_details_first():
    docs = [site_doc(f"S{i}", "fail" if i < 3 else "pass",
                     findings=[{"status": "fail", "message": {"en": "x" * 150, "zh": "长" * 150}}]) for i in range(10)]
    full = _branch_of(docs)
    assert full["cut"] == 0
    view = BranchView({d["sender"]["id"]: "" for d in docs}, Timeline(()))
    for d in docs:
        view.offer(read_document(d), NOW)
    from readiness.branch.chain import within_budget

    budget = len(orjson.dumps(full)) - 1000
    doc = within_budget(branch_document("11", "North", view.rows(NOW), NOW, view.timeline), budget)
    assert len(orjson.dumps(doc)) <= budget and doc["cut"] >= 1
    assert doc["sites"][0]["findings"] and doc["sites"][0]["status"] == "fail"  # the most urgent keep theirs
    assert not doc["sites"][-1]["findings"] and doc["sites"][-1]["cut"] >= 1


@pytest.mark.parametrize("missing, seats, share, escalates", [
    (4, 50, 0.1, False),  # under
    (5, 50, 0.1, False),  # at: not more than a tenth
    (6, 50, 0.1, True),  # over
    (45, 50, 0.1, True),  # 5 of 50 reported (the issue)
    (0, 0, 0.1, False),  # no seats expected
    (1, 10, 0.0, True),  # share 0: any seat missing
    (10, 10, 1.0, False),  # share 1: never by the seats
    (57, 100, 0.57, False),  # at, where 0.57 * 100 is 56.99999999999999 in floating point
    (None, 50, 0.1, False),  # cannot tell
])
def test_missing_seats_rule_rows(missing, seats, share, escalates):
    assert rules.too_many_missing(missing, seats, share) is escalates
    start = NOW + 100  # inside the window
    assert (rules.escalation_cause(NOW, start, 300, 5400, True, NOW, False, missing, seats, share) == "missing") \
        is escalates
    assert rules.escalation_cause(NOW, NOW + 1000, 300, 5400, True, NOW, False, missing, seats, share) is None


def test_a_site_with_too_many_seats_unreported_escalates_with_its_reason():
    got = read_document(site_doc(status="warn", reports=5, seats=50, starts=(NOW + 120,)))
    row = row_for("1101", "", got, NOW, NOW, Timeline(()))
    assert row.escalate and row.to_json()["escalate_reason"] == {
        "en": "45 of 50 seats have no report (more than 10%)", "zh": "50 个机位中 45 个尚未提交报告（超过 10%）"}
    assert not row_for("1101", "", got, NOW, NOW - 3600, Timeline(())).escalate  # outside the window
    assert not row_for("1101", "", read_document(site_doc(status="warn", reports=45, seats=50, starts=(NOW + 120,))),
                       NOW, NOW, Timeline(())).escalate  # at the share
    stricter = read_document(site_doc(status="warn", reports=48, seats=50, starts=(NOW + 120,),
                                      missing_escalate_share=0.02))
    assert row_for("1101", "", stricter, NOW, NOW, Timeline(())).escalate  # the site's own stricter share
    laxer = Timeline((), missing_share=0.5)
    twenty = read_document(site_doc(status="warn", reports=30, seats=50, starts=(NOW + 120,)))
    assert row_for("1101", "", twenty, NOW, NOW, Timeline(())).escalate
    assert not row_for("1101", "", twenty, NOW, NOW, laxer).escalate  # the branch's own share


def test_the_sites_own_dashboard_escalates_for_missing_seats_too():
    facts = SiteFacts(ready=True, seats_reported=False, phones_checked=None, ips_registered=None,
                      rehearsal_done=None, missing=45, seats=50)
    section = exam_section(Timeline((NOW + 120,)), facts, NOW)
    assert section["escalate"] is True and section["escalate_reason"]["en"].startswith("45 of 50 seats")
    assert exam_section(Timeline((NOW + 120,)), SiteFacts(True, True, None, None, None, missing=0, seats=50),
                        NOW)["escalate"] is False


def test_a_branch_escalates_when_any_of_its_sites_does_without_any_exam_of_its_own():
    """Neither the branch nor headquarters has [exam]: only the sites list their starts."""
    view = BranchView({"1101": "", "1102": ""}, Timeline(()))
    view.offer(read_document(site_doc("1101", "fail", starts=(NOW + 120,))), NOW)
    view.offer(read_document(site_doc("1102", "pass", starts=(NOW + 3600,))), NOW)
    branch = branch_document("11", "North", view.rows(NOW), NOW, view.timeline,
                             {"kind": "branch", "id": "11", "name": "N", "heartbeat_s": 60, "sent_at": iso(NOW),
                              "seq": 1})
    assert branch["exam"]["starts_at"] == [] and branch["escalating"] == 1
    got = read_document(branch)
    hq = BranchView({"11": "", "12": ""}, Timeline(()))
    hq.offer(got, NOW)
    row = {r.id: r for r in hq.rows(NOW)}["11"]
    out = row.to_json()
    assert out["escalate"] is True and out["next_exam_at"] == iso(NOW + 120)
    assert out["escalate_reason"]["en"] == "1 of its sites escalate"
    assert hq.rows(NOW)[0].id == "11"  # first at headquarters


def test_while_exam_a_is_under_way_exam_b_is_shown_too():
    a, b = NOW - 600, NOW + 200
    got = read_document(site_doc(starts=(a, b)))
    out = row_for("1101", "", got, NOW, NOW, Timeline(())).to_json()
    assert (out["next_exam_at"], out["following_exam_at"]) == (iso(a), iso(b))
    section = exam_section(Timeline((a, b)), SiteFacts(True, True, None, None, None), NOW)
    assert (section["next_start"], section["following_start"]) == (iso(a), iso(b))
    assert row_for("1101", "", read_document(site_doc(starts=(b,))), NOW, NOW, Timeline(())).following_s is None


def test_one_site_per_site_token_other_sections_are_left_out_and_said():
    own = {"site": {"id": "1101", "name": "A", "seats": 10}, "status": "pass", "reports": 10, "findings": []}
    other = {"site": {"id": "1102", "name": "B", "seats": 50}, "status": "pass", "reports": 50,
             "findings": [{"status": "warn", "message": "B's"}]}
    got = read_document(site_doc(sections=[own, other]))
    assert (got.reports, got.seats_expected, got.missing, got.left_out, got.findings) == (10, 10, 0, ("1102",), ())
    assert row_for("1101", "", got, NOW, NOW, Timeline(())).to_json()["left_out"] == ["1102"]
    only_other = read_document(site_doc(sections=[other]))
    assert only_other.status == "error" and only_other.reports == 0  # nothing of its own: cannot be called ready


def test_a_branch_document_only_from_a_sender_listed_as_a_branch():
    site = read_document(site_doc())
    branch = read_document(_branch_of([site_doc()]))
    check_kind(site, False)
    check_kind(branch, True)
    with pytest.raises(WrongSender, match="listed as a site"):
        check_kind(branch, False)
    with pytest.raises(WrongSender, match="listed as a branch"):
        check_kind(site, True)


@pytest.mark.parametrize("fmt", ["csv", "html"])  # the text table has no round column
def test_a_round_whose_id_was_dropped_never_prints_round_none(fmt):
    from readiness.branch.document import Document
    from readiness.reports.formats import FORMATS
    from readiness.serve import pages

    doc = site_doc()
    doc["rehearsal"] = {"id": "3; DROP", "state": "done", "joined": 30, "finished": 30, "failed": 0}
    got = read_document(doc)
    assert got.rehearsal is not None and got.rehearsal["id"] is None  # the door drops an id that is not a count
    view = BranchView({"1101": ""}, Timeline(()))
    view.offer(got, NOW)
    branch = branch_document("11", "North", view.rows(NOW), NOW, view.timeline)
    for lang in ("en", "zh"):
        out = FORMATS[fmt].render_branch(Document.read(branch), lang)
        text = out.decode("utf-8-sig") if isinstance(out, bytes) else out
        assert "None" not in text and ("Round ?" in text or "第 ? 轮" in text), text[:2000]
        page = pages.sender_document(doc, lang, got)
        assert "Round None" not in page and "第 None 轮" not in page
