"""Across every rule table: a result that did not pass says how to fix it, in both languages."""

import pytest

from readiness.core.model import Status
from tests.checks import (test_client_version, test_disk, test_font_msyh, test_memory, test_opengl_level,
                          test_os_version)
from tests.checks.judge import judge_one
from tests.helpers import with_facts

TABLES = [
    ("os", [c[0] for c in test_os_version.CASES]),
    ("memory", [c[0] for c in test_memory.CASES]),
    ("disk", [{"disks": c[0]} for c in test_disk.CASES]),
    ("client-version", [c[0] for c in test_client_version.CASES]),
    ("font-msyh", [{"fonts.msyh": c[0]} for c in test_font_msyh.CASES]),
    ("opengl-level", [c[0] for c in test_opengl_level.CASES]),
]


@pytest.mark.parametrize("check_id,changes", [(cid, ch) for cid, table in TABLES for ch in table])
def test_problems_come_with_a_remedy(loaded, profile, check_id, changes):
    result = judge_one(loaded, check_id, with_facts(changes), profile)
    assert result.observed.en and result.expected.en and result.message.en and result.message.zh
    if result.status in (Status.WARN, Status.FAIL, Status.ERROR):
        assert result.remedy is not None and result.remedy.en and result.remedy.zh
