"""Typed refusals → HTTP statuses: one table (serve/errors.py), by type, never by the words."""

from __future__ import annotations

import asyncio

import orjson
import pytest
import requests

import readiness.site.phones  # noqa: F401 - every domain module with refusals, imported before the walk
import readiness.site.rounds as rounds
import readiness.serve.errors as errors
from readiness.core.i18n import Text
from readiness.core.refusals import Invalid, Refused
from tests.serve.server import KEY, TOKEN, running


@pytest.mark.parametrize("kind, status", [
    (rounds.BadSeat, 400), (rounds.ImpossibleResult, 400), (rounds.NoSuchRound, 400), (errors.BadRequest, 400),
    (errors.NeedsKey, 401), (errors.Forbidden, 403), (errors.NotFound, 404), (errors.TooSlow, 408),
    (rounds.NotInRound, 409), (rounds.RoundUnderWay, 409), (rounds.RoundNotUnderWay, 409), (errors.TooLarge, 413),
    (rounds.TooManySeats, 503), (errors.CannotStore, 503),
])
def test_each_refusal_has_its_status(kind: type[Refused], status: int) -> None:
    exc = kind("holder") if kind is not rounds.SeatTaken else kind("10.0.0.9")
    assert errors.status_of(exc) == status


def test_seat_taken_is_a_conflict_whatever_it_says() -> None:
    assert errors.status_of(rounds.SeatTaken("10.0.0.9")) == 409


def test_the_words_do_not_choose_the_status() -> None:
    """The old code answered 409 when the reason said "not in the round": now only the type counts."""
    assert errors.status_of(rounds.ImpossibleResult("this seat is not in the round")) == 400
    assert errors.status_of(rounds.NotInRound("anything at all")) == 409


def _subclasses(kind: type) -> set[type]:
    found = set()
    for sub in kind.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_every_refusal_is_in_the_table_or_under_an_entry() -> None:
    """A new kind of refusal gets its status on purpose: its own entry, or a base's (Invalid: 400)."""
    for kind in _subclasses(Refused):
        if kind.__module__.startswith("tests."):
            continue
        assert any(k in errors.STATUS for k in kind.__mro__ if k is not Refused), kind


def test_headers_go_with_the_type() -> None:
    async def answer(exc: Refused) -> tuple[int, dict[str, str], dict[str, str]]:
        r = await errors.refused(None, exc)  # type: ignore[arg-type]
        return r.status_code, dict(r.headers), orjson.loads(r.body)

    status, headers, body = asyncio.run(answer(errors.NeedsKey(Text("a key", "密钥"))))
    assert (status, headers["www-authenticate"], body) == (401, "Bearer", {"error": "a key",
                                                                          "error_text": {"en": "a key", "zh": "密钥"}})
    status, headers, _ = asyncio.run(answer(errors.TooLarge("big")))
    assert status == 413 and "connection" not in headers  # the rest of the body is read and dropped, no reset
    status, headers, _ = asyncio.run(answer(Invalid("odd")))
    assert status == 400 and "www-authenticate" not in headers


def test_refusals_over_http(tmp_path, profile) -> None:
    """Through the exception handlers of the real app: domain refusals raised in handlers."""
    submit = {"Authorization": f"Bearer {TOKEN}"}
    manager = {"Authorization": f"Bearer {KEY}"}
    with running(tmp_path / "d", profile) as srv:
        assert requests.get(srv.url + "/api/rehearsals/poll", params={"seat": "a\u202eb"}, headers=submit,
                            timeout=10).status_code == 400  # BadSeat
        assert requests.post(srv.url + "/api/rehearsals/7/stop", headers=manager, timeout=10).status_code == 409
        r = requests.post(srv.url + "/api/rehearsals/7/results", json={"seat": "x", "bytes": 0}, headers=submit,
                          timeout=10)
        assert (r.status_code, r.json()) == (400, {"error": "no such round",
                                                   "error_text": {"en": "no such round", "zh": "没有这一轮演练"}})
        assert requests.get(srv.url + "/nowhere", timeout=10).json() == {"error": "not found",
                                                                         "error_text": {"en": "not found", "zh": "未找到"}}
