"""Golden files: compared, never silently rewritten.

With UPDATE_GOLDEN=1 a golden file that differs is rewritten and the test fails (saying so), so a
rewrite is always looked at and the next run, without the variable, proves the new file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

import pytest

GOLDEN = Path(__file__).parent / "golden"


def _read(golden: Path, like: Union[str, bytes]) -> Union[str, bytes, None]:
    if not golden.exists():
        return None
    # text as text (a Windows checkout may turn \n into \r\n); bytes exactly (the CSV's own \r\n)
    return golden.read_text(encoding="utf-8") if isinstance(like, str) else golden.read_bytes()


def matches_golden(golden: Path, data: Union[str, bytes]) -> None:
    """Assert data is golden's content; with UPDATE_GOLDEN, rewrite a differing file and fail."""
    old = _read(golden, data)
    if os.environ.get("UPDATE_GOLDEN") and old != data:
        if isinstance(data, str):
            golden.write_text(data, encoding="utf-8")
        else:
            golden.write_bytes(data)
        pytest.fail(f"UPDATE_GOLDEN: rewrote {golden.name}; review the change and run again without UPDATE_GOLDEN")
    assert old is not None, f"no golden file {golden} (run once with UPDATE_GOLDEN=1 and review it)"
    assert data == old
