"""What one server says of itself, built in one place: the site's document (the dashboard's JSON
download and what it sends its branch are the same bytes but for the rounds' detail), its exam
timeline with the plan's deadlines, and a branch's own `readiness.branch/1` (GET /api/branch and
what it sends headquarters)."""

from __future__ import annotations

from typing import Any

from readiness.core import rules
from readiness.branch.chain import BranchView, branch_document, now_s
from readiness.core.exam import SiteFacts, Timeline, exam_section
from readiness.core.times import exam_zone, iso
from readiness.site.rounds import ROUND_BRIEF
from readiness.serve.context import Serving
from readiness.site.view import Built



def round_brief(latest: dict[str, Any] | None) -> dict[str, Any] | None:
    """A round as the level above shows it: its state and figures, not every seat."""
    return None if latest is None else {k: latest.get(k) for k in ROUND_BRIEF}


def site_facts(s: Serving, built: Built, phones: list[dict[str, Any]], start_iso: str | None) -> SiteFacts:
    """What the deadlines are about, from what this server holds; None where it cannot tell."""
    agg = built.agg
    sites = agg.sites
    seen_ips = [ip for site in sites for ip in site.egress.get("seen", {})]
    unregistered = [ip for site in sites for ip in site.egress.get("unregistered", [])]
    rounds = s.rehearsals.all()
    ticks = s.store.ticks()
    return SiteFacts(
        ready=bool(sites) and rules.is_ready(agg.status.value),
        seats_reported=bool(sites) and all(rules.every_seat_reported(site.seats, site.reports) for site in sites),
        phones_checked=bool(phones) and all(rules.is_ready(p.get("status")) for p in phones),
        ips_registered=None if not seen_ips else not unregistered,
        rehearsal_done=any(r.get("state") == "done" and (r.get("finished") or 0) > 0 for r in rounds),
        invigilators_at=ticks.get(("invigilators", start_iso or "")),
        missing=sum(max(0, site.seats - site.reports) for site in sites) if sites else None,
        seats=sum(site.seats for site in sites) if sites else None)


def site_exam(s: Serving, built: Built, phones: list[dict[str, Any]], now: float) -> dict[str, Any]:
    timeline = Timeline.from_profile(s.cfg.profile)
    start = timeline.start(now)
    return exam_section(timeline, site_facts(s, built, phones, iso(start)), now)


def sender(s: Serving, kind: str, seq: int, now: float) -> dict[str, Any]:
    p = s.cfg.profile
    me = {"kind": kind, "id": p["branch.id"] if kind == "branch" else p["site.id"],
          "name": p["branch.name"] if kind == "branch" else p["site.name"],
          "heartbeat_s": p["upstream.heartbeat_s"], "sent_at": iso(now), "seq": seq}
    if kind == "site":
        me["seats"] = p["site.seats"]
    return me


def site_document(s: Serving, seq: int | None = None, rounds: bool = False) -> dict[str, Any]:
    """The site's `readiness.site/1` with its exam timeline and latest round; with seq (sending it
    up), a `sender`; with rounds (the download), every round in full."""
    from readiness.reports import site_json

    now = now_s()
    built = s.view.build()
    phones = s.view.phone_rows(s.cfg.profile)
    doc = site_json.to_dict(built.agg, rehearsals=s.rehearsals.all() if rounds else None)
    doc["exam"] = site_exam(s, built, phones, now)
    doc["rehearsal"] = round_brief(s.rehearsals.latest())
    if seq is not None:
        doc["sender"] = sender(s, "site", seq, now)
    return doc


def own_branch_document(s: Serving, seq: int | None = None) -> dict[str, Any]:
    """This server's `readiness.branch/1` (with seq: sending it to headquarters)."""
    assert s.branch is not None
    now = now_s()
    p = s.cfg.profile
    doc = branch_document(p["branch.id"], p["branch.name"], s.branch.rows(now), now, s.branch.timeline,
                          sender(s, "branch", seq, now) if seq is not None else None, exam_zone(p))
    doc["store_error"] = store_error(s)
    return doc


def store_error(s: Serving) -> dict[str, str] | None:
    """The data folder gone under the running server: every document is refused (503) and the
    senders drift to silent, which the page must explain."""
    from readiness.core.i18n import Text
    from readiness.site.store import StoreGone

    try:
        s.store.check()
    except StoreGone as exc:
        return Text(f"the data folder is gone: nothing received is kept ({exc.reason.en})",
                    f"数据目录已不存在：收到的内容无法保存（{exc.reason.zh}）").to_dict()
    return None

