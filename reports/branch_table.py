"""The branch table in words, once, for its renderers (text, HTML, CSV, XLSX): a row's marks, its
seats, its times in the reader's zone, its rehearsal and deadlines in brief. Pure functions of a
`readiness.branch/1` dict (GET /api/branch, `aggregate` over site documents): no I/O."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any, Mapping

from readiness.core.i18n import Lang, Text
from readiness.site.words import WORDS

STATUSES = ("pass", "warn", "fail", "error")
HEADER = ["site_id", "site_name", "kind", "status", "verdict", "escalate", "stale", "reports", "seats_expected",
          "missing", "last_seen", "next_exam_at", "rehearsal", "deadlines", "findings", "tool_version"]


def items(value: Any) -> list[Any]:
    """A list from the document, or none (a document read back may hold anything)."""
    return value if isinstance(value, list) else []


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def rows(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The document's rows in its own order (the sites to act on first), dicts only."""
    return [r for r in items(doc.get("sites")) if isinstance(r, Mapping)]


def zone(where: tzinfo | None = None) -> tzinfo:
    """The zone times are shown in: the one given, else this computer's (a branch's exam office
    reads its own clock; documents carry UTC)."""
    return where if where is not None else datetime.now().astimezone().tzinfo or timezone.utc


def _instant(value: Any) -> datetime | None:
    from readiness.core.times import parse_instant

    return parse_instant(value)


def when(value: Any, where: tzinfo, seconds: bool = False) -> str:
    """An ISO time from the document in the zone shown ("" when there is none)."""
    found = _instant(value)
    if found is None:
        return ""
    local = found.astimezone(where)
    if seconds:
        return local.isoformat(timespec="seconds")
    offset = local.strftime("%z")  # the zone said: a branch server on a UTC machine must not pass for Beijing time
    return local.strftime("%Y-%m-%d %H:%M") + f" UTC{offset[:3]}:{offset[3:]}"


def status_of(row: Mapping[str, Any]) -> str:
    """A row's status; "none" for a site never heard from (no verdict of its own)."""
    status = row.get("status")
    return status if status in STATUSES else "none"


def verdict(row: Mapping[str, Any], lang: Lang | str) -> str:
    return Text.from_json(row.get("verdict"))(lang)


def marks(row: Mapping[str, Any], lang: Lang | str) -> list[str]:
    """ESCALATE and SILENT, as the dashboard's tiles show them."""
    return [WORDS[k](lang) for k in ("escalate", "stale") if row.get(k) is True]


def seats(row: Mapping[str, Any], lang: Lang | str) -> str:
    """"3 / 5 (2 missing)": reports against the expected seats."""
    reports = row.get("reports") if isinstance(row.get("reports"), int) else 0
    expected, missing = row.get("seats_expected"), row.get("missing")
    out = f"{reports}" + (f" / {expected}" if isinstance(expected, int) else "")
    if isinstance(missing, int) and missing:
        out += f" ({missing} {WORDS['missing'](lang)})"
    return out


def rehearsal(row: Mapping[str, Any], lang: Lang | str) -> str:
    """The latest round in brief ("" none): a site's round, or a branch's count of rehearsed sites."""
    r = row.get("rehearsal")
    if not isinstance(r, Mapping):
        return ""
    w = lambda k: WORDS[k](lang)  # noqa: E731
    if "sites" in r:
        return f"{r.get('rehearsed')} / {r.get('sites')} {w('rehearsed')}"
    parts = [w("round").replace("{n}", str(r.get("id", "?")))]
    if r.get("state") in ("scheduled", "running", "done"):
        parts.append(w(str(r["state"])))
    for k in ("joined", "finished", "failed"):
        if isinstance(r.get(k), int):
            parts.append(f"{w(k)} {r[k]}")
    if isinstance(r.get("max_s"), (int, float)):
        parts.append(f"{w('longest')} {r['max_s']:.1f} s")
    return ", ".join(parts)


def deadlines(row: Mapping[str, Any], lang: Lang | str) -> str:
    """Each of the plan's deadlines with its state ("" none known)."""
    out = []
    for d in items(row.get("deadlines")):
        if isinstance(d, Mapping) and f"deadline_{d.get('state')}" in WORDS:
            out.append(f"{Text.from_json(d.get('title'))(lang)}: {WORDS['deadline_' + str(d['state'])](lang)}")
    return "; ".join(out)


def findings(row: Mapping[str, Any], lang: Lang | str) -> list[str]:
    return [Text.from_json(f.get("message"))(lang) for f in items(row.get("findings")) if isinstance(f, Mapping)]


def cells(row: Mapping[str, Any], lang: Lang | str, where: tzinfo) -> list[Any]:
    """One row for the CSV and the workbook, in HEADER's order (numbers stay numbers)."""
    def num(v: Any) -> Any:
        return v if isinstance(v, int) and not isinstance(v, bool) else ""

    return [str(row.get("id") or ""), str(row.get("name") or ""), str(row.get("kind") or "site"), status_of(row),
            verdict(row, lang), "yes" if row.get("escalate") is True else "no",
            "yes" if row.get("stale") is True else "no", num(row.get("reports")), num(row.get("seats_expected")),
            num(row.get("missing")), when(row.get("last_seen"), where, True), when(row.get("next_exam_at"), where, True),
            rehearsal(row, lang), deadlines(row, lang), "; ".join(findings(row, lang)), tool_version(row)]


def tool_version(row: Mapping[str, Any]) -> str:
    """The readiness of the sender's server, as its document said it ("" when it did not: 0.1.0)."""
    v = row.get("tool_version")
    return v if isinstance(v, str) else ""


def summary(doc: Mapping[str, Any], lang: Lang | str) -> str:
    """"3 sites: ready 1  warned 0  not ready 1  undetermined 1; to escalate 1; silent or never heard from 1"."""
    w = lambda k: WORDS[k](lang)  # noqa: E731
    c = mapping(doc.get("counts"))
    return (f"{w('sites')} {len(rows(doc))}: {w('ready')} {c.get('pass', 0)}  {w('warned')} {c.get('warn', 0)}  "
            f"{w('notready')} {c.get('fail', 0)}  {w('undetermined')} {c.get('error', 0)}; "
            f"{w('escalating')} {doc.get('escalating', 0)}; {w('silent')} {doc.get('silent', 0)}")


def title(doc: Mapping[str, Any], lang: Lang | str) -> str:
    """"Branch 11 北京分部 -- NOT READY"."""
    label = " ".join(str(doc.get(k)) for k in ("id", "name") if doc.get(k))
    return f"{WORDS['branch'](lang)} {label}".rstrip() + f" -- {Text.from_json(doc.get('verdict'))(lang)}"
