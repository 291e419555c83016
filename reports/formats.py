"""One table of the branch table's formats: it drives `aggregate`'s choice over site documents,
the branch server's downloads and the dispatch (pip-audit's _format/interface.py, as a table)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Form:
    module: str  # readiness.reports.<module>.render(doc, lang) -> str | bytes
    media: str
    encoding: str | None = "utf-8"  # None: the renderer gives bytes

    def render(self, doc: Mapping[str, Any], lang: str) -> bytes:
        render: Callable[[Mapping[str, Any], str], Any] = import_module(f"readiness.reports.{self.module}").render
        out = render(doc, lang)
        return out if self.encoding is None else out.encode(self.encoding)


BRANCH_FORMATS: dict[str, Form] = {
    "text": Form("branch_text", "text/plain; charset=utf-8"),
    "html": Form("branch_html", "text/html; charset=utf-8"),
    "csv": Form("branch_csv", "text/csv; charset=utf-8", "utf-8-sig"),  # Excel on Chinese Windows needs the BOM
    "xlsx": Form("branch_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None),
    "json": Form("branch_json", "application/json"),
}
