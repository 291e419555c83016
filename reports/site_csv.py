"""One row per machine, for Excel on Chinese Windows: the CLI writes it as UTF-8 with a BOM and
CRLF line ends (without the BOM Excel reads UTF-8 as GBK and garbles the Chinese)."""

from __future__ import annotations

import csv
import io
from typing import Iterator, Union

from datetime import datetime, timezone

from readiness.core.times import in_zone, when
from readiness.site.aggregate.site import Aggregate
from readiness.core.i18n import Lang

HEADER = ["site_id", "site_name", "hostname", "machine_id", "status", "checked_at", "problems", "reverted", "os",
          "memory_gib", "disk_gb", "client_version", "download_mbps", "egress_ips", "report"]


Cell = Union[str, float, datetime]  # a measure stays a number, a time a time (in the site's zone): the
# workbook stores them as such, the CSV writes them (a time by the one display rule, core.times.when)


def rows(agg: Aggregate, lang: Lang = Lang.EN) -> Iterator[list[Cell]]:
    """One row a machine; a problem is named by its check's title (in lang), as a person reads it;
    memory, disk and downlink are numbers ("" when unknown)."""
    zone = agg.zone
    for s in agg.sites:
        for m in s.machines:
            yield ([s.id, s.name, m.hostname, m.machine_id or "", m.status, in_zone(m.checked_at, zone) or m.checked_at,
                        "; ".join(f"{p.name(lang)}={p.status}" for p in m.problems),
                        "; ".join(f"{s.title(r.check)(lang)} ({when(r.passed_at, zone) or r.passed_at})" for r in m.reverted), m.os or "",
                        "" if m.memory_gib is None else m.memory_gib,
                        "" if m.disk_gb is None else m.disk_gb, m.client_version or "",
                        "" if m.bandwidth_mbps is None else m.bandwidth_mbps, " ".join(m.egress_ips), m.source])


def text(cell: Cell) -> str:
    """A cell as the CSV writes it: 8 rather than 8.0; a time as every page says it,
    "2026-12-07 15:23:05 UTC+08:00" (unambiguous, its zone said: never 07/12/2026)."""
    if isinstance(cell, datetime):
        return when(cell, cell.tzinfo or timezone.utc, True)
    return cell if isinstance(cell, str) else f"{cell:g}"


# Excel and WPS run a cell that starts with one of these as a formula (=HYPERLINK(...) in a host
# name would be a live link, "=cmd|..." worse): such a text gets a leading apostrophe, which they show
# as plain text (OWASP's "CSV injection" advice). They look past what precedes the sign, too:
# leading spaces (also the ideographic one), zero-width and other invisible format characters, and
# the full-width forms a Chinese IME types (＝ ＋ － ＠), which they read as = + - @. No number
# written here is negative.
_FORMULA_SIGNS = frozenset("=+-@")


def safe_cell(value: str) -> str:
    import unicodedata

    if value.startswith(("\t", "\r", "\n")):
        return "'" + value
    for ch in value:
        if ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp"):
            continue  # invisible: the spreadsheet skips it too
        return "'" + value if unicodedata.normalize("NFKC", ch) in _FORMULA_SIGNS else value
    return value


def render(agg: Aggregate, lang: Lang = Lang.EN) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([safe_cell(text(c)) for c in row] for row in rows(agg, lang))
    return buf.getvalue()
