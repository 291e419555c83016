"""The branch table, one row per site, for Excel on Chinese Windows (written as UTF-8 with a BOM,
CRLF line ends, as the site's CSV); a cell a spreadsheet would run as a formula is neutralised by
the site CSV's own rule."""

from __future__ import annotations

import csv
import io

from readiness.branch.document import Document
from readiness.core.i18n import Lang
from readiness.reports import branch_table as bt
from readiness.reports.site_csv import safe_cell, text


def render(doc: Document, lang: Lang | str = Lang.EN) -> str:
    """Times in the branch's zone (Document.zone), written as every page says them."""
    where = doc.zone
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(bt.HEADER)
    writer.writerows([safe_cell(text(c)) for c in bt.cells(r, lang, where)] for r in doc.rows)
    return buf.getvalue()
