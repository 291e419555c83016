"""Folding machine summaries into one verdict per site, plus what only the set of machines shows:
the downlink against all seats, every egress IP against the registered ones, the client versions
in use, and whether every PC reported."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from readiness.core.inputs import Rejected
from readiness.site.aggregate.machines import Machine, split_check
from readiness.site.aggregate.reverted import EarlierRun, find_reverted
from readiness.core import rules
from readiness.core.i18n import Text
from readiness.core.model import Status
from readiness.core.profile import Profile
from readiness.core.versions import parse_version
from readiness.core.times import exam_zone, now_iso, parse_instant, zone_of

SITE_SCHEMA = "readiness.site/1"


@dataclass(frozen=True)
class SiteProblem:
    """A site-level problem, with its status and bilingual explanation."""

    status: Status
    what: Text


@dataclass(frozen=True)
class Behind:
    """PCs checked by a readiness that did not look for some of today's checks (it came before
    them): their reports lack those results, or the results skipped because the facts lack them."""

    version: str | None  # None: the reports carry no version
    hostnames: tuple[str, ...]
    checks: tuple[str, ...]
    titles: tuple[Text, ...]

    @property
    def what(self) -> Text:
        n = len(self.hostnames)
        pcs = Text("1 PC was", "1 台考试机") if n == 1 else Text(f"{n} PCs were", f"{n} 台考试机")
        by = (Text(f"readiness {self.version}", f"readiness {self.version}") if self.version
              else Text("a readiness that does not say its version", "未注明版本的 readiness"))
        en_checks = ", ".join(t.en for t in self.titles)
        zh_checks = "、".join(t.zh for t in self.titles)
        return Text(f"{pcs.en} checked by {by.en}, which did not look for: {en_checks}: check "
                    f"{'it' if n == 1 else 'them'} again with the current readiness.exe.",
                    f"{pcs.zh}由 {by.zh} 检查，该版本未检查：{zh_checks}。请用当前版本的 readiness.exe 重新检查。")

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "machines": len(self.hostnames), "hostnames": list(self.hostnames),
                "checks": list(self.checks), "message": self.what.to_dict()}


@dataclass
class SiteSummary:
    id: str
    name: str
    seats: int
    seats_source: str  # "profile", "reports" or "machines"
    status: Status
    counts: dict[str, int]
    checks: dict[str, dict[str, int]]
    machines: list[Machine]
    findings: list[SiteProblem]
    bandwidth: dict[str, Any]
    egress: dict[str, Any]
    client_versions: dict[str, int]
    remedies: dict[str, Text]
    titles: dict[str, Text] = field(default_factory=dict)  # check id -> the title a person reads
    tool_versions: dict[str, int] = field(default_factory=dict)  # the readiness that checked: machines
    behind: list[Behind] = field(default_factory=list)  # PCs checked by a readiness before today's checks

    def title(self, check_id: str) -> Text:
        return self.titles.get(check_id) or Text(check_id, check_id)

    @property
    def reports(self) -> int:
        return len(self.machines)

    @property
    def problem_machines(self) -> list[Machine]:
        return sorted((m for m in self.machines if m.status != "pass"),
                      key=lambda m: (rules.severity(m.status), m.hostname.lower()))

    def checks_with_problems(self) -> list[tuple[str, dict[str, int]]]:
        """The checks some machine fails, could not decide or warns on, with their counts."""
        return [(cid, c) for cid, c in self.checks.items() if c["fail"] or c["error"] or c["warn"]]

    def fixes(self) -> list[tuple[str, Text]]:
        """Each remedy of a check that a machine with problems has: what the site must do."""
        wanted = {p.check for m in self.problem_machines for p in m.problems}
        return [(cid, r) for cid, r in self.remedies.items() if cid in wanted]


@dataclass
class Aggregate:
    sites: list[SiteSummary]
    rejected: list[Rejected]
    superseded: list[dict[str, str]]
    mode: str  # "stored" or "rejudged"
    profile_source: str | None
    generated_at: str = field(default_factory=now_iso)  # in the site's zone (Aggregator.result): see `zone`

    @property
    def zone(self) -> tzinfo:
        """The site's zone, which every page and file of this aggregation shows its times in: the
        offset its generated_at is written with (the exam's: core.times.exam_zone)."""
        return zone_of(self.generated_at) or timezone.utc

    @property
    def status(self) -> Status:
        return rules.overall(s.status for s in self.sites) if self.sites else Status.ERROR

    @property
    def exit_code(self) -> int:
        return rules.exit_code(self.status)

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for s in self.sites:
            total.update(s.counts)
        return {k: total.get(k, 0) for k in ("pass", "warn", "fail", "error")}


def clone_key(machine_id: str, host: str) -> str:
    """The key of one of several hosts sending one machine id."""
    return f"{machine_id}@{host}"


class Aggregator:
    """Collects machines (the newest run of each counts) and rejected inputs."""

    def __init__(self, rules: Profile, rejudged: bool = False, now: datetime | None = None,
                 today: dict[str, Text] | None = None) -> None:
        """today: the checks this readiness has (id -> title): a PC whose report lacks one was
        checked by a version before it (without, only results that skipped for age say so)."""
        self.today = today or {}
        self.rules = rules  # the built-in profile unless --profile re-judges
        self.rejudged = rejudged
        self.now = now or datetime.now(timezone.utc)
        self.ahead: dict[str, str] = {}  # key -> the checked_at of a run dated later than it can have run
        self.latest: dict[str, Machine] = {}
        self.superseded: list[dict[str, str]] = []
        self.rejected: list[Rejected] = []
        self._hosts: dict[str, dict[str, str]] = {}  # machine id -> host names sending it (lower -> as sent)
        self._earlier: dict[str, list[EarlierRun]] = {}  # key -> the superseded runs of that machine

    def add(self, item: Machine | Rejected) -> None:
        if isinstance(item, Rejected):
            self.rejected.append(item)
            return
        item = self._apart(item)
        old = self.latest.get(item.key)
        if old is None:
            self.latest[item.key] = item
            return
        when_new, when_old = self._when(item), self._when(old)
        tie = when_new == when_old
        if tie:  # two runs at the same time: the worse counts, whatever the order the files came in
            newer, older = (item, old) if _rank(item) < _rank(old) else (old, item)
        else:
            newer, older = (item, old) if when_new > when_old else (old, item)
        self.latest[item.key] = newer
        self._earlier.setdefault(item.key, []).append(EarlierRun(self._when(older), older.checked_at, older.checks,
                                                                  older.marker_wrote))
        entry = {"path": older.source, "machine": older.hostname, "checked_at": older.checked_at, "by": newer.source}
        if tie:
            entry["tie"] = "same checked_at: the worse run counts"
        self.superseded.append(entry)

    def _when(self, m: Machine) -> datetime:
        """When a run counts as made: its checked_at, unless that is later than it can have run (the
        PC's clock is ahead: a report dated 2091 must not pin its seat). Then the server's receive
        time stands for it (a later report of the PC, made after that, wins); a file has none, and
        its run counts as older than any dated one."""
        when = _when(m)
        received = _parse(m.received_at) if m.received_at else None
        limit = (received or self.now) + CLOCK_SLACK
        if when <= limit:
            return when
        self.ahead[m.key] = m.checked_at
        # somewhere before its arrival: a report made around then (sent a moment later) still wins
        return received - CLOCK_SLACK if received else datetime.min.replace(tzinfo=timezone.utc)

    def _apart(self, m: Machine) -> Machine:
        """The clone rule, the only copy: PCs cloned from one disk image share a machine id, and two
        hosts sending one id are two machines (keyed by id and host name), never merged into one,
        which would hide one of them."""
        mid = m.machine_id
        if not mid:
            return m
        host = m.hostname.lower()
        hosts = self._hosts.setdefault(mid, {})
        if not hosts or (host in hosts and len(hosts) == 1):
            hosts[host] = m.hostname
            return m
        if len(hosts) == 1:  # the second host: the first one's machine moves to its own key
            (first,) = hosts
            earlier = self.latest.pop(mid, None)
            if earlier is not None:
                self.latest[clone_key(mid, first)] = earlier._replace(key=clone_key(mid, first))
            if mid in self._earlier:  # its earlier runs were the first host's too
                self._earlier[clone_key(mid, first)] = self._earlier.pop(mid)
            if mid in self.ahead:
                self.ahead[clone_key(mid, first)] = self.ahead.pop(mid)
        hosts.setdefault(host, m.hostname)
        return m._replace(key=clone_key(mid, host))

    def key_of(self, m: Machine) -> str:
        """The key a machine added earlier goes by now (a clone found later moves it to its own)."""
        if m.machine_id and len(self._hosts.get(m.machine_id, ())) > 1:
            return clone_key(m.machine_id, m.hostname.lower())
        return m.key

    def shared_ids(self) -> dict[str, list[str]]:
        """machine id -> the distinct host names sending it, for ids sent by more than one host."""
        return {mid: sorted(names.values(), key=str.lower) for mid, names in self._hosts.items() if len(names) > 1}

    def result(self) -> Aggregate:
        groups: dict[str, list[Machine]] = defaultdict(list)
        for key, m in self.latest.items():
            earlier = self._earlier.get(key)
            if earlier:
                m = m._replace(reverted=find_reverted(self._when(m), m.checks, earlier, m.marker_read))
            groups[m.site_id].append(m)
        sites = [self._site(sid, ms) for sid, ms in sorted(groups.items())]
        return Aggregate(sites, self.rejected, self.superseded, "rejudged" if self.rejudged else "stored",
                         self.rules.source if self.rejudged else None, now_iso(zone=exam_zone(self.rules)))

    def _site(self, site_id: str, machines: list[Machine]) -> SiteSummary:
        machines.sort(key=lambda m: m.hostname.lower())
        own = self._site_profile(site_id)
        names = Counter(m.site_name for m in machines if m.site_name)
        name = (own["site.name"] if own is not None else "") or _most_said(names) or ""
        claims: Counter[int] = Counter(m.site_seats for m in machines if m.site_seats)
        if own is not None:  # the manager's profile names the site and its seats: no PC changes them
            seats, seats_source = own["site.seats"], "profile"
        elif claims:  # what most reports say, never one PC's word (seats = 100000 from one report)
            seats, seats_source = _most_said(claims), "reports"
        else:
            seats, seats_source = len(machines), "machines"
        counts = Counter(m.status for m in machines)
        checks: dict[str, Counter[str]] = defaultdict(Counter)
        remedies: dict[str, Text] = {}
        titles: dict[str, Text] = {}
        for m in machines:
            for entry, title in zip(m.checks, m.titles):
                cid, st = split_check(entry)
                checks[cid][st] += 1
                titles.setdefault(cid, title)
            for p in m.problems:
                if p.remedy and p.check not in remedies:
                    remedies[p.check] = p.remedy
        findings: list[SiteProblem] = []
        listening = own["site.listening"] if own is not None else any(m.site_listening for m in machines)
        bandwidth = self._bandwidth(machines, seats, listening, findings)
        egress = self._egress(site_id, machines, findings)
        ahead = [m for m in machines if m.key in self.ahead]  # machines are sorted by host name already
        if ahead:
            pcs = ", ".join(f"{m.hostname} ({self.ahead[m.key]})" for m in ahead)
            findings.append(SiteProblem(Status.WARN, Text(
                f"The clock of {pcs} is ahead: the report is dated later than it can have been made, so the "
                "newest by arrival counts. Set the PC's time (Settings → Time & language → Sync now, or w32tm /resync).",
                f"{pcs} 的时钟超前：报告时间晚于其实际生成时间，已按接收先后取最新。请校准该机时间"
                "（设置 → 时间和语言 → 立即同步，或 w32tm /resync）。")))
        if seats_source == "reports" and len(claims) > 1:
            said = ", ".join(f"{n} ({k})" for n, k in sorted(claims.items(), key=lambda c: (-c[1], c[0])))
            findings.append(SiteProblem(Status.WARN, Text(
                f"The reports disagree on the seat count: {said} (seats (reports)); {seats} is counted. Set site.seats "
                "in the profile given to aggregate or serve.",
                f"各报告的机位数不一致：{said}（机位数（报告数））；按 {seats} 计。请在 aggregate 或 serve 使用的考点配置中设置 site.seats。")))
        missing = seats - len(machines)
        if missing > 0:
            findings.append(SiteProblem(Status.WARN, Text(
                f"{missing} of {seats} seats sent no report.", f"{seats} 个机位中有 {missing} 个未提交报告。")))
        elif missing < 0:  # more PCs than seats: not "every seat reported"
            findings.append(SiteProblem(Status.WARN, Text(
                f"{len(machines)} PCs reported for {seats} seats: a seat count too low (site.seats), or PCs reporting "
                "under two names (a PC renamed or re-imaged: compare the host names).",
                f"{seats} 个机位却有 {len(machines)} 台考试机提交了报告：机位数（site.seats）设得太少，或有考试机以两个"
                "名称提交（改名或重装过的电脑：请核对计算机名）。")))
        behind = self._behind(machines)
        statuses = [Status(m.status) for m in machines] + [f.status for f in findings]
        return SiteSummary(
            id=site_id, name=name, seats=seats, seats_source=seats_source,
            status=rules.overall(statuses),
            counts={k: counts.get(k, 0) for k in ("pass", "warn", "fail", "error")},
            checks={cid: {k: c.get(k, 0) for k in ("pass", "warn", "fail", "skip", "error")} for cid, c in sorted(checks.items())},
            machines=machines, findings=findings, bandwidth=bandwidth, egress=egress,
            client_versions=dict(Counter(m.client_version or "?" for m in machines).most_common()),
            remedies=remedies, titles=titles,
            tool_versions=dict(sorted(Counter(m.tool_version or "?" for m in machines).items(), key=_by_version)),
            behind=behind)

    def _behind(self, machines: list[Machine]) -> list[Behind]:
        groups: dict[tuple[str | None, tuple[str, ...]], list[str]] = defaultdict(list)
        titles: dict[str, Text] = dict(self.today)
        for m in machines:
            ran = {split_check(e)[0] for e in m.checks}
            lacking = [cid for cid in self.today if cid not in ran]
            lacking += [cid for cid in m.aged if cid not in lacking]
            if lacking:
                for entry, title in zip(m.checks, m.titles):
                    titles.setdefault(split_check(entry)[0], title)
                groups[(m.tool_version, tuple(sorted(lacking)))].append(m.hostname)
        out = [Behind(v, tuple(hosts), checks, tuple(titles.get(c) or Text(c, c) for c in checks))
               for (v, checks), hosts in groups.items()]
        return sorted(out, key=lambda b: (_by_version((b.version or "?", 0)), b.checks))

    def _bandwidth(self, machines: list[Machine], seats: int, listening: bool, findings: list[SiteProblem]) -> dict[str, Any]:
        per_seat = rules.per_seat_mbps(self.rules, listening)
        required = rules.required_mbps(self.rules, seats, listening)
        values = sorted(m.bandwidth_mbps for m in machines if m.bandwidth_mbps is not None)
        out: dict[str, Any] = {"required_mbps": required, "per_seat_mbps": per_seat, "measured": len(values),
                               "best_mbps": None, "median_mbps": None, "load_s": None, "plan_load_s": rules.PLAN_LOAD_S}
        if not values:
            return out
        best = values[-1]
        paper = self.rules["bandwidth.paper_mb"]
        out.update(best_mbps=best, median_mbps=round(statistics.median(values), 2),
                   load_s=round(rules.load_seconds(seats, paper, best), 1))
        status = rules.downlink_status(best, required, self.rules["bandwidth.tolerance_percent"])
        if status is not Status.PASS:
            findings.append(SiteProblem(status, Text(
                f"Downlink: the best PC measured {best:.1f} Mbit/s; {seats} seats need {required:g} Mbit/s.",
                f"下行带宽：测得最高 {best:.1f} Mbit/s，{seats} 个机位需要 {required:g} Mbit/s。")))
        return out

    def _site_profile(self, site_id: str) -> Profile | None:
        """The profile when it speaks for this site (one without site.id only brings new rules)."""
        p = self.rules
        return p if self.rejudged and p["site.id"] and p["site.id"] == site_id else None

    def _egress(self, site_id: str, machines: list[Machine], findings: list[SiteProblem]) -> dict[str, Any]:
        own = self._site_profile(site_id)
        if own is not None:
            registered = rules.registered_set(own["site.public_ips"])
        else:
            registered = rules.registered_set(ip for m in machines for ip in m.site_ips)
        seen: dict[str, int] = Counter(rules.normalize_ip(ip) for m in machines for ip in m.egress_ips)
        unregistered = sorted(rules.unregistered_ips(seen, registered))
        if unregistered and registered:
            findings.append(SiteProblem(Status.FAIL, Text(
                f"Unregistered egress IP {', '.join(unregistered)}: candidates there will be told to take the exam "
                "within the site. Register every egress IP (考点维护 → 考点信息变动 → 登记考点公网 IP).",
                f"未登记的出口 IP：{', '.join(unregistered)}，考生将提示“请在考场范围内进行考试”。"
                "请在“考点维护 → 考点信息变动 → 登记考点公网 IP”中登记全部出口 IP。")))
        elif seen and not registered:
            findings.append(SiteProblem(Status.WARN, Text(
                f"Egress IPs seen ({', '.join(sorted(seen))}) cannot be checked: no registered IPs are known.",
                f"无法核对出口 IP（{', '.join(sorted(seen))}）：未提供已登记的公网 IP。")))
        return {"seen": dict(sorted(seen.items())), "registered": sorted(registered), "unregistered": unregistered}


def _by_version(item: tuple[str, int]) -> tuple[Any, ...]:
    """Oldest first, compared as numbers (0.9.0 before 0.10.0); no version first of all."""
    parsed = parse_version(item[0])
    return (0, ()) if parsed is None else (1, parsed)


def _rank(m: Machine) -> tuple[int, str]:
    """Worse first; between equally bad runs the file name decides, never the reading order."""
    return rules.severity(m.status), m.source


def _most_said(claims: "Counter[Any]") -> Any:
    """The value most reports give; between equally many, the smallest (never the loudest)."""
    return min(claims.items(), key=lambda c: (-c[1], c[0]))[0] if claims else None


CLOCK_SLACK = timedelta(minutes=5)  # a PC clock this far ahead of the receiver is still believed


def _parse(text: str) -> datetime | None:
    """The one rule (readiness.core.times): a checked_at without its offset is a run of unknown time."""
    return parse_instant(text)


def _when(m: Machine) -> datetime:
    return _parse(m.checked_at) or datetime.min.replace(tzinfo=timezone.utc)
