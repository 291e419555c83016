"""The technician's table: status, check, observed, expected, and the remedy under each problem.

Plain characters only (no ✓/✗, which GBK consoles cannot show); columns are measured in display
cells so that Chinese text lines up.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from readiness.core.facts import fact_name
from readiness.core.i18n import Lang, Text
from readiness.core.model import STATUS_LABELS, VERDICTS, Report, Status
from readiness.core.profile import BUILTIN_NAME, BUILTIN_ZH

BUILTIN = Text(BUILTIN_NAME, BUILTIN_ZH)
WIDTH = 100
COLUMNS = (12, 22, 36, 30)  # status, check, observed, expected (cells, with the gaps: 100)

HEAD = {
    "status": Text("STATUS", "状态"), "check": Text("CHECK", "检查项"),
    "observed": Text("OBSERVED", "实测"), "expected": Text("EXPECTED", "要求"),
    "host": Text("Host", "主机"), "site": Text("Site", "考点"), "facts": Text("Facts of", "采集时间"),
    "profile": Text("Profile", "配置"), "fix": Text("Fix", "处理"), "result": Text("Result", "结论"),
    "seats": Text("seats", "个机位"), "support": Text("Support", "技术支持"),
}


def cells(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in s)


def wrap(s: str, width: int) -> list[str]:
    """Break at spaces where possible, anywhere in CJK text; never longer than width cells."""
    lines: list[str] = []
    for para in s.splitlines() or [""]:
        line, size = "", 0
        for word in _tokens(para):
            w = cells(word)
            if size + w > width and line.strip():
                lines.append(line.rstrip())
                line, size = "", 0
                word = word.lstrip()
                w = cells(word)
            while w > width:  # a single token wider than the column
                cut, n = "", 0
                for ch in word:
                    if n + cells(ch) > width:
                        break
                    cut, n = cut + ch, n + cells(ch)
                lines.append(cut)
                word, w = word[len(cut):], w - n
            line, size = line + word, size + w
        lines.append(line.rstrip())
    return lines


CLOSING = "。，、；：）」』！？,.;:)"


def _tokens(s: str) -> list[str]:
    """Words with their leading space; each wide character alone."""
    out: list[str] = []
    cur = ""
    for ch in s:
        if ch in CLOSING and (cur or out):
            if cur:
                cur += ch
            else:
                out[-1] += ch  # never start a line with closing punctuation
            continue
        if cells(ch) == 2:
            if cur:
                out.append(cur)
            out.append(ch)
            cur = ""
        elif ch == " " and cur.strip():
            out.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def pad(s: str, width: int) -> str:
    return s + " " * max(0, width - cells(s))


def _row(values: list[str]) -> list[str]:
    cols = [wrap(v, w - 2) for v, w in zip(values, COLUMNS, strict=True)]
    height = max(len(c) for c in cols)
    return ["".join(pad(c[i] if i < len(c) else "", w) for c, w in zip(cols, COLUMNS, strict=True)).rstrip()
            for i in range(height)]


def _indented(label: str, body: str) -> list[str]:
    indent = COLUMNS[0]
    first = f"{label}: " if label else ""
    lines = wrap(body, WIDTH - indent - cells(first))
    return [" " * indent + (first if i == 0 else " " * cells(first)) + line for i, line in enumerate(lines)]


def _site_line(site: dict[str, Any], lang: Lang) -> str | None:
    name = " ".join(str(site.get(k) or "") for k in ("id", "name")).strip()
    if not name:
        return None
    return f"{HEAD['site'](lang)}: {name} ({site.get('seats')} {HEAD['seats'](lang)})"


def _collected(value: Any) -> str:
    """When the facts were read, as every page says a time, in the zone the PC wrote it in (said:
    the clock check judges whether that zone is the exam's)."""
    from readiness.core.times import when, zone_of

    zone = zone_of(value)
    return (when(value, zone) if zone is not None else "") or str(value or "?")


def render(report: Report, lang: Lang = Lang.EN) -> str:
    lang = Lang(lang)
    facts = report.facts
    host = (facts.get("host") or {}).get("hostname") if isinstance(facts.get("host"), dict) else None
    out = [f"exam-readiness {report.tool.get('version', '')}"]
    meta = [f"{HEAD['host'](lang)}: {host or '?'}", f"{HEAD['facts'](lang)}: {_collected(facts.get('collected_at'))}"]
    site = _site_line(dict(report.site), lang)
    out.append("   ".join(meta))
    if site:
        out.append(site)
    source = str(report.profile.get("source", "?"))
    out.append(f"{HEAD['profile'](lang)}: {BUILTIN(lang) if source == BUILTIN_NAME else source}")
    out.append("")
    out += _row([HEAD[k](lang) for k in ("status", "check", "observed", "expected")])
    out.append("-" * WIDTH)
    for r in report.results:
        out += _row([f"[{STATUS_LABELS[r.status](lang)}]", r.title(lang), r.observed(lang), r.expected(lang)])
        if r.status is not Status.PASS:
            out += _indented("", r.message(lang))
            if r.remedy:
                out += _indented(HEAD["fix"](lang), r.remedy(lang))
    out.append("-" * WIDTH)
    summary = report.summary
    counts = ", ".join(f"{n} {STATUS_LABELS[s](lang)}" for s in Status if (n := summary.counts.get(s.value, 0)))
    out.append(f"{HEAD['result'](lang)}: {VERDICTS[summary.status](lang)} ({counts})")
    errors = facts.get("errors") if isinstance(facts.get("errors"), dict) else {}
    if errors:
        out.append(Text(f"Facts that could not be read ({len(errors)}; the reasons are in the report): ",
                        f"未能读取的信息（{len(errors)} 项，原因见报告）：")(lang)
                   + Text(", ", "、")(lang).join(fact_name(str(k))(lang) for k in sorted(errors)[:6])
                   + (" ..." if len(errors) > 6 else ""))
    contacts = report.site.get("support_contacts") or []
    if summary.status in (Status.FAIL, Status.ERROR) and contacts:
        out.append(f"{HEAD['support'](lang)}: " + "; ".join(contacts))
    return "\n".join(out) + "\n"
