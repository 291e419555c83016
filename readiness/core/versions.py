"""Versions compared as numbers, never as text: the exam client's ("1.2.1-0" = "1.2.1.0" <
"1.10.0-0") and readiness's own ("0.10.0" > "0.9.0"), the one a document says wrote it."""

from __future__ import annotations

import re
from typing import Any, Mapping

_VERSION_RE = re.compile(r"^\s*[vV]?\s*(\d+(?:\s*[.\-_,]\s*\d+)*)\s*$")
MAX_VERSION_CHARS = 64  # "2.4.4.24", "10.0.19045.3803": longer is no version
MAX_COMPONENT_DIGITS = 9  # a build number of 10 digits is a made-up one (and 5,000 digits cannot be converted)


def parse_version(text: str) -> tuple[int, ...] | None:
    """Numeric parts of a version, or None when it is not one (never a guess); absurdly long text
    or components are not versions."""
    if not isinstance(text, str) or len(text.strip()) > MAX_VERSION_CHARS:
        return None
    m = _VERSION_RE.match(text)
    if not m:
        return None
    parts = re.split(r"\s*[.\-_,]\s*", m.group(1))
    if any(len(p) > MAX_COMPONENT_DIGITS for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _padded(v: tuple[int, ...], n: int) -> tuple[int, ...]:
    return v + (0,) * (n - len(v))


def compare_versions(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    pa, pb = _padded(a, n), _padded(b, n)
    return (pa > pb) - (pa < pb)


# -- readiness's own versions ------------------------------------------------------------------

FIRST_RELEASE = "0.1.0"  # nothing came before it: a check of the first release never skips for age


def tool_version(doc: Any) -> str | None:
    """The readiness version that wrote a document (its `tool.version`), as written; None when it
    has none or what it has is no version (garbage, a 5,000-character string, a number, NaN)."""
    tool = doc.get("tool") if isinstance(doc, Mapping) else None
    version = tool.get("version") if isinstance(tool, Mapping) else None
    return version.strip() if isinstance(version, str) and parse_version(version) is not None else None


def predates(version: str | None, since: str) -> bool:
    """Whether a readiness of `version` came before one of `since` (a check's): no version at all
    counts as older, except for a check of the first release, which every readiness has."""
    came_in = parse_version(since)
    if came_in is None or compare_versions(came_in, parse_version(FIRST_RELEASE) or ()) <= 0:
        return False
    wrote = parse_version(version) if version is not None else None
    return wrote is None or compare_versions(wrote, came_in) < 0
