"""The branch table in the terminal: the branch's verdict, its counts, then one line per site in
the document's order (the sites to act on first), the marks in front."""

from __future__ import annotations

from readiness.branch.document import Document
from readiness.core.i18n import Lang
from readiness.core.times import when
from readiness.reports import branch_table as bt
from readiness.reports.text import pad
from readiness.site.words import WORDS


def render(doc: Document, lang: Lang | str = Lang.EN) -> str:
    lang = Lang(lang)
    where = doc.zone
    w = lambda k: WORDS[k](lang)  # noqa: E731
    out = [bt.title(doc, lang), "  " + bt.summary(doc, lang),
           f"  {w('generated')} {when(doc.generated_at, where, True)}", ""]
    rows = doc.rows
    if not rows:
        out.append("  " + w("no_sites"))
    for r in rows:
        marks = " ".join(bt.marks(r, lang))
        label = " ".join(x for x in (r.id, r.name) if x)
        seen = when(r.last_seen, where) or w("never_heard")
        line = (f"{pad(marks, 16)}{pad(label, 24)} {pad(r.verdict(lang), 16)} {w('reports')} {bt.seats(r, lang)}"
                f"; {w('last_seen')} {seen}")
        start = when(r.next_exam_at, where)
        if start:
            line += f"; {w('next_exam')} {start}"
        if r.tool_version:
            line += f"; {w('server_version')} {r.tool_version}"
        out.append(line.rstrip())
    return "\n".join(out) + "\n"
