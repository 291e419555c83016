"""The branch table as a workbook (XlsxWriter in memory, as the site's): a summary sheet, then one
row per site, its status cell coloured."""

from __future__ import annotations

import io

from readiness.branch.document import Document
from readiness.core.i18n import Lang
from readiness.reports import branch_table as bt
from readiness.core.times import in_zone
from readiness.reports.site_xlsx import FILLS, TIME_FORMAT, headings, write_cells
from readiness.site.words import WORDS


def render(doc: Document, lang: Lang | str = Lang.EN) -> bytes:
    """Times as Excel dates in the branch's zone (Document.zone), which their headings name."""
    import xlsxwriter

    where = doc.zone
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True,  # text from sites stays text:
                                     "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    fills = {k: book.add_format({"bg_color": v}) for k, v in FILLS.items()}
    time_format = book.add_format({"num_format": TIME_FORMAT, "align": "left"})
    summary = book.add_worksheet("Summary")
    status = doc.status or ""
    lines = [("branch_id", doc.id), ("branch_name", doc.name), ("status", status), ("verdict", bt.title(doc, lang)),
             (headings(["generated_at"], where)[0], in_zone(doc.generated_at, where) or ""), ("sites", len(doc.rows)),
             *((k, doc.counts[k]) for k in bt.STATUSES), ("escalating", doc.escalating), ("silent", doc.silent),
             ("summary", bt.summary(doc, lang))]
    for i, (k, v) in enumerate(lines):
        summary.write(i, 0, k, bold)
        write_cells(summary, i, [v], time_format, first=1)
    summary.write(2, 1, status, fills.get(status))
    summary.set_column(0, 0, 16)
    summary.set_column(1, 1, 40)
    sites = book.add_worksheet(WORDS["sites"]("en"))
    sites.write_row(0, 0, headings(bt.HEADER, where), bold)
    count = 0
    for count, row in enumerate(doc.rows, 1):
        values = bt.cells(row, lang, where)
        write_cells(sites, count, values, time_format)
        sites.write(count, 3, values[3], fills.get(values[3]))
    sites.set_column(0, 1, 16)
    sites.set_column(4, 4, 20)
    sites.autofilter(0, 0, max(1, count), len(bt.HEADER) - 1)
    sites.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()
