"""The branch's table as JSON: the `readiness.branch/1` document itself (GET /api/branch), as it
came to the door."""

from __future__ import annotations

from readiness.branch.document import Document
from readiness.core.i18n import Lang


def render(doc: Document, lang: Lang | str = Lang.EN) -> str:
    import json

    return json.dumps(doc.raw, ensure_ascii=False, indent=1) + "\n"
