"""Instants, read and written in one place.

Documents carry ISO 8601 date-times with their offset ("Z" is UTC). The one rule for a time
without a zone (``2026-12-05T08:30:00``): it is no instant. It names a different moment in every
zone, and a PC's zone, the site server's and the branch's may all differ, so it is never guessed:
a profile's `exam.starts_at` without an offset is refused, and a report whose `checked_at` has none
counts as a run of unknown time (older than any dated run). Every door reads instants with
`parse_instant`; what this tool writes always carries its offset (`now_iso`, `iso`).

How a time reads, the one display rule (`when`): year-month-day and a 24-hour clock, with its zone
said, ``2026-12-07 15:23 UTC+08:00``: never 07/12, which an English reader takes for July. It is
shown in the site's zone, the exam's (`exam_zone`: exam.starts_at's offset, else clock.utc_offset,
the plan's +08:00), never in the zone of the computer that shows it: a PC, a site server or a
manager's laptop may be set to the wrong one. A site writes its documents' `generated_at` in it, so
the level above reads a site's zone there (`zone_of`). The server's pages are given it as minutes
east of UTC (`offset_minutes`); static/common.js formats with the same rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Protocol

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


def iso(ts: float | None, zone: tzinfo | None = None) -> str | None:
    """Unix seconds as ISO 8601 in UTC (what documents carry), or in zone (a level's generated_at:
    its zone, see `zone_of`); None stays None."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, zone or timezone.utc).isoformat(timespec="seconds")


def now_iso(now: datetime | None = None, zone: tzinfo | None = None) -> str:
    """Now (or now given, in its own zone) with its offset, to the second (when a report was
    checked, stored, sent): in zone when given (a site's documents: its exam's), else this computer's."""
    moment = now or datetime.now(timezone.utc).astimezone()
    return (moment.astimezone(zone) if zone is not None else moment).isoformat(timespec="seconds")


def file_stamp(when: datetime | None = None) -> str:
    """A time for a file name (20261127-101500), in this computer's zone: sortable, no colon."""
    return (when or datetime.now()).strftime("%Y%m%d-%H%M%S")


def zone_of(text: Any) -> tzinfo | None:
    """The zone an instant was written in (a site server writes its documents' generated_at in its
    own: the site's), so its other times can be shown as the site reads them; None if not an instant."""
    found = parse_instant(text)
    return found.tzinfo if found is not None else None


def fixed_zone(seconds: float) -> tzinfo:
    """A zone that is an offset from UTC (to the minute): a site's zone has no daylight saving rule
    of its own (China has none; a zone that has one is given by its exam's offset that day)."""
    return timezone(timedelta(minutes=round(seconds / 60)))


PLAN_ZONE = fixed_zone(8 * 3600)  # the plan's: China Standard Time (rules.PLAN_UTC_OFFSET)


class _Settings(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


def exam_zone(profile: _Settings) -> tzinfo:
    """The site's zone, the one every page and download of a site shows times in: the exam's (the
    first exam.starts_at with an offset, else clock.utc_offset: rules.exam_utc_offset, the rule the
    clock check judges a PC's zone by), never the zone of the computer showing them."""
    from readiness.core.rules import PLAN_UTC_OFFSET, exam_utc_offset

    starts = profile.get("exam.starts_at") or ()
    seconds, _ = exam_utc_offset(starts if isinstance(starts, (list, tuple)) else (),
                                 str(profile.get("clock.utc_offset") or PLAN_UTC_OFFSET))
    return PLAN_ZONE if seconds is None else fixed_zone(seconds)


def offset_minutes(zone: tzinfo) -> int:
    """The zone as minutes east of UTC (what the pages' scripts are given)."""
    offset = datetime.now(zone).utcoffset()
    return 0 if offset is None else round(offset.total_seconds() / 60)


def zone_label(zone: tzinfo, at: datetime | None = None) -> str:
    """"UTC+08:00", "UTC-03:30", "UTC+00:00": the zone as the display rule says it."""
    offset = (at or datetime.now(timezone.utc)).astimezone(zone).utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def in_zone(value: Any, zone: tzinfo) -> datetime | None:
    """A time (ISO text with its offset, a datetime with its zone, Unix seconds) in zone, or None
    when it is none of these (a time without a zone is never guessed)."""
    if isinstance(value, datetime):
        found: datetime | None = value if value.tzinfo is not None else None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            found = datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        found = parse_instant(value)
    if found is None:
        return None
    try:
        return found.astimezone(zone)
    except (OverflowError, ValueError):
        return None


def when(value: Any, zone: tzinfo, seconds: bool = False) -> str:
    """The one way a time reads, on every page and in every download: "2026-12-07 15:23 UTC+08:00"
    (with seconds "2026-12-07 15:23:05 UTC+08:00") in zone; "" when it is no time."""
    local = in_zone(value, zone)
    if local is None:
        return ""
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + zone_label(zone, local)
