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
    "json": Form("branch_json", "application/json"),
}
