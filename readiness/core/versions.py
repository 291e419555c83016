"""Exam client versions, compared as numbers: "1.2.1-0" = "1.2.1.0" < "1.10.0-0"."""

from __future__ import annotations

import re

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
