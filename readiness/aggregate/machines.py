"""One report file → a small per-machine summary (or the reason it was rejected).

Only the summary is kept: aggregation streams through any number of reports in bounded memory.
With a profile the machine's stored facts are re-judged; otherwise its stored verdicts count.
"""

from __future__ import annotations

from dataclasses import dataclass
from sys import intern
from typing import Any, Callable, Mapping

from readiness.aggregate.inputs import MAX_REPORT_BYTES, Rejected, Source
from readiness.facts import SnapshotError, decode_json_bytes, parse_schema
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


def _results(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    results = doc.get("results")
    if not isinstance(results, list) or not results:
        raise ValueError("no results: not a readiness report")
    for r in results:
        if not isinstance(r, dict) or not isinstance(r.get("id"), str) or r.get("status") not in STATUSES:
            raise ValueError("a result without a valid id and status")
    return results  # type: ignore[return-value]


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
            results = judge(facts, site)
        elif name == "readiness.report":
            if version > 1:
                return Rejected(label, f"report schema {doc['schema']} is newer than this tool; upgrade exam-readiness")
            facts = doc["facts"] if isinstance(doc.get("facts"), dict) else {}
            site = doc["site"] if isinstance(doc.get("site"), dict) else {}
            if judge is not None:
                if not facts:
                    return Rejected(label, "the report carries no facts to re-judge")
                results = judge(facts, site)
            else:
                results = _results(doc)
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
