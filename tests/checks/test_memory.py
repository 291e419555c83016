import pytest

from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts

GIB = 2**30

CASES = [
    ({"memory.installed_bytes": 8 * GIB, "memory.usable_bytes": int(7.8 * GIB)}, Status.PASS),
    ({"memory.installed_bytes": 16 * GIB, "memory.usable_bytes": 15 * GIB}, Status.PASS),
    ({"memory.installed_bytes": 8 * GIB - 1024, "memory.usable_bytes": int(7.8 * GIB)}, Status.FAIL),
    ({"memory.installed_bytes": 4 * GIB, "memory.usable_bytes": int(3.9 * GIB)}, Status.FAIL),
    # installed unknown: usable decides, with the 7 GiB floor
    ({"memory.installed_bytes": None, "memory.usable_bytes": int(7.8 * GIB)}, Status.PASS),
    ({"memory.installed_bytes": None, "memory.usable_bytes": 7 * GIB}, Status.PASS),
    ({"memory.installed_bytes": None, "memory.usable_bytes": 7 * GIB - 1}, Status.FAIL),
    ({"memory.installed_bytes": None, "memory.usable_bytes": None}, Status.ERROR),
    ({"memory": None}, Status.ERROR),
    ({"memory.installed_bytes": "8 GB"}, Status.ERROR),
    ({"memory.installed_bytes": 8.5}, Status.ERROR),
]


@pytest.mark.parametrize("changes,status", CASES)
def test_memory_rule(loaded, profile, changes, status):
    assert judge_one(loaded, "memory", with_facts(changes), profile).status is status


def test_usable_below_installed_is_not_a_failure(loaded, profile):
    result = judge_one(loaded, "memory", with_facts({"memory.usable_bytes": int(7.7 * GIB)}), profile)
    assert result.status is Status.PASS
    assert "7.7 GiB" in result.observed.en and "8.0 GiB" in result.observed.en


def test_both_unknown_says_why(loaded, profile):
    facts = with_facts({"memory.installed_bytes": None, "memory.usable_bytes": None,
                        "errors": {"memory.installed_bytes": "GetPhysicallyInstalledSystemMemory failed"}})
    result = judge_one(loaded, "memory", facts, profile)
    assert result.status is Status.ERROR
    assert "GetPhysicallyInstalledSystemMemory" in result.message.en


def test_site_threshold(loaded, make_profile):
    facts = with_facts({"memory.installed_bytes": 8 * GIB})
    assert judge_one(loaded, "memory", facts, make_profile(memory__min_installed_gib=16)).status is Status.FAIL


@pytest.mark.parametrize("changes", [
    {"memory.installed_bytes": -8 * GIB},
    {"memory.installed_bytes": 0},
    {"memory.installed_bytes": None, "memory.usable_bytes": -1},
    {"memory.installed_bytes": float("nan")},
    {"memory.installed_bytes": None, "memory.usable_bytes": float("inf")},
])
def test_implausible_memory_is_an_error_not_a_verdict(loaded, profile, changes):
    result = judge_one(loaded, "memory", with_facts(changes), profile)
    assert result.status is Status.ERROR
