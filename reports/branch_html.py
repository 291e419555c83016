"""The branch table as one self-contained page (templates/branch.html: inline CSS, no scripts, no
network) that a branch's exam office opens and prints: the branch's verdict and counts, then one
row per site in the document's order (the sites to act on first). Every value is escaped."""

from __future__ import annotations

from readiness.branch.document import Document
from readiness.core.i18n import Lang
from readiness.reports import branch_table as bt
from readiness.reports.html import render as render_page


def render(doc: Document, lang: Lang | str = Lang.EN) -> str:
    """Times in the branch's zone (Document.zone), each with its zone said."""
    lang = Lang(lang)
    return render_page("branch.html", lang, zone=doc.zone, doc=doc, title=bt.title(doc, lang), columns=bt.COLUMNS,
                       summary=bt.summary(doc, lang), marks=lambda r: [m for m in bt.marks(r, lang)],
                       seats=lambda r: bt.seats(r, lang), deadlines=lambda r: bt.deadlines(r, lang))
