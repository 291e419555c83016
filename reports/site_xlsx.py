"""The same as the CSV as a workbook, with a summary sheet first (XlsxWriter, in memory)."""

from __future__ import annotations

import io

from readiness.site.aggregate.site import Aggregate
from readiness.core.i18n import Lang
from readiness.core.model import VERDICTS
from readiness.reports.site_csv import HEADER, rows

FILLS = {"pass": "#C6EFCE", "warn": "#FFEB9C", "fail": "#FFC7CE", "error": "#D9D9D9"}


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
    machines.write_row(0, 0, HEADER, bold)
    count = 0
    for count, row in enumerate(rows(agg, lang), 1):
        machines.write_row(count, 0, row)
        machines.write(count, 4, row[4], fills.get(str(row[4])))
    machines.set_column(0, 3, 16)
    machines.autofilter(0, 0, max(1, count), len(HEADER) - 1)
    machines.freeze_panes(1, 0)
    if agg.rejected:
        rej = book.add_worksheet("Rejected")
        rej.write_row(0, 0, ["path", "reason"], bold)
        for i, r in enumerate(agg.rejected, 1):
            rej.write_row(i, 0, [r.path, r.reason(lang)])
    book.close()
    return buf.getvalue()

