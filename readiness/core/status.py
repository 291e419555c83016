"""The statuses a check, a machine or a site can have.

The lowest layer of the model: the rulebook (readiness.core.rules) orders them and the report model
(readiness.core.model) carries them, so both import it and neither imports the other's callers.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """"Not ready" (fail) and "could not decide" (error) differ on purpose: the first sends a
    technician to fix the PC, the second to look at why the tool could not tell."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"
