"""The same as the CSV as a workbook, with a summary sheet first (XlsxWriter, in memory). Numbers
are numbers and times are Excel dates (in the site's zone, which the column's heading names: Excel
has no zones), shown year-month-day and 24-hour whatever the reader's locale."""

from __future__ import annotations

import io
from datetime import datetime, tzinfo
from typing import Any, Sequence

from readiness.site.aggregate.site import Aggregate
from readiness.core.i18n import Lang
from readiness.core.model import VERDICTS
from readiness.reports.site_csv import HEADER, rows

FILLS = {"pass": "#C6EFCE", "warn": "#FFEB9C", "fail": "#FFC7CE", "error": "#D9D9D9"}
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"  # the display rule's order (core.times.when): never 07/12/2026
TIME_COLUMNS = frozenset({"checked_at", "last_seen", "next_exam_at", "generated_at"})


def headings(names: Sequence[str], zone: tzinfo) -> list[str]:
    """A sheet's headings, a time column's with its zone: "checked_at (UTC+08:00)"."""
    from readiness.core.times import zone_label

    return [f"{n} ({zone_label(zone)})" if n in TIME_COLUMNS else n for n in names]


def write_cells(sheet: Any, row: int, values: Sequence[Any], time_format: Any, first: int = 0) -> None:
    """One row (from column first): a time (an aware datetime in the sheet's zone) as an Excel date
    in that zone's wall-clock time, the rest as they are."""
    for col, value in enumerate(values, first):
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), time_format)
        else:
            sheet.write(row, col, value)


def render(agg: Aggregate, lang: Lang = Lang.EN) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True,  # text from machines stays text:
                                     "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    fills = {k: book.add_format({"bg_color": v}) for k, v in FILLS.items()}
    summary = book.add_worksheet("Summary")
    head = ["site_id", "site_name", "status", "verdict", "seats", "reports", "ready", "warned", "not_ready",
            "undetermined", "best_mbps", "required_mbps", "unregistered_ips", "client_versions"]
    summary.write_row(0, 0, head, bold)
    for i, s in enumerate(agg.sites, 1):
        summary.write_row(i, 0, [s.id, s.name, s.status.value, VERDICTS[s.status].zh + " " + VERDICTS[s.status].en,
                                 s.seats, s.reports, s.counts["pass"], s.counts["warn"], s.counts["fail"],
                                 s.counts["error"], s.bandwidth["best_mbps"], s.bandwidth["required_mbps"],
                                 " ".join(s.egress["unregistered"]),
                                 ", ".join(f"{v} x{n}" for v, n in s.client_versions.items())])
        summary.write(i, 2, s.status.value, fills.get(s.status.value))
    summary.set_column(0, 1, 16)
    summary.set_column(3, 3, 20)
    machines = book.add_worksheet("Machines")
    machines.write_row(0, 0, headings(HEADER, agg.zone), bold)
    time_format = book.add_format({"num_format": TIME_FORMAT})
    count = 0
    for count, row in enumerate(rows(agg, lang), 1):
        write_cells(machines, count, row, time_format)
        machines.write(count, 4, row[4], fills.get(str(row[4])))
    machines.set_column(0, 3, 16)
    machines.set_column(HEADER.index("checked_at"), HEADER.index("checked_at"), 20)
    machines.autofilter(0, 0, max(1, count), len(HEADER) - 1)
    machines.freeze_panes(1, 0)
    if agg.rejected:
        rej = book.add_worksheet("Rejected")
        rej.write_row(0, 0, ["path", "reason"], bold)
        for i, r in enumerate(agg.rejected, 1):
            rej.write_row(i, 0, [r.path, r.reason(lang)])
    book.close()
    return buf.getvalue()

