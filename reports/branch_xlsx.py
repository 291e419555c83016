"""The branch table as a workbook (XlsxWriter in memory, as the site's): a summary sheet, then one
row per site, its status cell coloured."""

from __future__ import annotations

import io
from datetime import tzinfo

from readiness.branch.document import Document
from readiness.core.i18n import Lang
from readiness.reports import branch_table as bt
from readiness.reports.site_xlsx import FILLS
from readiness.site.words import WORDS


def render(doc: Document, lang: Lang | str = Lang.EN, where: tzinfo | None = None) -> bytes:
    import xlsxwriter

    where = bt.zone(where)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True,  # text from sites stays text:
                                     "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    fills = {k: book.add_format({"bg_color": v}) for k, v in FILLS.items()}
    summary = book.add_worksheet("Summary")
    status = doc.status or ""
    lines = [("branch_id", doc.id), ("branch_name", doc.name), ("status", status), ("verdict", bt.title(doc, lang)),
             ("generated_at", bt.when(doc.generated_at, where, True)), ("sites", len(doc.rows)),
             *((k, doc.counts[k]) for k in bt.STATUSES), ("escalating", doc.escalating), ("silent", doc.silent),
             ("summary", bt.summary(doc, lang))]
    for i, (k, v) in enumerate(lines):
        summary.write(i, 0, k, bold)
        summary.write(i, 1, v)
    summary.write(2, 1, status, fills.get(status))
    summary.set_column(0, 0, 16)
    summary.set_column(1, 1, 40)
    sites = book.add_worksheet(WORDS["sites"]("en"))
    sites.write_row(0, 0, bt.HEADER, bold)
    count = 0
    for count, row in enumerate(doc.rows, 1):
        values = bt.cells(row, lang, where)
        sites.write_row(count, 0, values)
        sites.write(count, 3, values[3], fills.get(values[3]))
    sites.set_column(0, 1, 16)
    sites.set_column(4, 4, 20)
    sites.autofilter(0, 0, max(1, count), len(bt.HEADER) - 1)
    sites.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()
