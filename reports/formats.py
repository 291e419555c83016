"""The one table of output formats (pip-audit's _format, as a table): which renderer draws a PC's
report, a site's aggregation and a branch's document in each format, its media type and encoding.
It drives the CLI's choices (`--format`, aggregate's `--html/--csv/--xlsx`), the servers' downloads
and their dispatch. Renderers are imported when used: choosing a format costs no start-up."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    from readiness.branch.document import Document
    from readiness.core.i18n import Lang
    from readiness.core.model import Report
    from readiness.site.aggregate.site import Aggregate


@dataclass(frozen=True)
class Format:
    name: str
    media: str
    encoding: str | None  # None: the renderer gives bytes (a workbook)
    shown: bool  # printed on standard output: a `--format` choice
    written: bool  # a file: one of aggregate's --html/--csv/--xlsx options, or a download the pages link
    report: str | None = None  # readiness.reports.<module>.render(report, lang) -> str
    site: str | None = None  # readiness.reports.<module>.render(agg, lang[, rehearsals]) -> str | bytes
    branch: str | None = None  # readiness.reports.<module>.render(document, lang) -> str | bytes
    rounds: bool = False  # the site renderer also draws the site server's rehearsal rounds

    def _encoded(self, out: str | bytes) -> bytes:
        return out if isinstance(out, bytes) else out.encode(self.encoding or "utf-8")

    def render_report(self, report: Report, lang: Lang | str) -> str:
        assert self.report is not None, self.name
        return import_module(f"readiness.reports.{self.report}").render(report, lang)  # type: ignore[no-any-return]

    def render_site(self, agg: Aggregate, lang: Lang | str,
                    rehearsals: Sequence[Mapping[str, Any]] | None = None) -> bytes:
        assert self.site is not None, self.name
        render = import_module(f"readiness.reports.{self.site}").render
        return self._encoded(render(agg, lang, rehearsals=rehearsals) if self.rounds else render(agg, lang))

    def render_branch(self, doc: Document, lang: Lang | str) -> bytes:
        assert self.branch is not None, self.name
        return self._encoded(import_module(f"readiness.reports.{self.branch}").render(doc, lang))


_TABLE = (
    Format("text", "text/plain; charset=utf-8", "utf-8", shown=True, written=False,
           report="text", site="site_text", branch="branch_text"),
    Format("html", "text/html; charset=utf-8", "utf-8", shown=False, written=True,
           site="site_html", branch="branch_html", rounds=True),
    # Excel on Chinese Windows reads UTF-8 without its BOM as GBK
    Format("csv", "text/csv; charset=utf-8", "utf-8-sig", shown=False, written=True,
           site="site_csv", branch="branch_csv"),
    Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None, shown=False,
           written=True, site="site_xlsx", branch="branch_xlsx"),
    Format("json", "application/json", "utf-8", shown=True, written=True,
           report="jsonfmt", site="site_json", branch="branch_json", rounds=True),
)
FORMATS: dict[str, Format] = {f.name: f for f in _TABLE}
TEXT, JSON = FORMATS["text"], FORMATS["json"]

SHOWN = tuple(f.name for f in _TABLE if f.shown)
"""`--format` of check, bandwidth and aggregate: what goes to standard output."""
FILES = tuple(f.name for f in _TABLE if f.written and not f.shown)
"""aggregate's file options, one a format: --html, --csv, --xlsx."""
LINKED = tuple(f.name for f in _TABLE if f.written)
"""The downloads the dashboards link: the file formats. /download/site.FMT and /download/branch.FMT
serve every format of the table (text too: the terminal's table as a file)."""
