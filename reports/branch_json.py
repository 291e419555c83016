"""The branch's table as JSON: the `readiness.branch/1` document itself (GET /api/branch)."""

from __future__ import annotations

from typing import Any, Mapping

from readiness.core.i18n import Lang


def render(doc: Mapping[str, Any], lang: Lang | str = Lang.EN) -> str:
    import json

    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
