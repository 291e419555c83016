"""One report file → a small per-machine summary (or the reason it was rejected).

Only the summary is kept: aggregation streams through any number of reports in bounded memory.
With a profile the machine's stored facts are re-judged; otherwise its stored verdicts count.
"""

from __future__ import annotations

from sys import intern
from typing import Any, Callable, Mapping, NamedTuple, Protocol

from readiness.core import rules
from readiness.site.aggregate.reverted import Reverted
from readiness.core.inputs import MAX_REPORT_BYTES, TOO_LARGE, Rejected, Source
from readiness.core.facts import SKIPPABLE_SECTIONS, SnapshotError, decode_json_bytes, describe, parse_schema
from readiness.core.i18n import Text, TextError
from readiness.core.names import MAX_NAME, shown
from readiness.core.model import Status
from readiness.core.versions import newer_major, tool_version

class Rejudge(Protocol):
    """Results for stored facts (and the report's own site) by new rules; `site` is the profile's
    own site when it names one (the judged machines belong to it), `source` the profile's name."""

    site: Mapping[str, Any] | None
    source: str

    def __call__(self, facts: Mapping[str, Any], site: Mapping[str, Any]) -> list[dict[str, Any]]: ...
STATUSES = {s.value for s in Status}


class Problem(NamedTuple):  # immutable like a frozen dataclass, built and pickled several times faster
    check: str
    status: str
    observed: Text
    remedy: Text | None
    title: Text | None = None  # what a person reads; the id stays in JSON

    @property
    def name(self) -> Text:
        return self.title or Text(self.check, self.check)


class Machine(NamedTuple):
    """Kept for every machine, so it is small (a tuple; repeated strings shared, interned) and
    quick to build and to send back from a worker process: one is made per report."""

    key: str
    hostname: str
    machine_id: str | None
    site_id: str
    site_name: str
    site_seats: int | None  # None when the report was judged with the built-in profile
    site_listening: bool
    site_ips: tuple[str, ...]
    checked_at: str
    status: str
    checks: tuple[str, ...]  # "id:status", interned
    titles: tuple[Text, ...]  # each check's title, in the order of checks (shared Texts)
    problems: tuple[Problem, ...]
    bandwidth_mbps: float | None
    egress_ips: tuple[str, ...]
    client_version: str | None
    os: str | None
    memory_gib: float | None
    disk_gb: float | None
    source: str
    reverted: tuple[Reverted, ...] = ()  # checks that passed in an earlier report of this machine
    received_at: str | None = None  # when the site server got it (None: a file read by aggregate)
    tool_version: str | None = None  # the readiness that checked it (the report's, else the facts')
    aged: tuple[str, ...] = ()  # checks that skipped because an older readiness did not collect their facts
    marker_wrote: str | None = None  # the id of the boot marker's stamp this run left (restore.boot_marker)
    marker_read: tuple[str, ...] | None = None  # the ids it found there; None: not read (or an older tool)


