"""Refusals as HTTP answers: every refusal's status (and headers) decided here, by its type.

The domain raises `readiness.core.refusals.Refused` subclasses (the rounds, the phone rules); this
layer adds its own (keys, bodies, addresses). Starlette's exception handlers turn each into
`{"error": reason, "error_text": {en, zh}}` (`error` in English: the contract; `error_text` for a
person, in their language) with the status of the table below: no handler catches or matches words.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from readiness.branch.chain import TooOften, WrongSender
from readiness.core.i18n import Text
from readiness.site.phones import TooManyPhones
from readiness.core.refusals import Invalid, Refused
from readiness.site.rounds import (NoSuchRound, NotInRound, RoundNotUnderWay, RoundUnderWay, SeatTaken,
                              TooManySeats)


class BadRequest(Invalid):
    """A body or parameter this address does not take."""


class NeedsKey(Refused):
    """No valid key, token or cookie for this address."""


class Forbidden(Refused):
    """The manager's cookie without the page's own header, or from another site's page (CSRF)."""


class NotFound(Refused):
    """No such report, file or format."""


class TooLarge(Refused):
    """A body (or a paper) larger than this address takes."""


class TooSlow(Refused):
    """A body that did not arrive within the timeout."""


class CannotStore(Refused):
    """The database cannot take it now (disk full, locked): the client sends it again."""


STATUS: dict[type[Refused], int] = {
    Invalid: 400,  # BadRequest, the rounds' BadSeat and ImpossibleResult, a phone document
    NeedsKey: 401,
    Forbidden: 403,
    NotFound: 404,
    NoSuchRound: 400,
    TooSlow: 408,
    NotInRound: 409,
    SeatTaken: 409,
    RoundUnderWay: 409,
    RoundNotUnderWay: 409,
    TooLarge: 413,
    TooManySeats: 503,
    TooManyPhones: 409,
    CannotStore: 503,
    WrongSender: 403,
    TooOften: 429,
}

HEADERS: dict[type[Refused], dict[str, str]] = {
    NeedsKey: {"WWW-Authenticate": "Bearer"},
    # TooLarge: no "Connection: close". A client that sent without `Expect: 100-continue` is still
    # sending: closing now would reset the connection, and the 413 would be lost with it (Windows
    # drops what it had received). The server reads the rest and throws it away (launch.py, up to
    # DRAIN_BYTES), then the connection goes on.
    TooSlow: {"Connection": "close"},
    TooOften: {"Retry-After": "5"},
}


def _nearest(table: dict[type[Refused], Any], kind: type[BaseException]) -> Any:
    return next((table[k] for k in kind.__mro__ if k in table), None)


def status_of(exc: Refused) -> int:
    """The status of a refusal: its own type's, else its nearest base's; an unknown kind is a 400."""
    found = _nearest(STATUS, type(exc))
    return 400 if found is None else int(found)


def json_response(doc: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(doc), status, headers=headers, media_type="application/json")


def error_body(text: Text) -> dict[str, Any]:
    """A refusal's body: `error` in English (the contract), `error_text` in both languages."""
    return {"error": text.en, "error_text": text.to_dict()}


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return json_response(error_body(exc.reason), status_of(exc), _nearest(HEADERS, type(exc)))


NOT_FOUND = Text("not found", "未找到")


async def http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own (no such route, method not allowed), in the same JSON shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return json_response(error_body(NOT_FOUND), status)
    detail = str(getattr(exc, "detail", "error"))  # Starlette's HTTP phrase (Method Not Allowed)
    return json_response(error_body(Text(detail, f"请求无效（HTTP {status}：{detail}）")), status)


HANDLERS = {Refused: refused, HTTPException: http_exception}
