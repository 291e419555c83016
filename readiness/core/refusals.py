"""Why the domain will not do what was asked, as types.

A domain module (the rehearsal rounds, the phone rules) raises a subclass of `Refused` with the
reason in words; the HTTP layer maps each type to its status in one table (serve/errors.py), never
by reading the words. Nothing here knows HTTP.
"""

from __future__ import annotations

from readiness.core.i18n import Text, same


class Refused(Exception):
    """A request the domain refuses; `text` says why in both languages, for the person who asked;
    `reason` is its English, for the program (the `error` of the answer)."""

    def __init__(self, reason: Text | str) -> None:
        self.text = reason if isinstance(reason, Text) else same(reason)
        super().__init__(self.text.en)
        self.reason = self.text.en


class Invalid(Refused):
    """What was sent cannot be true, or is not what is taken here."""