def _dig(doc: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(p)
    return doc


_EMPTY: Mapping[str, Any] = {}


def _obj(v: Any) -> Mapping[str, Any]:
    return v if type(v) is dict else _EMPTY


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _num(v: Any) -> float | None:
    t = type(v)
    return float(v) if t is int or t is float else None


def _interned(v: str | None) -> str | None:
    return intern(v) if v is not None else None


def split_check(entry: str) -> tuple[str, str]:
    check_id, _, status = entry.rpartition(":")
    return check_id, status


_OPTIONAL = (str, type(None))
_CHECK_KEYS: dict[tuple[str, str], str] = {}  # (id, status) -> the interned "id:status"
_TEXTS: dict[Any, Text] = {}  # one Text per distinct wording: most machines share them
_PROBLEM_STATUSES = frozenset({"fail", "error", "warn"})


def _text(v: Any) -> Text:
    """The shared Text for a validated report text (str or {"en", "zh"})."""
    key = v if type(v) is str else (v["en"], v["zh"])
    t = _TEXTS.get(key)
    if t is None:
        if len(_TEXTS) > 50_000:  # hostile variety must not grow memory without bound
            _TEXTS.clear()
        t = _TEXTS[key] = Text(key, key) if type(key) is str else Text(key[0], key[1])
    return t


class BadReport(TextError, ValueError):
    """A report that cannot be read as one; the reason names the field, in both languages."""


AN_OBJECT, A_STRING, A_TEXT = Text("an object", "对象"), Text("a string", "字符串"), Text("a text", "文本")
STRINGS = Text("a list of strings", "字符串列表")
NO_RESULTS = Text("no results: not a readiness report", "没有检查结果：不是 readiness 报告")
NO_ID = Text("a result without a valid id and status", "有检查结果缺少有效的 id 和状态")


def _not_a(field: str, value: Any, what: Text) -> BadReport:
    return BadReport(Text(f"{field} is {describe(value)}, not {what.en}", f"{field} 为 {describe(value)}，不是{what.zh}"))


def _results(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    results = doc.get("results")
    if type(results) is not list or not results:
        raise BadReport(NO_RESULTS)
    return results


def _bad_text(rid: Any, key: str, v: Any) -> BadReport:
    return _not_a(f"result {rid!r}: {key}", v, A_TEXT)


def _fold(results: list[Any]) -> tuple[tuple[str, ...], tuple[Text, ...], tuple[Problem, ...], str]:
    """(the interned "id:status" of every result, the problems, the machine's status) in one pass
    that also checks every type the site pages show (plain type checks, inlined: this loop runs
    for every result of every report)."""
    keys = _CHECK_KEYS
    checks: list[str] = []
    titles: list[Text] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    r: Any
    rid: Any
    st: Any
    observed: Any
    remedy: Any
    for r in results:
        if type(r) is not dict:
            raise BadReport(NO_ID)
        rid, st = r.get("id"), r.get("status")
        entry = keys.get((rid, st)) if type(rid) is str else None
        if entry is None:
            if type(rid) is not str or st not in STATUSES:
                raise BadReport(NO_ID)
            entry = keys[(rid, st)] = intern(f"{rid}:{st}")
        checks.append(entry)
        title: Any = r.get("title")
        t = type(title)
        ok = t is str or (t is dict and type(title.get("en")) is str and type(title.get("zh")) is str)
        titles.append(_text(title) if ok and title else _text(rid))  # an older or odd report: its id
        seen.add(st)
        observed, remedy = r.get("observed"), r.get("remedy")
        t = type(observed)
        if t is not str and (t is not dict or type(observed.get("en")) is not str or type(observed.get("zh")) is not str):
            raise _bad_text(rid, "observed", observed)
        if remedy is not None:
            t = type(remedy)
            if t is not str and (t is not dict or type(remedy.get("en")) is not str or type(remedy.get("zh")) is not str):
                raise _bad_text(rid, "remedy", remedy)
        if st in _PROBLEM_STATUSES:
            fix = _text(remedy) if remedy else None
            problems.append(Problem(rid, st, _text(observed), fix if fix is not None and (fix.en or fix.zh) else None,
                                    titles[-1]))
    status = rules.overall(seen).value
    return tuple(checks), tuple(titles), tuple(problems), status


def _check_site(site: Any) -> dict[str, Any]:
    """The report's site block with the types the site page shows; ValueError names the field."""
    if type(site) is not dict:
        raise _not_a("site", site, AN_OBJECT)
    for key in ("id", "name"):
        if type(site.get(key)) not in _OPTIONAL:
            raise _not_a(f"site.{key}", site.get(key), A_STRING)
    seats = site.get("seats")
    if seats is not None and (type(seats) is not int or seats < 1):
        raise _not_a("site.seats", seats, Text("a number of seats", "座位数"))
    if type(site.get("listening")) not in (bool, type(None)):
        raise _not_a("site.listening", site.get("listening"), Text("true or false", "true 或 false"))
    ips = site.get("public_ips")
    if ips is not None and (type(ips) is not list or any(type(i) is not str for i in ips)):
        raise _not_a("site.public_ips", ips, STRINGS)
    return site


def _check_facts(facts: Mapping[str, Any]) -> None:
    schema = facts.get("schema")
    if type(schema) is str and schema.startswith("readiness.report"):
        raise BadReport(Text("a report inside a report: its facts must be a facts snapshot",
                             "报告中嵌套了报告：其 facts 必须是信息快照"))
    host = facts.get("host")
    if host is not None:
        if type(host) is not dict:
            raise _not_a("facts.host", host, AN_OBJECT)
        for key in ("hostname", "machine_id"):
            if type(host.get(key)) not in _OPTIONAL:
                raise _not_a(f"facts.host.{key}", host.get(key), A_STRING)
            if len(host.get(key) or "") > MAX_NAME:
                raise BadReport(Text(f"facts.host.{key} is longer than {MAX_NAME} characters: not a computer's name",
                                     f"facts.host.{key} 超过 {MAX_NAME} 个字符：不是计算机名"))
    ips = _dig(facts, "network", "public_ip", "ips")
    if ips is not None and (type(ips) is not list or any(type(i) is not str for i in ips)):
        raise _not_a("facts.network.public_ip.ips", ips, STRINGS)


def left_out_hardware(facts: Mapping[str, Any]) -> list[str]:
    """Sections a snapshot left out that the plan's hardware rules need (only the network may be)."""
    skipped = facts.get("not_collected")
    if not skipped or type(skipped) is not dict:
        return []
    return sorted(k for k in skipped if str(k).split(".")[0] not in SKIPPABLE_SECTIONS)


LEFT_OUT_REMEDY = Text("Run `readiness check` on this PC again: its report lacks the hardware facts.",
                       "请在本机重新运行 `readiness check`：报告缺少硬件信息。")


SENDER_SCHEMAS = ("readiness.site", "readiness.branch")  # documents of a whole site or branch (branch/rollup.py)


def decode(raw: bytes, label: str) -> dict[str, Any] | Rejected:
    """One input's JSON object, or why it is not one (read once, whatever its schema)."""
    if len(raw) > MAX_REPORT_BYTES:
        return Rejected(label, TOO_LARGE)
    try:
        doc = decode_json_bytes(raw, label)
    except SnapshotError as exc:
        return Rejected(label, exc.problem)
    if not isinstance(doc, dict):
        return Rejected(label, Text("JSON of another shape: not a readiness report", "JSON 结构不符：不是 readiness 报告"))
    return doc


def is_sender_document(doc: Mapping[str, Any]) -> bool:
    """A site's or a branch's document (`readiness.site/1`, `readiness.branch/1`), not a machine's."""
    schema = parse_schema(doc.get("schema"))
    return schema is not None and schema[0] in SENDER_SCHEMAS  # a newer major one is refused at the branch's door


def read_machine(raw: bytes, src: Source, judge: Rejudge | None, who: str = "tool") -> Machine | Rejected:
    doc = decode(raw, src.label)
    return doc if isinstance(doc, Rejected) else machine_from(doc, src, judge, who)


def _newer(label: str, doc: Mapping[str, Any], reads: str, who: str) -> Rejected:
    return Rejected(label, newer_major(str(doc.get("schema")), reads, doc, who))


def kept_from_newer(doc: Mapping[str, Any], today: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's own results for checks this version does not have (a newer PC's `usb-ports:
    fail`): kept as the PC judged them, never dropped by re-judging (they are checked at the door
    like any result, by _fold)."""
    stored = doc.get("results")
    if type(stored) is not list:
        return today
    known = {r.get("id") for r in today}
    return today + [r for r in stored if type(r) is dict and type(r.get("id")) is str and r["id"] not in known]


def _aged(results: list[Any]) -> tuple[str, ...]:
    return tuple(intern(r["id"]) for r in results if type(r) is dict and r.get("status") == "skip"
                 and type(r.get("details")) is dict and "collected_by" in r["details"] and type(r.get("id")) is str)


def machine_from(doc: dict[str, Any], src: Source, judge: Rejudge | None, who: str = "tool") -> Machine | Rejected:
    """who: whose door reads it ("tool" for aggregate, "site" for the site server): a new major
    schema is refused with the advice to update that."""
    label = src.label
    raw_schema = doc.get("schema")
    schema = ("readiness.report", 1) if raw_schema == "readiness.report/1" else parse_schema(raw_schema)
    if schema is None:
        return Rejected(label, Text("no \"schema\": not a readiness report", "没有 \"schema\"：不是 readiness 报告"))
    name, version = schema
    source: str | None = None  # the profile the results come from, when re-judged
    try:
        if name == "readiness.facts" and version > 1:
            return _newer(label, doc, "readiness.facts/1", who)
        if name == "readiness.facts" and version == 1:
            if judge is None:
                return Rejected(label, Text("a facts snapshot, not a report: pass --profile to judge it",
                                            "这是信息快照而不是报告：请加 --profile 来判定它"))
            facts: dict[str, Any] = doc
            site: Mapping[str, Any] = {}
            _check_facts(facts)
            results = judge(facts, site)
            site, source = judge.site or site, judge.source
        elif name == "readiness.report":
            if version > 1:
                return _newer(label, doc, "readiness.report/1", who)
            facts = doc.get("facts") or {}
            if type(facts) is not dict:
                raise _not_a("facts", facts, AN_OBJECT)
            site = _check_site(doc.get("site") or {})
            _check_facts(facts)
            if type(doc.get("checked_at")) not in _OPTIONAL:
                raise _not_a("checked_at", doc.get("checked_at"), Text("a time", "时间"))
            if judge is not None:
                if not facts:
                    return Rejected(label, Text("the report carries no facts to re-judge", "报告中没有可重新判定的信息"))
                results = kept_from_newer(doc, judge(facts, site))
                site, source = judge.site or site, judge.source
            else:
                results = _results(doc)
                missing = left_out_hardware(facts)
                if missing:  # judged by an older tool as skips: without these facts it cannot be ready
                    results = results + [{"id": "facts", "status": "error",
                                          "title": Text("Facts collected", "采集的信息").to_dict(), "observed": Text(
                        f"not collected: {', '.join(missing)}", f"未采集：{', '.join(missing)}").to_dict(),
                        "remedy": LEFT_OUT_REMEDY.to_dict()}]
        else:
            return Rejected(label, Text(f"schema {doc['schema']!r} is not a machine report",
                                        f"格式 {doc['schema']!r} 不是考试机报告"))
        return _machine(doc, facts, site, results, label, source)  # its checks of the results' types raise too
    except ValueError as exc:  # BadReport, worded where raised; any other: its words, framed in Chinese
        return Rejected(label, exc.reason if isinstance(exc, TextError) else
                        Text(str(exc), f"无法作为报告读取（{exc}）"))


def _machine(doc: Mapping[str, Any], facts: Mapping[str, Any], site: Mapping[str, Any],
             results: list[dict[str, Any]], label: str, source: str | None = None) -> Machine:
    statuses, titles, problems, summary = _fold(results)
    host = _obj(facts.get("host"))  # direct lookups: this runs once per report, 100,000 times a branch
    hostname = shown(host.get("hostname") or "") or label  # types checked and length bounded in _check_facts
    machine_id = host.get("machine_id") or None
    custom = source or _str(_obj(doc.get("profile")).get("source"))  # re-judged: the new profile's
    seats = site.get("seats")
    seats = seats if type(seats) is int and custom and not custom.startswith("built-in") else None
    ips = site.get("public_ips")
    network = _obj(facts.get("network"))
    egress = _obj(network.get("public_ip")).get("ips")
    disks = facts.get("disks")
    disk_total = 0
    if type(disks) is list:
        for d in disks:
            if type(d) is dict and d.get("kind") == "fixed":
                disk_total += int(_num(d.get("total_bytes")) or 0)
    os_facts = _obj(facts.get("os"))
    build, system = os_facts.get("build"), os_facts.get("system")
    memory = _obj(facts.get("memory"))
    installed = _num(memory.get("installed_bytes")) or _num(memory.get("usable_bytes"))
    site_id, site_name = site.get("id"), site.get("name")
    wrote, read = boot_marker_ids(facts)
    return Machine(
        key=machine_id or hostname.lower(), hostname=hostname, machine_id=machine_id,
        site_id=intern(site_id) if site_id else "", site_name=intern(site_name) if site_name else "", site_seats=seats,
        site_listening=site.get("listening") is True,
        site_ips=tuple(map(intern, ips)) if ips else (),
        checked_at=_str(doc.get("checked_at")) or _str(facts.get("collected_at")) or "",
        status=intern(summary), checks=statuses, titles=titles, problems=problems,
        bandwidth_mbps=_num(_obj(network.get("bandwidth")).get("download_mbps")),
        egress_ips=tuple(map(intern, egress)) if egress else (),
        client_version=_interned(_str(_obj(facts.get("client")).get("version"))),
        os=intern(f"{_str(system) or '?'} {build}") if build or system else None,
        memory_gib=round(installed / 2**30, 1) if installed else None,
        disk_gb=round(disk_total / 1e9) if disk_total else None, source=label, marker_wrote=wrote, marker_read=read,
        tool_version=_interned(tool_version(doc) or tool_version(facts)), aged=_aged(results))


def boot_marker_ids(facts: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...] | None]:
    """(the stamp id this run left, the ids it found) of a snapshot's restore.boot_marker; an id is
    a short string or it is not one (a hostile report cannot grow what is kept)."""
    marker = _obj(_obj(facts.get("restore")).get("boot_marker"))
    now = _obj(marker.get("now"))
    wrote = now.get("id") if marker.get("written") is True and type(now.get("id")) is str else None
    stamps = marker.get("stamps")
    read = None
    if type(stamps) is list and len(stamps) <= 64:
        read = tuple(s["id"] for s in stamps if type(s) is dict and type(s.get("id")) is str and len(s["id"]) <= 64)
    return (wrote if wrote and len(wrote) <= 64 else None), read
