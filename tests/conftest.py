from __future__ import annotations

import pytest

from readiness.core.plugin import LoadedChecks, load_checks
from readiness.core.profile import Profile, build_profile, load_profile
from readiness.core.settings import CORE_SETTINGS


@pytest.fixture(scope="session")
def loaded() -> LoadedChecks:
    checks = load_checks(reserved_keys=[s.key for s in CORE_SETTINGS])
    assert not checks.failures, checks.failures
    return checks


@pytest.fixture(scope="session")
def profile(loaded: LoadedChecks) -> Profile:
    return load_profile(None, CORE_SETTINGS + loaded.settings)


@pytest.fixture(scope="session")
def make_profile(loaded: LoadedChecks):
    def make(**overrides) -> Profile:
        nested: dict = {}
        for key, value in overrides.items():
            section, _, name = key.replace("__", ".").rpartition(".")
            node = nested
            for part in section.split("."):
                node = node.setdefault(part, {})
            node[name] = value
        return build_profile(nested, CORE_SETTINGS + loaded.settings)

    return make
