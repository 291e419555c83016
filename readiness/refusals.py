"""Why the domain will not do what was asked, as types.

A domain module (the rehearsal rounds, the phone rules) raises a subclass of `Refused` with the
reason in words; the HTTP layer maps each type to its status in one table (serve/errors.py), never
by reading the words. Nothing here knows HTTP.
"""

from __future__ import annotations


class Refused(Exception):
    """A request the domain refuses; `reason` says why, for the person or program that asked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Invalid(Refused):
    """What was sent cannot be true, or is not what is taken here."""
