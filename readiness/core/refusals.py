"""Why the domain will not do what was asked, as types.

A domain module (the rehearsal rounds, the phone rules) raises a subclass of `Refused` with the
reason in words; the HTTP layer maps each type to its status in one table (serve/errors.py), never
by reading the words. Nothing here knows HTTP.
"""

from __future__ import annotations

from readiness.core.i18n import Text, TextError, same


class Refused(TextError):
    """A request the domain refuses; `reason` says why in both languages, for the person who asked
    (its English is the `error` of the answer). A TextError like every other error the tool says."""

    def __init__(self, reason: Text | str) -> None:
        super().__init__(reason if isinstance(reason, Text) else same(reason))


class Invalid(Refused):
    """What was sent cannot be true, or is not what is taken here."""
