"""Loading the installed checks and the effective profile together (their settings belong together)."""

from __future__ import annotations

from pathlib import Path

from readiness.core.plugin import LoadedChecks, load_checks
from readiness.core.profile import Profile, load_profile
from readiness.core.settings import CORE_SETTINGS


def load_checks_and_profile(profile_path: Path | None) -> tuple[LoadedChecks, Profile]:
    """The checks and the profile validated against every declared setting; ProfileError if bad."""
    loaded = load_checks(reserved_keys=(s.key for s in CORE_SETTINGS))
    return loaded, load_profile(profile_path, CORE_SETTINGS + loaded.settings)
