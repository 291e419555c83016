"""A site of a `readiness.site/1` document as typed values, read once where it enters: the site's
own aggregation (`SiteEntry.of`) or a document kept by a branch (`SiteEntry.read`, which turns
whatever a stored document holds into these types: a missing or wrong-typed value reads as none).
The printable page and the branch's page of a site draw the same section from it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from readiness.core import rules
from readiness.core.i18n import Text
from readiness.site.aggregate.reverted import Reverted
from readiness.site.aggregate.site import SiteSummary

STATUSES = ("pass", "warn", "fail", "skip", "error")
COUNTED = ("pass", "warn", "fail", "error")
MAX_MACHINES = 100_000  # a site's machines read from a document; the door bounds a document at 8 MB anyway
MAX_PROBLEMS = 50  # a machine has a few dozen checks: more is not a report


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _key(value: Any) -> str:
    """A check's id as the document gives it; what is not a string is shown as written, not dropped."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def _status(value: Any) -> str:
    """A status the rules know; anything else is "error" (could not tell), never a class name."""
    return value if value in STATUSES else "error"


@dataclass(frozen=True)
class Problem:
    check: str
    status: str
    observed: Text


@dataclass(frozen=True)
class MachineRow:
    hostname: str
    status: str
    source: str
    problems: tuple[Problem, ...]
    reverted: tuple[Reverted, ...] = ()


@dataclass(frozen=True)
class Finding:
    status: str
    message: Text


@dataclass(frozen=True)
class Bandwidth:
    required_mbps: float | None = None
    per_seat_mbps: float | None = None
    best_mbps: float | None = None
    median_mbps: float | None = None
    load_s: float | None = None
    plan_load_s: float | None = None


@dataclass(frozen=True)
class SiteEntry:
    id: str
    name: str
    seats: int | None
    seats_source: str
    status: str
    counts: dict[str, int]
    reports: int
    checks: dict[str, dict[str, int]]
    titles: dict[str, Text]
    findings: tuple[Finding, ...]
    machines: tuple[MachineRow, ...]
    remedies: dict[str, Text]
    bandwidth: Bandwidth = field(default_factory=Bandwidth)
    egress_seen: dict[str, int] = field(default_factory=dict)
    unregistered: tuple[str, ...] = ()
    client_versions: dict[str, int] = field(default_factory=dict)

    def title(self, check: str) -> Text:
        return self.titles.get(check) or Text(check, check)

    @property
    def missing(self) -> int:
        return max(0, (self.seats or 0) - self.reports)

    @property
    def problem_machines(self) -> list[MachineRow]:
        """Machines not ready, worst first, then by name (as the terminal lists them)."""
        return sorted((m for m in self.machines if m.status != "pass"),
                      key=lambda m: (rules.severity(m.status), m.hostname.lower()))

    def fixes(self) -> list[tuple[str, Text]]:
        """Each remedy of a check that a machine with problems has: what the site must do."""
        wanted = {p.check for m in self.machines if m.status != "pass" for p in m.problems}
        return [(cid, r) for cid, r in self.remedies.items() if cid in wanted]

    @classmethod
    def of(cls, s: SiteSummary) -> "SiteEntry":
        """The site's own aggregation, as its document says it."""
        b = s.bandwidth
        return cls(
            id=s.id, name=s.name, seats=s.seats, seats_source=s.seats_source, status=s.status.value,
            counts=dict(s.counts), reports=s.reports, checks=s.checks,
            titles={cid: s.title(cid) for cid in s.checks}, findings=tuple(Finding(f.status.value, f.what) for f in s.findings),
            machines=tuple(MachineRow(m.hostname, m.status, m.source,
                                      tuple(Problem(p.check, p.status, p.observed) for p in m.problems), m.reverted)
                           for m in s.machines),
            remedies=dict(s.remedies),
            bandwidth=Bandwidth(*(_float(b.get(k)) for k in ("required_mbps", "per_seat_mbps", "best_mbps",
                                                              "median_mbps", "load_s", "plan_load_s"))),
            egress_seen=dict(s.egress.get("seen", {})), unregistered=tuple(s.egress.get("unregistered", ())),
            client_versions=dict(s.client_versions))

    @classmethod
    def read(cls, value: Any) -> "SiteEntry":
        """One entry of a document's "sites" as a branch kept it: what it says, typed; what it
        cannot say (missing, wrong-typed, a list where a number belongs) is none."""
        e = _dict(value)
        site = _dict(e.get("site"))
        checks = {str(cid): {k: _int(_dict(c).get(k)) or 0 for k in STATUSES} for cid, c in _dict(e.get("checks")).items()}
        titles = {str(cid): Text.from_json(t) for cid, t in _dict(e.get("titles")).items()}
        machines = []
        for m in _list(e.get("machines"))[:MAX_MACHINES]:
            m = _dict(m)
            problems = tuple(Problem(_key(_dict(p).get("check")), _status(_dict(p).get("status")),
                                     Text.from_json(_dict(p).get("observed")))
                             for p in _list(m.get("problems"))[:MAX_PROBLEMS])
            now = {p.check: p.status for p in problems}
            passed = _dict(m.get("reverted_passed_at"))
            reverted = tuple(Reverted(str(c), _str(passed.get(c)), now.get(str(c), "fail"))
                             for c in _list(m.get("reverted"))[:MAX_PROBLEMS] if isinstance(c, str))
            machines.append(MachineRow(_str(m.get("hostname")), _status(m.get("status")), _str(m.get("path")),
                                       problems, reverted))
        b, egress = _dict(e.get("bandwidth")), _dict(e.get("egress_ips"))
        return cls(
            id=_str(site.get("id")), name=_str(site.get("name")), seats=_int(site.get("seats")),
            seats_source=_str(site.get("seats_source")) or "profile", status=_status(e.get("status")),
            counts={k: _int(_dict(e.get("counts")).get(k)) or 0 for k in COUNTED},
            reports=_int(e.get("reports")) or len(machines), checks=checks, titles=titles,
            findings=tuple(Finding(_status(_dict(f).get("status")), Text.from_json(_dict(f).get("message")))
                           for f in _list(e.get("findings"))),
            machines=tuple(machines),
            remedies={str(cid): Text.from_json(r) for cid, r in _dict(e.get("remedies")).items()},
            bandwidth=Bandwidth(*(_float(b.get(k)) for k in ("required_mbps", "per_seat_mbps", "best_mbps",
                                                              "median_mbps", "load_s", "plan_load_s"))),
            egress_seen={str(ip): n for ip, n in _dict(egress.get("seen")).items() if _int(n) is not None},
            unregistered=tuple(str(ip) for ip in _list(egress.get("unregistered"))),
            client_versions={str(v): n for v, n in _dict(e.get("client_versions")).items() if _int(n) is not None})
