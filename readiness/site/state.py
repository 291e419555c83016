"""What the dashboard polls: the site view in a compact, page-ready shape (`GET /api/state`)."""

from __future__ import annotations

from typing import Any

from readiness.site.aggregate.reverted import reverted_text
from readiness.site.aggregate.site import SiteSummary
from readiness.core.model import VERDICTS as VERDICT
from readiness.site.view import Built, report_id

MAX_REJECTED = 50
MAX_PROBLEM_ROWS = 25  # the worst first, a screenful a site; the downloads have them all


def _site(s: SiteSummary, built: Built) -> dict[str, Any]:
    shared = built.shared
    seats = [{"id": report_id(m.source), "hostname": m.hostname, "status": m.status, "checked_at": m.checked_at,
              "last_seen": built.last_seen.get(m.key, ""), "clone": bool(m.machine_id and m.machine_id in shared),
              "machine_id": m.machine_id or "", "problems": [p.check for p in m.problems],  # ids: titles below
              "reverted": [r.check for r in m.reverted]}
             for m in s.machines]
    # each check's title once for the site (a branch's state carries thousands of seats)
    titles = {cid: s.title(cid).to_dict() for cid in s.checks}
    reverted = [{"hostname": m.hostname, "check": r.check, "passed_at": r.passed_at,
                 "text": reverted_text(r, s.title(r.check), built.agg.zone).to_dict()} for m in s.machines for r in m.reverted]
    return {"id": s.id, "name": s.name, "status": s.status.value, "verdict": VERDICT[s.status].to_dict(),
            "seats_expected": s.seats, "reports": s.reports, "missing": max(0, s.seats - s.reports),
            "counts": s.counts, "findings": [{"status": f.status.value, "message": f.what.to_dict()} for f in s.findings],
            "bandwidth": s.bandwidth, "client_versions": s.client_versions, "seats": seats,
            # the versions in use and, in words, the PCs an older readiness checked (their names are
            # in the site document: a site of 5,000 old PCs must not send 5,000 names at every poll)
            "tool_versions": s.tool_versions,
            "behind": [{k: v for k, v in b.to_dict().items() if k != "hostnames"} for b in s.behind],
            # why, not just which: what `aggregate` prints (the per-check counts, the machines with
            # problems and what they saw, each problem's remedy), for the dashboard
            "titles": titles,
            "checks": [{"id": cid, "fail": c["fail"], "error": c["error"], "warn": c["warn"]}
                       for cid, c in s.checks_with_problems()],
            "problems": [{"hostname": m.hostname, "machine_id": m.machine_id or "", "status": m.status,
                          "items": [{"check": p.check, "status": p.status, "observed": p.observed.to_dict()}
                                    for p in m.problems]} for m in s.problem_machines[:MAX_PROBLEM_ROWS]],
            "fixes": [{"check": cid, "text": r.to_dict()} for cid, r in s.fixes()],
            "reverted": reverted}


def state_doc(built: Built, phones: list[dict[str, Any]], stored: int) -> dict[str, Any]:
    agg = built.agg
    return {
        "version": built.version, "generated_at": agg.generated_at, "mode": agg.mode,
        "status": agg.status.value if agg.sites else None,
        "verdict": VERDICT[agg.status].to_dict() if agg.sites else None,
        "stored": stored, "sites": [_site(s, built) for s in agg.sites],
        "rejected": {"count": len(agg.rejected),
                     "items": [{"path": r.path, "reason": r.reason.en, "reason_text": r.reason.to_dict()}
                               for r in agg.rejected[-MAX_REJECTED:]]},
        "phones": phones,
        "hidden": built.hidden,
    }
