"""One report file → a small per-machine summary (or the reason it was rejected).

Only the summary is kept: aggregation streams through any number of reports in bounded memory.
With a profile the machine's stored facts are re-judged; otherwise its stored verdicts count.
"""

from __future__ import annotations

from dataclasses import dataclass
from sys import intern
from typing import Any, Callable, Mapping

from readiness.aggregate.inputs import MAX_REPORT_BYTES, Rejected, Source
from readiness.facts import SKIPPABLE_SECTIONS, SnapshotError, decode_json_bytes, describe, parse_schema
from readiness.i18n import Text
from readiness.model import Status

Judge = Callable[[Mapping[str, Any], Mapping[str, Any]], list[dict[str, Any]]]  # (facts, report's site)
STATUSES = {s.value for s in Status}


@dataclass(frozen=True, slots=True)
class Problem:
    check: str
    status: str
    observed: Text
    remedy: Text | None


@dataclass(frozen=True, slots=True)
class Machine:
    """Kept for every machine, so it is small: slots, and repeated strings shared (interned)."""

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
    problems: tuple[Problem, ...]
    bandwidth_mbps: float | None
    egress_ips: tuple[str, ...]
    client_version: str | None
    os: str | None
    memory_gib: float | None
    disk_gb: float | None
    source: str


