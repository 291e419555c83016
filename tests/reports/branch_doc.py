"""A branch's `readiness.branch/1` made by the real code (branch.read_document at the door, the rows,
branch_document) from hand-written site documents, at a fixed moment: the renderers' input."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from readiness.branch.chain import BranchView, branch_document, read_document
from readiness.core.exam import Timeline
from readiness.core.times import iso, parse_instant

START = parse_instant("2026-12-05T08:30:00+08:00").timestamp()  # type: ignore[union-attr]
EVIL = '=HYPERLINK("http://x")<img src=x onerror=alert(1)>'


def site_doc(site_id: str, name: str, status: str, reports: int, seats: int, sent_s: float, *,
             findings: list[dict[str, Any]] = (), exam: bool = True, rehearsal: dict[str, Any] | None = None,
             heartbeat_s: float = 60.0) -> dict[str, Any]:
    """A site's document as a site server sends it (the fields the branch reads)."""
    doc: dict[str, Any] = {
        "schema": "readiness.site/1", "generated_at": iso(sent_s), "status": status,
        "sites": [{"site": {"id": site_id, "name": name, "seats": seats}, "status": status, "reports": reports,
                   "findings": list(findings)}],
        "sender": {"kind": "site", "id": site_id, "name": name, "heartbeat_s": heartbeat_s, "sent_at": iso(sent_s),
                   "seq": 1, "seats": seats},
        "rehearsal": rehearsal,
    }
    if exam:
        doc["exam"] = {"starts_at": ["2026-12-05T08:30:00+08:00"], "escalate_before_s": 300, "duration_s": 5400,
                       "deadlines": [
                           {"id": "invigilators", "title": {"en": "Invigilators assigned", "zh": "监考教师编排完成"},
                            "state": "done", "due_at": "2026-12-03T08:30:00+08:00"},
                           {"id": "rehearsal_done", "title": {"en": "Rehearsal done", "zh": "开考演练已完成"},
                            "state": "overdue" if status != "pass" else "done", "due_at": "2026-12-05T08:25:00+08:00"}]}
    return doc


def branch_doc(now_s: float = START - 240, zone: Any = timezone(timedelta(hours=8))) -> dict[str, Any]:
    """Four sites at 08:26, four minutes before the start: one ready, one not ready (escalated),
    one gone silent, one never heard from; plus a hostile name. Written in zone, the branch's
    exam's (an older branch wrote UTC: zone=None)."""
    ready = site_doc("1101", "海淀学习中心", "pass", 30, 30, now_s - 20,
                     rehearsal={"id": 3, "state": "done", "joined": 30, "finished": 30, "failed": 0, "max_s": 61.5,
                                "plan_s": 80})
    ready["tool"] = {"name": "exam-readiness", "version": "0.2.0"}  # its server's version (older documents: none)
    failing = site_doc("1102", EVIL, "fail", 28, 30, now_s - 30,
                       findings=[{"status": "fail", "message": {"en": "2 PCs have too little memory",
                                                                "zh": "2 台考试机内存不足"}}])
    silent = site_doc("1103", "朝阳考点", "pass", 20, 20, now_s - 3600, exam=False)
    view = BranchView({"1101": "", "1102": "", "1103": "", "1104": ""}, Timeline((START,)))
    for doc in (ready, failing, silent):
        got = read_document(doc)
        view.offer(got, got.sent_s)
    return branch_document("11", "北京分部", view.rows(now_s), now_s, view.timeline, zone=zone)
