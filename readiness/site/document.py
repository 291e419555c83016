"""A site of a `readiness.site/1` document as typed values, read once where it enters: the site's
own aggregation (`SiteEntry.of`) or a document kept by a branch (`SiteEntry.read`, which turns
whatever a stored document holds into these types: a missing or wrong-typed value reads as none).
The printable page and the branch's page of a site draw the same section from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Callable, Mapping

from readiness.core import rules
from readiness.core.i18n import Text
from readiness.core.reading import count, listed, mapping, number, text_of
from readiness.site.aggregate.reverted import Reverted
from readiness.site.aggregate.site import SiteSummary

STATUSES = ("pass", "warn", "fail", "skip", "error")
COUNTED = ("pass", "warn", "fail", "error")
MAX_MACHINES = 100_000  # a site's machines read from a document; the door bounds a document at 8 MB anyway
MAX_PROBLEMS = 50  # a machine has a few dozen checks: more is not a report


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
    tool_versions: dict[str, int] = field(default_factory=dict)  # the readiness that checked the PCs
    behind: tuple[Text, ...] = ()  # the PCs an older readiness checked without today's checks, in words

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
            bandwidth=Bandwidth(*(number(b.get(k)) for k in ("required_mbps", "per_seat_mbps", "best_mbps",
                                                              "median_mbps", "load_s", "plan_load_s"))),
            egress_seen=dict(s.egress.get("seen", {})), unregistered=tuple(s.egress.get("unregistered", ())),
            client_versions=dict(s.client_versions), tool_versions=dict(s.tool_versions),
            behind=tuple(b.what for b in s.behind))

    @classmethod
    def read(cls, value: Any) -> "SiteEntry":
        """One entry of a document's "sites" as a branch kept it: what it says, typed; what it
        cannot say (missing, wrong-typed, a list where a number belongs) is none."""
        e = mapping(value)
        site = mapping(e.get("site"))
        checks = {str(cid): {k: count(mapping(c).get(k)) or 0 for k in STATUSES} for cid, c in mapping(e.get("checks")).items()}
        titles = {str(cid): Text.from_json(t) for cid, t in mapping(e.get("titles")).items()}
        machines = []
        for m in listed(e.get("machines"))[:MAX_MACHINES]:
            m = mapping(m)
            problems = tuple(Problem(_key(mapping(p).get("check")), _status(mapping(p).get("status")),
                                     Text.from_json(mapping(p).get("observed")))
                             for p in listed(m.get("problems"))[:MAX_PROBLEMS])
            now = {p.check: p.status for p in problems}
            passed = mapping(m.get("reverted_passed_at"))
            reverted = tuple(Reverted(str(c), text_of(passed.get(c)), now.get(str(c), "fail"))
                             for c in listed(m.get("reverted"))[:MAX_PROBLEMS] if isinstance(c, str))
            machines.append(MachineRow(text_of(m.get("hostname")), _status(m.get("status")), text_of(m.get("path")),
                                       problems, reverted))
        b, egress = mapping(e.get("bandwidth")), mapping(e.get("egress_ips"))
        return cls(
            id=text_of(site.get("id")), name=text_of(site.get("name")), seats=count(site.get("seats")),
            seats_source=text_of(site.get("seats_source")) or "profile", status=_status(e.get("status")),
            counts={k: count(mapping(e.get("counts")).get(k)) or 0 for k in COUNTED},
            reports=count(e.get("reports")) or len(machines), checks=checks, titles=titles,
            findings=tuple(Finding(_status(mapping(f).get("status")), Text.from_json(mapping(f).get("message")))
                           for f in listed(e.get("findings"))),
            machines=tuple(machines),
            remedies={str(cid): Text.from_json(r) for cid, r in mapping(e.get("remedies")).items()},
            bandwidth=Bandwidth(*(number(b.get(k)) for k in ("required_mbps", "per_seat_mbps", "best_mbps",
                                                              "median_mbps", "load_s", "plan_load_s"))),
            egress_seen={str(ip): n for ip, n in mapping(egress.get("seen")).items() if count(n) is not None},
            unregistered=tuple(str(ip) for ip in listed(egress.get("unregistered"))),
            client_versions={str(v): n for v, n in mapping(e.get("client_versions")).items() if count(n) is not None},
            tool_versions={str(v)[:64]: n for v, n in mapping(e.get("tool_versions")).items() if count(n) is not None},
            behind=tuple(Text.from_json(mapping(b).get("message")) for b in listed(e.get("behind"))[:MAX_PROBLEMS]))


MAX_NAMES = 20  # seats named per list in a round's row; the rest are counted


def _number(value: Any, fmt: str) -> str:
    n = number(value)
    return "-" if n is None else format(int(n) if fmt == "d" else n, fmt)


def _names(values: Any) -> str:
    names = [str(v) for v in listed(values)]
    shown = ", ".join(names[:MAX_NAMES])
    return (shown + (f" … +{len(names) - MAX_NAMES}" if len(names) > MAX_NAMES else "")) or "-"


def _when(value: Any, zone: tzinfo) -> str:
    from readiness.core.times import when

    start = number(value)
    return "-" if start is None else (when(start, zone) or "-")


@dataclass(frozen=True)
class Round:
    """One rehearsal round as its row says it: read from a stored round (GET /api/rehearsals/latest),
    which may lack anything: a missing figure is "-", never a crash."""

    id: str
    stopped: bool
    interrupted: bool
    start: str
    finished: str
    expected: str
    times: str
    status: str
    verdict: Text
    throughput: str
    unfinished: str
    failed: str
    late: str

    @classmethod
    def read(cls, r: Mapping[str, Any], zone: tzinfo) -> "Round":
        plan = number(r.get("plan_s")) or 80.0
        seats = r.get("seats")
        failed = [s.get("hostname") for s in seats if isinstance(s, Mapping) and s.get("status") == "failed"] \
            if isinstance(seats, list) else []
        unfinished = r.get("unfinished")
        unfinished = unfinished if isinstance(unfinished, list) else []
        worst = number(r.get("max_s"))
        if r.get("state") in ("scheduled", "running"):
            verdict, status = Text("under way", "进行中"), "error"
        elif unfinished or failed or (worst is not None and worst > plan):
            verdict, status = Text(f"not all within {plan:g} s", f"未全部在 {plan:g} 秒内"), "fail"
        elif worst is not None:
            verdict, status = Text(f"all within {plan:g} s", f"全部在 {plan:g} 秒内"), "pass"
        else:
            verdict, status = Text("no seat finished", "无机位完成"), "error"
        return cls(id=str(r.get("id", "-")), stopped=r.get("stopped") is True, interrupted=r.get("interrupted") is True,
                   start=_when(r.get("start_at"), zone), finished=_number(r.get("finished"), "d"),
                   expected=_number(r.get("expected"), "d"),
                   times=" / ".join(_number(r.get(k), ".1f") for k in ("p50_s", "p95_s", "max_s")),
                   status=status, verdict=verdict, throughput=_number(r.get("throughput_mbps"), ".1f"),
                   unfinished=_names(unfinished), failed=_names(failed), late=_names(r.get("late")))


@dataclass(frozen=True)
class CheckRow:
    """One check's result as a machine's page shows it."""

    id: str
    status: str
    title: Text  # the id when the report gives no title
    observed: Text
    expected: Text
    message: Text
    remedy: Text | None

    @classmethod
    def read(cls, value: Any) -> "CheckRow":
        r = mapping(value)
        cid, title = _key(r.get("id")), Text.from_json(r.get("title"))
        return cls(cid, _status(r.get("status")), title if title.en or title.zh else Text(cid, cid),
                   Text.from_json(r.get("observed")), Text.from_json(r.get("expected")),
                   Text.from_json(r.get("message")), Text.from_json(r.get("remedy")) if r.get("remedy") else None)


@dataclass(frozen=True)
class StoredMachine:
    """A report (or a facts snapshot) as the site server keeps it, read for the machine's page:
    its facts, its verdicts (re-judged when the server re-judges) and when it was checked."""

    hostname: str | None
    checked_at: str
    facts: Mapping[str, Any]
    results: tuple[CheckRow, ...]

    @property
    def status(self) -> str:
        """The machine's verdict, by the rulebook's precedence (as the site counts it); a report with
        no result at all could not decide ("error"), never "ready"."""
        return rules.overall(r.status for r in self.results).value if self.results else "error"

    @classmethod
    def read(cls, body: bytes, judge: Callable[[Mapping[str, Any], Mapping[str, Any]], list[dict[str, Any]]] | None
             ) -> "StoredMachine":
        import orjson

        doc = mapping(orjson.loads(body))
        snapshot = text_of(doc.get("schema")).startswith("readiness.facts")  # a facts snapshot is its own facts
        facts = doc if snapshot else mapping(doc.get("facts"))
        results = judge(facts, mapping(doc.get("site"))) if judge is not None else listed(doc.get("results"))
        host = mapping(facts.get("host")).get("hostname")
        return cls(host if isinstance(host, str) and host else None, text_of(doc.get("checked_at")), facts,
                   tuple(CheckRow.read(r) for r in results if isinstance(r, Mapping)))
