"""The site summary as JSON, schema ``readiness.site/1`` (documented in docs/site-schema.md)."""

from __future__ import annotations

import json
from typing import Any

from readiness.aggregate.machines import Machine
from readiness.aggregate.site import SITE_SCHEMA, Aggregate, SiteSummary
from readiness.i18n import Lang


def machine_dict(m: Machine) -> dict[str, Any]:
    return {"hostname": m.hostname, "machine_id": m.machine_id, "status": m.status, "checked_at": m.checked_at,
            "path": m.source, "client_version": m.client_version, "download_mbps": m.bandwidth_mbps,
            "egress_ips": list(m.egress_ips),
            "problems": [{"check": p.check, "status": p.status, "observed": p.observed.to_dict(),
                          "remedy": p.remedy.to_dict() if p.remedy else None} for p in m.problems]}


def site_dict(s: SiteSummary) -> dict[str, Any]:
    return {
        "site": {"id": s.id, "name": s.name, "seats": s.seats, "seats_source": s.seats_source},
        "status": s.status.value, "counts": s.counts, "reports": s.reports,
        "missing": max(0, s.seats - s.reports), "checks": s.checks,
        "findings": [{"status": f.status.value, "message": f.what.to_dict()} for f in s.findings],
        "bandwidth": s.bandwidth, "egress_ips": s.egress, "client_versions": s.client_versions,
        "remedies": {k: v.to_dict() for k, v in s.remedies.items()},
        "machines": [machine_dict(m) for m in s.machines],
    }


def to_dict(agg: Aggregate) -> dict[str, Any]:
    return {"schema": SITE_SCHEMA, "generated_at": agg.generated_at, "mode": agg.mode,
            "profile": agg.profile_source, "status": agg.status.value, "counts": agg.counts,
            "sites": [site_dict(s) for s in agg.sites],
            "rejected": [{"path": r.path, "reason": r.reason} for r in agg.rejected],
            "superseded": agg.superseded}


def render(agg: Aggregate, lang: Lang = Lang.EN) -> str:
    return json.dumps(to_dict(agg), ensure_ascii=False, indent=1) + "\n"
