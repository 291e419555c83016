"""The slow-header guard subclasses uvicorn's private H11Protocol: pyproject pins the uvicorn range
it is tested with, and this test fails when the installed uvicorn leaves that range or loses what
the guard relies on (the behaviour itself: tests/serve/test_hostile.py)."""

from __future__ import annotations

import inspect
import sys
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def _requirement(name: str) -> Requirement:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    found = [Requirement(d) for d in deps if Requirement(d).name == name]
    assert len(found) == 1, f"{name} is required once in pyproject.toml"
    return found[0]


def test_uvicorn_is_pinned_to_a_bounded_range_that_holds_the_installed_version():
    spec = _requirement("uvicorn").specifier
    assert any(s.operator == "<" for s in spec) and any(s.operator == ">=" for s in spec), spec
    assert version("uvicorn") in spec, f"uvicorn {version('uvicorn')} is outside the tested range {spec}"


def test_the_exe_pins_a_uvicorn_inside_the_tested_range():
    pins = (ROOT / "packaging" / "requirements-exe.txt").read_text(encoding="utf-8").splitlines()
    exe = [line.split("==")[1].split()[0] for line in pins if line.startswith("uvicorn==")]
    assert exe and exe[0] in _requirement("uvicorn").specifier


def test_uvicorns_h11_protocol_still_has_what_the_guard_overrides_and_reads():
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from readiness.serve.launch import guarded_protocol

    guarded = guarded_protocol(1.0)
    overridden = {"connection_made", "data_received", "pause_writing", "resume_writing", "connection_lost"}
    for name in overridden:
        assert callable(getattr(H11Protocol, name, None)), name
        assert name in vars(guarded), name  # the guard still hooks it
    source = inspect.getsource(H11Protocol)
    for attribute in ("self.conn =", "self.transport =", "self.loop =", "self.client ="):
        assert attribute in source, f"H11Protocol no longer sets {attribute.split()[0]}"
