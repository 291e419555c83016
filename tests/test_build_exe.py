"""The exe build's own logic, without Wine: the pinned wheels cover the dependencies, the zip is
deterministic, the spec and the manifest say what the README says (tests/test_exe.py checks the
built files themselves)."""

from __future__ import annotations

import os
import re
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_exe  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

WINDOWS_313 = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "python_version": "3.13",
               "python_full_version": "3.13.0", "implementation_name": "cpython", "platform_machine": "AMD64"}


def test_every_dependency_is_pinned_for_the_exe_within_its_lower_bound():
    pins = {canonicalize_name(Requirement(line).name): Requirement(line) for line in build_exe.pinned_requirements()}
    assert all(len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==" for r in pins.values())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(WINDOWS_313):
            continue  # e.g. tomli, only below Python 3.11
        pin = pins.get(canonicalize_name(req.name))
        assert pin is not None, f"{req.name} is a dependency but not pinned in {build_exe.LOCK.name}"
        assert req.specifier.contains(next(iter(pin.specifier)).version), f"{pin} is below {req}"
    for builder in ("pyinstaller", "pyinstaller-hooks-contrib", "pywin32-ctypes", "pefile", "altgraph"):
        assert builder in pins


def test_zip_of_the_folder_is_the_same_bytes_whatever_the_file_dates(tmp_path):
    folder = tmp_path / "readiness"
    (folder / "_internal" / "sub").mkdir(parents=True)
    (folder / "readiness.exe").write_bytes(b"MZ" + b"\0" * 100)
    (folder / "_internal" / "python313.dll").write_bytes(b"dll")
    (folder / "_internal" / "sub" / "考试.txt").write_bytes("中文".encode())
    build_exe.zip_folder(folder, tmp_path / "a.zip", 1795749083)
    for i, path in enumerate(sorted(folder.rglob("*"))):
        os.utime(path, (1_000_000_000 + i, 1_000_000_000 + i))
    build_exe.zip_folder(folder, tmp_path / "b.zip", 1795749083)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.namelist() == ["readiness/_internal/python313.dll", "readiness/_internal/sub/考试.txt",
                                 "readiness/readiness.exe"]
        assert zf.read("readiness/_internal/sub/考试.txt") == "中文".encode()
        assert zf.infolist()[0].date_time == (2026, 11, 27, 3, 11, 22)  # zip dates have 2-second steps
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("epoch, stamp", [(0, (1980, 1, 1, 0, 0, 0)), (315532800, (1980, 1, 1, 0, 0, 0))])
def test_zip_dates_start_in_1980(tmp_path, epoch, stamp):
    folder = tmp_path / "readiness"
    folder.mkdir()
    (folder / "x").write_bytes(b"x")
    build_exe.zip_folder(folder, tmp_path / "a.zip", epoch)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.infolist()[0].date_time == stamp


def test_wine_path_of_a_linux_path(tmp_path):
    assert build_exe.winpath(tmp_path / "考点 工具" / "site.toml") == "Z:" + str(tmp_path).replace("/", "\\") + \
        "\\考点 工具\\site.toml"


def test_spec_and_manifest_declare_what_the_readme_promises():
    spec = (ROOT / "packaging" / "readiness.spec").read_text(encoding="utf-8")
    assert "upx=False" in spec and 'copy_metadata("exam-readiness")' in spec
    assert 'collect_submodules("readiness")' in spec and "readiness.exe.manifest" in spec
    manifest = (ROOT / "packaging" / "readiness.exe.manifest").read_text(encoding="utf-8")
    assert re.search(r'requestedExecutionLevel level="asInvoker"', manifest)
    assert "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}" in manifest  # Windows 10 and 11
    entry = (ROOT / "packaging" / "readiness_exe.py").read_text(encoding="utf-8")
    assert entry.index("freeze_support()") < entry.index("from readiness")  # before anything else runs


def test_version_comes_from_the_package():
    from readiness import __version__

    assert build_exe.package_version() == __version__
