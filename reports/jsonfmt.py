"""The JSON report (schema ``readiness.report/1``), the contract that site aggregation reads."""

from __future__ import annotations

import json

from readiness.core.i18n import Lang
from readiness.core.model import Report


def render(report: Report, lang: Lang = Lang.EN) -> str:
    """Both languages are in the JSON; lang does not change it."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
