"""Run one check the way the runner does (so unknown facts become errors and skips)."""

from __future__ import annotations

from typing import Any

from readiness.facts import Facts
from readiness.model import CheckResult
from readiness.plugin import LoadedChecks
from readiness.profile import Profile
from readiness.judging import judge_check


def judge_one(loaded: LoadedChecks, check_id: str, facts: dict[str, Any], profile: Profile) -> CheckResult:
    spec = next(c for c in loaded.checks if c.id == check_id)
    return judge_check(spec, Facts(facts), profile)
