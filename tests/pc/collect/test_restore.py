"""The restore collector over a fake registry (the Windows lane lays the real one)."""

import pytest

from readiness.pc.collect.restore import collect_restore
from readiness.pc.collect.system import PosixSystem, Unknown, WindowsSystem
from readiness.pc.collect.winapi import HKLM
from tests.pc.collect.test_windows import FakeRegistry, FakeWin32

SERVICES = r"SYSTEM\CurrentControlSet\Services"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"


def windows(keys, env=None):
    return WindowsSystem(FakeRegistry(keys), FakeWin32(), env or {"PROCESSOR_ARCHITECTURE": "AMD64",
                                                                  "SystemRoot": "/nonexistent"})


@pytest.mark.parametrize("service, product", [("DeepFrz", "deep-freeze"), ("DFServ", "deep-freeze"),
                                              ("uwfvol", "uwf"), ("ewf", "ewf"), ("fbwf", "fbwf")])
def test_a_service_key_names_its_product(service, product):
    got = collect_restore(windows({(HKLM, f"{SERVICES}\\{service}", None): {"Start": 0}}))
    assert [(f["product"], f["start"]) for f in got["found"]] == [(product, 0)]
    assert got["found"][0]["marker"] == f"HKLM\\{SERVICES}\\{service}"


@pytest.mark.parametrize("display, product", [("Shadow Defender", "shadow-defender"), ("影子系统 PowerShadow 2008", "powershadow"),
                                              ("冰点还原精灵", "deep-freeze")])
def test_an_installed_program_names_its_product(display, product):
    got = collect_restore(windows({(HKLM, f"{UNINSTALL}\\X", "64"): {"DisplayName": display}}))
    assert [f["product"] for f in got["found"]] == [product]


def test_dfc_exe_names_deep_freeze(tmp_path):
    (tmp_path / "System32").mkdir()
    (tmp_path / "System32" / "DFC.exe").write_bytes(b"MZ")
    got = collect_restore(windows({}, {"PROCESSOR_ARCHITECTURE": "AMD64", "SystemRoot": str(tmp_path)}))
    assert [f["product"] for f in got["found"]] == ["deep-freeze"]


def test_nothing_found_lists_what_was_looked_for():
    got = collect_restore(windows({}))
    assert got["found"] == [] and "deep-freeze" in got["looked_for"] and "uwf" in got["looked_for"]


def test_an_unreadable_registry_is_unknown():
    class Refusing(FakeRegistry):
        def values(self, hive, path, view=None):
            raise PermissionError(5, "Access is denied")

    s = WindowsSystem(Refusing({}), FakeWin32(), {"PROCESSOR_ARCHITECTURE": "AMD64", "SystemRoot": "/nonexistent"})
    with pytest.raises(Unknown, match="cannot read"):
        collect_restore(s)


def test_off_windows_it_is_unknown_like_the_other_windows_facts():
    with pytest.raises(Unknown, match="on Windows only"):
        collect_restore(PosixSystem())
