"""The downloads' HTTP side: the format an address names (the one table, reports/formats.py) and
the file sent as an attachment."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from readiness.core.i18n import Text
from readiness.core.times import file_stamp
from readiness.reports.formats import FORMATS, Format
from readiness.serve.errors import NotFound


def download_format(request: Request) -> Format:
    """The format of /download/WHAT.FMT, or a 404 that lists those offered."""
    found = FORMATS.get(request.path_params["fmt"])
    if found is None:
        raise NotFound(Text("formats: " + ", ".join(FORMATS), "可用格式：" + "、".join(FORMATS)))
    return found


def attachment(data: bytes, form: Format, what: str) -> Response:
    """A download named by what it is and when it was made (readiness-site-20261207-091500.csv)."""
    stamp = file_stamp()
    return Response(data, media_type=form.media,
                    headers={"Content-Disposition": f'attachment; filename="readiness-{what}-{stamp}.{form.name}"'})
