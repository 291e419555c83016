"""Exam client versions, compared as numbers: "1.2.1-0" = "1.2.1.0" < "1.10.0-0"."""

from __future__ import annotations

import re

_VERSION_RE = re.compile(r"^\s*[vV]?\s*(\d+(?:\s*[.\-_,]\s*\d+)*)\s*$")


def parse_version(text: str) -> tuple[int, ...] | None:
    """Numeric parts of a version, or None when it is not one (never a guess)."""
    m = _VERSION_RE.match(text or "")
    if not m:
        return None
    return tuple(int(p) for p in re.split(r"\s*[.\-_,]\s*", m.group(1)))


def _padded(v: tuple[int, ...], n: int) -> tuple[int, ...]:
    return v + (0,) * (n - len(v))


def compare_versions(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    pa, pb = _padded(a, n), _padded(b, n)
    return (pa > pb) - (pa < pb)