def _dig(doc: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(p)
    return doc


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _interned(v: str | None) -> str | None:
    return intern(v) if v is not None else None


def split_check(entry: str) -> tuple[str, str]:
    check_id, _, status = entry.rpartition(":")
    return check_id, status


def _is_text(v: Any) -> bool:
    """A report's text: a string, or {"en": str, "zh": str} (plain type checks: this runs per result)."""
    t = type(v)
    return t is str or (t is dict and type(v.get("en")) is str and type(v.get("zh")) is str)


_OPTIONAL = (str, type(None))


def _results(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    results = doc.get("results")
    if type(results) is not list or not results:
        raise ValueError("no results: not a readiness report")
    for r in results:
        if type(r) is not dict or type(r.get("id")) is not str or r.get("status") not in STATUSES:
            raise ValueError("a result without a valid id and status")
        for key in ("observed", "title"):
            if not _is_text(r.get(key)):
                raise ValueError(f"result {r['id']!r}: {key} is {describe(r.get(key))}, not a text")
        remedy = r.get("remedy")
        if remedy is not None and not _is_text(remedy):
            raise ValueError(f"result {r['id']!r}: remedy is {describe(remedy)}, not a text")
    return results  # type: ignore[return-value]


def _check_site(site: Any) -> dict[str, Any]:
    """The report's site block with the types the site page shows; ValueError names the field."""
    if type(site) is not dict:
        raise ValueError(f"site is {describe(site)}, not an object")
    for key in ("id", "name"):
        if type(site.get(key)) not in _OPTIONAL:
            raise ValueError(f"site.{key} is {describe(site.get(key))}, not a string")
    seats = site.get("seats")
    if seats is not None and (type(seats) is not int or seats < 1):
        raise ValueError(f"site.seats is {describe(seats)}, not a number of seats")
    if type(site.get("listening")) not in (bool, type(None)):
        raise ValueError(f"site.listening is {describe(site.get('listening'))}, not true or false")
    ips = site.get("public_ips")
    if ips is not None and (type(ips) is not list or any(type(i) is not str for i in ips)):
        raise ValueError(f"site.public_ips is {describe(ips)}, not a list of strings")
    return site


def _check_facts(facts: Mapping[str, Any]) -> None:
    schema = facts.get("schema")
    if type(schema) is str and schema.startswith("readiness.report"):
        raise ValueError("a report inside a report: its facts must be a facts snapshot")
    host = facts.get("host")
    if host is not None:
        if type(host) is not dict:
            raise ValueError(f"facts.host is {describe(host)}, not an object")
        for key in ("hostname", "machine_id"):
            if type(host.get(key)) not in _OPTIONAL:
                raise ValueError(f"facts.host.{key} is {describe(host.get(key))}, not a string")
    ips = _dig(facts, "network", "public_ip", "ips")
    if ips is not None and (type(ips) is not list or any(type(i) is not str for i in ips)):
        raise ValueError(f"facts.network.public_ip.ips is {describe(ips)}, not a list of strings")


def left_out_hardware(facts: Mapping[str, Any]) -> list[str]:
    """Sections a snapshot left out that the plan's hardware rules need (only the network may be)."""
    skipped = facts.get("not_collected")
    if not skipped or type(skipped) is not dict:
        return []
    return sorted(k for k in skipped if str(k).split(".")[0] not in SKIPPABLE_SECTIONS)


LEFT_OUT_REMEDY = Text("Run `readiness check` on this PC again: its report lacks the hardware facts.",
                       "请在本机重新运行 `readiness check`：报告缺少硬件信息。")


def summarize(raw: bytes, src: Source, judge: Judge | None) -> Machine | Rejected:
    label = src.label
    if len(raw) > MAX_REPORT_BYTES:
        return Rejected(label, f"larger than {MAX_REPORT_BYTES // 2**20} MiB: not a report")
    try:
        doc = decode_json_bytes(raw, label)
    except SnapshotError as exc:
        return Rejected(label, str(exc).removeprefix(label + ": "))
    if not isinstance(doc, dict):
        return Rejected(label, "JSON of another shape: not a readiness report")
    schema = parse_schema(doc.get("schema"))
    if schema is None:
        return Rejected(label, "no \"schema\": not a readiness report")
    name, version = schema
    try:
        if name == "readiness.facts" and version == 1:
            if judge is None:
                return Rejected(label, "a facts snapshot, not a report: pass --profile to judge it")
            facts: dict[str, Any] = doc
            site: dict[str, Any] = {}
            _check_facts(facts)
            results = judge(facts, site)
        elif name == "readiness.report":
            if version > 1:
                return Rejected(label, f"report schema {doc['schema']} is newer than this tool; upgrade exam-readiness")
            facts = doc["facts"] if type(doc.get("facts")) is dict else {}
            site = _check_site(doc.get("site") or {})
            _check_facts(facts)
            if type(doc.get("checked_at")) not in _OPTIONAL:
                raise ValueError(f"checked_at is {describe(doc.get('checked_at'))}, not a time")
            if judge is not None:
                if not facts:
                    return Rejected(label, "the report carries no facts to re-judge")
                results = judge(facts, site)
            else:
                results = _results(doc)
                missing = left_out_hardware(facts)
                if missing:  # judged by an older tool as skips: without these facts it cannot be ready
                    results = results + [{"id": "facts", "status": "error", "observed": Text(
                        f"not collected: {', '.join(missing)}", f"未采集：{', '.join(missing)}").to_dict(),
                        "remedy": LEFT_OUT_REMEDY.to_dict()}]
        else:
            return Rejected(label, f"schema {doc['schema']!r} is not a machine report")
    except ValueError as exc:
        return Rejected(label, str(exc))
    return _machine(doc, facts, site, results, label)


def _machine(doc: Mapping[str, Any], facts: Mapping[str, Any], site: Mapping[str, Any],
             results: list[dict[str, Any]], label: str) -> Machine:
    statuses = tuple(intern(f"{r['id']}:{r['status']}") for r in results)
    seen = {r["status"] for r in results}  # Summary.from_statuses' rule, without building enums
    summary = next((s for s in ("fail", "error", "warn") if s in seen), "pass")
    problems = tuple(Problem(r["id"], r["status"], Text.from_json(r.get("observed")),
                             Text.from_json(r["remedy"]) if r.get("remedy") else None)
                     for r in results if r["status"] in ("fail", "error", "warn"))
    hostname = _str(_dig(facts, "host", "hostname")) or label
    machine_id = _str(_dig(facts, "host", "machine_id"))
    custom = _str(_dig(doc, "profile", "source"))
    seats = site.get("seats") if isinstance(site.get("seats"), int) and custom and not custom.startswith("built-in") else None
    ips = site.get("public_ips")
    egress = _dig(facts, "network", "public_ip", "ips")
    disks: list[Any] = facts["disks"] if isinstance(facts.get("disks"), list) else []
    disk_total = sum(int(_num(d.get("total_bytes")) or 0) for d in disks if isinstance(d, dict) and d.get("kind") == "fixed")
    build = _dig(facts, "os", "build")
    installed = _num(_dig(facts, "memory", "installed_bytes")) or _num(_dig(facts, "memory", "usable_bytes"))
    return Machine(
        key=machine_id or hostname.lower(), hostname=hostname, machine_id=machine_id,
        site_id=intern(str(site.get("id") or "")), site_name=intern(str(site.get("name") or "")), site_seats=seats,
        site_listening=site.get("listening") is True,
        site_ips=tuple(intern(str(i)) for i in ips) if isinstance(ips, list) else (),
        checked_at=_str(doc.get("checked_at")) or _str(facts.get("collected_at")) or "",
        status=intern(summary), checks=statuses, problems=problems,
        bandwidth_mbps=_num(_dig(facts, "network", "bandwidth", "download_mbps")),
        egress_ips=tuple(intern(str(i)) for i in egress) if isinstance(egress, list) else (),
        client_version=_interned(_str(_dig(facts, "client", "version"))),
        os=intern(f"{_str(_dig(facts, 'os', 'system')) or '?'} {build}") if build or _dig(facts, "os", "system") else None,
        memory_gib=round(installed / 2**30, 1) if installed else None,
        disk_gb=round(disk_total / 1e9) if disk_total else None, source=label)
