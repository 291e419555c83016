"""Renderers: pure functions ``render(report, lang) -> str``; the CLI does the writing.

The format enum drives both the CLI's choice and the dispatch.
"""

from __future__ import annotations

from enum import Enum
from typing import Callable

from readiness.core.i18n import Lang
from readiness.core.model import Report
from readiness.reports import jsonfmt, text


class OutputFormat(str, Enum):
    TEXT = "text"
    JSON = "json"

    @property
    def renderer(self) -> Callable[[Report, Lang], str]:
        return {OutputFormat.TEXT: text.render, OutputFormat.JSON: jsonfmt.render}[self]


def render(report: Report, fmt: OutputFormat, lang: Lang) -> str:
    return fmt.renderer(report, lang)
