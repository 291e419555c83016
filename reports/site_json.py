"""The site summary as JSON, schema ``readiness.site/1`` (documented in docs/site-schema.md)."""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping, Sequence

from readiness.site.aggregate.machines import Machine
from readiness.site.aggregate.site import SITE_SCHEMA, Aggregate, SiteSummary
from readiness import __version__
from readiness.core.i18n import Lang


def machine_dict(m: Machine) -> dict[str, Any]:
    return {"hostname": m.hostname, "machine_id": m.machine_id, "status": m.status, "checked_at": m.checked_at,
            "path": m.source, "client_version": m.client_version, "tool_version": m.tool_version,
            "download_mbps": m.bandwidth_mbps,
            "egress_ips": list(m.egress_ips),
            "reverted": [r.check for r in m.reverted],
            "reverted_passed_at": {r.check: r.passed_at for r in m.reverted},
            "problems": [{"check": p.check, "status": p.status, "observed": p.observed.to_dict()}
                         for p in m.problems]}  # remedies are per check, in the site's "remedies"


def site_dict(s: SiteSummary, machines: bool = True) -> dict[str, Any]:
    out = {
        "site": {"id": s.id, "name": s.name, "seats": s.seats, "seats_source": s.seats_source},
        "status": s.status.value, "counts": s.counts, "reports": s.reports,
        "missing": max(0, s.seats - s.reports), "checks": s.checks,
        "titles": {cid: s.title(cid).to_dict() for cid in s.checks},  # what a person reads for each check
        "findings": [{"status": f.status.value, "message": f.what.to_dict()} for f in s.findings],
        "bandwidth": s.bandwidth, "egress_ips": s.egress, "client_versions": s.client_versions,
        "tool_versions": s.tool_versions, "behind": [b.to_dict() for b in s.behind],
        "remedies": {k: v.to_dict() for k, v in s.remedies.items()},
    }
    if machines:
        out["machines"] = [machine_dict(m) for m in s.machines]
    return out


Rounds = Sequence[Mapping[str, Any]]  # rehearsal rounds as GET /api/rehearsals/latest gives each


def to_dict(agg: Aggregate, machines: bool = True, rehearsals: Rounds | None = None) -> dict[str, Any]:
    """The document; with rehearsals (the site server's export: `aggregate` has none) also a
    "rehearsals" array, one round summary each."""
    out = {"schema": SITE_SCHEMA, "tool": {"name": "exam-readiness", "version": __version__},
           "generated_at": agg.generated_at, "mode": agg.mode,
           "profile": agg.profile_source, "status": agg.status.value, "counts": agg.counts,
           "sites": [site_dict(s, machines) for s in agg.sites] if machines else [],
           "rejected": [{"path": r.path, "reason": r.reason.en, "reason_text": r.reason.to_dict()} for r in agg.rejected],
           "superseded": agg.superseded}
    if rehearsals is not None:
        out["rehearsals"] = [dict(r) for r in rehearsals]
    return out


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_chunks(agg: Aggregate, rehearsals: Rounds | None = None) -> Iterator[str]:
    """The same document as to_dict, one machine per line and one chunk at a time, so that a
    branch's 100,000 machines never exist as one string or as nested dicts; rehearsal rounds, when
    given, one per line at the end."""
    head = to_dict(agg, machines=False)
    yield "{" + "".join(f"{_dump(k)}: {_dump(v)},\n" for k, v in head.items() if k not in ("sites", "rejected", "superseded"))
    yield '"sites": ['
    for i, s in enumerate(agg.sites):
        yield ("," if i else "") + "\n{" + "".join(f"{_dump(k)}: {_dump(v)},\n" for k, v in site_dict(s, machines=False).items())
        yield '"machines": ['
        for j, m in enumerate(s.machines):
            yield ("," if j else "") + "\n" + _dump(machine_dict(m))
        yield "\n]}"
    yield f'\n],\n"rejected": {_dump(head["rejected"])},\n"superseded": {_dump(head["superseded"])}'
    if rehearsals is not None:
        yield ',\n"rehearsals": [' + ",".join("\n" + _dump(dict(r)) for r in rehearsals) + "\n]"
    yield "}\n"


def render(agg: Aggregate, lang: Lang = Lang.EN, rehearsals: Rounds | None = None) -> str:
    return "".join(render_chunks(agg, rehearsals))
