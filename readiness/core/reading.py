"""Reading a stored document back into typed values, at its door: what a value must be, or none.
A document kept on disk or sent by another server may hold anything (a list where a number
belongs, NaN, a missing key); the readers (readiness/site/document.py, readiness/branch/document.py)
turn each value into its type here, once, and nothing after them checks a type again."""

from __future__ import annotations

import math
from typing import Any, Mapping


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text_of(value: Any) -> str:
    """A name or an id as text; none ("") for a missing value or a list or an object."""
    return "" if value is None or isinstance(value, (Mapping, list)) else str(value)


def count(value: Any) -> int | None:
    """An integer (True is no count), or none."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(value: Any) -> float | None:
    """A finite number, or none (NaN and infinities are no figure)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def instant(value: Any) -> str | None:
    """An ISO time as the document gives it (the renderers show it in their zone), or none."""
    return value if isinstance(value, str) and value else None
