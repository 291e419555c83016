"""Instants, read and written in one place.

Documents carry ISO 8601 date-times with their offset ("Z" is UTC). The one rule for a time
without a zone (``2026-12-05T08:30:00``): it is no instant. It names a different moment in every
zone, and a PC's zone, the site server's and the branch's may all differ, so it is never guessed:
a profile's `exam.starts_at` without an offset is refused, and a report whose `checked_at` has none
counts as a run of unknown time (older than any dated run). Every door reads instants with
`parse_instant`; what this tool writes always carries its offset (`now_iso`, `iso`).
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any

FIRST_YEAR, LAST_YEAR = 2000, 2200  # an exam day, a check or a push: anything else is a typo or a dead battery


def parse_instant(text: Any) -> datetime | None:
    """An ISO 8601 date-time with its offset, else None (no zone, not a time, out of range)."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    raw = text.strip()
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return None  # the rule above: never guessed
    try:  # 0001-01-01+14:00 and 9999-12-31-14:00 have no UTC instant in datetime's range
        value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return value


def iso(ts: float | None) -> str | None:
    """Unix seconds as ISO 8601 in UTC (what documents carry); None stays None."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def now_iso(now: datetime | None = None) -> str:
    """This computer's time with its offset, to the second (when a report was checked, stored, sent)."""
    return (now or datetime.now(timezone.utc).astimezone()).isoformat(timespec="seconds")


def file_stamp(when: datetime | None = None) -> str:
    """A time for a file name (20261127-101500), in this computer's zone: sortable, no colon."""
    return (when or datetime.now()).strftime("%Y%m%d-%H%M%S")


def short_time(text: str) -> str:
    """"2026-11-28T09:20:00+08:00" -> "11-28 09:20", in the zone the time was recorded in; what is
    not an instant is shown as it is."""
    found = parse_instant(text)
    return found.strftime("%m-%d %H:%M") if found is not None else text


def zone_of(text: Any) -> tzinfo | None:
    """The zone an instant was written in (a site server writes its documents' generated_at in its
    own: the site's), so its other times can be shown as the site reads them; None if not an instant."""
    found = parse_instant(text)
    return found.tzinfo if found is not None else None
