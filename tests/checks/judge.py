"""Run one check the way the runner does (so unknown facts become errors and skips)."""

from __future__ import annotations

from typing import Any

from readiness.core.facts import Facts
from readiness.core.model import CheckResult
from readiness.core.plugin import LoadedChecks
from readiness.core.profile import Profile
from readiness.core.judging import judge_check


def judge_one(loaded: LoadedChecks, check_id: str, facts: dict[str, Any], profile: Profile) -> CheckResult:
    spec = next(c for c in loaded.checks if c.id == check_id)
    return judge_check(spec, Facts(facts), profile)
