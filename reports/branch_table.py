"""The branch table in words, once, for its renderers (text, HTML, CSV, XLSX): a row's marks, its
seats, its times (in the branch's zone, the document's own: Document.zone, each said with its zone
by the one display rule, core.times.when), its deadlines in brief. Pure functions of a branch's
document read at its door (readiness/branch/document.Document: GET /api/branch, `aggregate` over
site documents): no I/O, no type checks."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from readiness.branch.document import Document, Row
from readiness.core.i18n import Lang
from readiness.core.times import in_zone
from readiness.site.words import WORDS

STATUSES = ("pass", "warn", "fail", "error")
# The table's columns as the page shows them (word keys of readiness/site/words.py, in order): the
# HTML page loops over this list alone; the CSV/XLSX carry the same facts under HEADER's plain names.
COLUMNS = ("site", "name", "verdict", "reports", "last_seen", "next_exam", "rehearsal", "deadlines", "findings",
           "server_version")
HEADER = ["site_id", "site_name", "kind", "status", "verdict", "escalate", "stale", "reports", "seats_expected",
          "missing", "last_seen", "next_exam_at", "rehearsal", "deadlines", "findings", "tool_version"]


def status_of(row: Row) -> str:
    """A row's status; "none" for a site never heard from (no verdict of its own)."""
    return row.status or "none"


def marks(row: Row, lang: Lang | str) -> list[str]:
    """ESCALATE and SILENT, as the dashboard's tiles show them."""
    return [WORDS[k](lang) for k, on in (("escalate", row.escalate), ("stale", row.stale)) if on]


def seats(row: Row, lang: Lang | str) -> str:
    """"3 / 5 (2 missing)": reports against the expected seats."""
    out = f"{row.reports}" + (f" / {row.seats_expected}" if row.seats_expected is not None else "")
    if row.missing:
        out += f" ({row.missing} {WORDS['missing'](lang)})"
    return out


def rehearsal(row: Row, lang: Lang | str) -> str:
    """The latest round in brief ("" none): a site's round, or a branch's count of rehearsed sites."""
    return row.rehearsal.brief(Lang(lang).value) if row.rehearsal is not None else ""


def deadlines(row: Row, lang: Lang | str) -> str:
    """Each of the plan's deadlines with its state ("" none known)."""
    return "; ".join(f"{d.title(lang)}: {WORDS['deadline_' + d.state](lang)}" for d in row.deadlines
                     if f"deadline_{d.state}" in WORDS)


def findings(row: Row, lang: Lang | str) -> list[str]:
    return [f(lang) for f in row.findings]


def cells(row: Row, lang: Lang | str, where: tzinfo) -> list[Any]:
    """One row for the CSV and the workbook, in HEADER's order (numbers stay numbers, times times in
    where: reports.site_csv.text writes them, the workbook as dates)."""
    def num(v: int | None) -> Any:
        return "" if v is None else v

    return [row.id, row.name, row.kind, status_of(row), row.verdict(lang), "yes" if row.escalate else "no",
            "yes" if row.stale else "no", row.reports, num(row.seats_expected), num(row.missing),
            in_zone(row.last_seen, where) or "", in_zone(row.next_exam_at, where) or "", rehearsal(row, lang),
            deadlines(row, lang), "; ".join(findings(row, lang)), row.tool_version or ""]


def summary(doc: Document, lang: Lang | str) -> str:
    """"3 sites: ready 1  warned 0  not ready 1  undetermined 1; to escalate 1; silent or never heard from 1"."""
    w = lambda k: WORDS[k](lang)  # noqa: E731
    c = doc.counts
    return (f"{w('sites')} {len(doc.rows)}: {w('ready')} {c['pass']}  {w('warned')} {c['warn']}  "
            f"{w('notready')} {c['fail']}  {w('undetermined')} {c['error']}; "
            f"{w('escalating')} {doc.escalating}; {w('silent')} {doc.silent}")


def title(doc: Document, lang: Lang | str) -> str:
    """"Branch 11 北京分部 -- NOT READY"."""
    label = " ".join(x for x in (doc.id, doc.name) if x)
    return f"{WORDS['branch'](lang)} {label}".rstrip() + f" -- {doc.verdict(lang)}"
