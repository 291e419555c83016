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


@pytest.fixture
def run(tmp_path, monkeypatch):
    """The CLI in this process (click's runner) from tmp_path, in English unless --lang says
    otherwise; uncaught exceptions propagate (a traceback is a failure, not an exit code).
    charset: the output's encoding, for the console-encoding tests."""
    from click.testing import CliRunner

    from readiness.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READINESS_LANG", "en")

    def invoke(*args, charset="utf-8"):
        return CliRunner(charset=charset).invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
