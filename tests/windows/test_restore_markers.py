"""Each restore product's documented marker laid for real (a service key in the registry, an
Uninstall entry, DFC.exe in System32), then the collector runs on it and the check names the
product; without a marker nothing is detected. Everything laid is removed again."""

import os
from pathlib import Path

import pytest

from tests.windows.conftest import NEEDS_WINDOWS

if os.name != "nt":
    pytest.skip(NEEDS_WINDOWS, allow_module_level=True)

import winreg  # noqa: E402

from readiness.pc.collect.restore import PRODUCTS, collect_restore  # noqa: E402
from readiness.pc.collect.system import current_system  # noqa: E402
from readiness.core.facts import Facts  # noqa: E402
from readiness.core.judging import judge_check  # noqa: E402
from tests.windows.test_scenarios import Reg  # noqa: E402

SERVICES = r"SYSTEM\CurrentControlSet\Services"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
HKLM = winreg.HKEY_LOCAL_MACHINE


@pytest.fixture
def reg():
    r = Reg()
    yield r
    r.restore()


def judged(loaded, profile):
    facts = {"schema": "readiness.facts/1", "restore": collect_restore(current_system()), "errors": {}}
    spec = next(c for c in loaded.checks if c.id == "restore")
    return facts, judge_check(spec, Facts(facts), profile)


def test_without_a_marker_nothing_is_detected(loaded, profile):
    facts, result = judged(loaded, profile)
    assert facts["restore"]["found"] == [] and result.status.value == "pass"
    assert "deep-freeze" in result.message.en


@pytest.mark.parametrize("service", [s for p in PRODUCTS for s in p.services])
def test_a_service_key_is_named(reg, loaded, profile, service):
    product = next(p for p in PRODUCTS if service in p.services)
    reg.new_key(HKLM, f"{SERVICES}\\{service}", {"Start": (0, winreg.REG_DWORD), "Type": (1, winreg.REG_DWORD)})
    facts, result = judged(loaded, profile)
    assert [f["product"] for f in facts["restore"]["found"]] == [product.id]
    assert result.status.value == "warn" and product.name in result.message.en


def test_a_disabled_driver_is_not_protection(reg, loaded, profile):
    reg.new_key(HKLM, f"{SERVICES}\\uwfvol", {"Start": (4, winreg.REG_DWORD)})
    facts, result = judged(loaded, profile)
    assert facts["restore"]["found"][0]["start"] == 4 and result.status.value == "pass"


@pytest.mark.parametrize("display", [w for p in PRODUCTS for w in p.programs])
def test_an_uninstall_entry_is_named(reg, loaded, profile, display):
    product = next(p for p in PRODUCTS if display in p.programs)
    reg.new_key(HKLM, f"{UNINSTALL}\\ExamReadinessTest-Restore", {"DisplayName": (f"{display} 8.6", winreg.REG_SZ)},
                winreg.KEY_WOW64_64KEY)
    facts, result = judged(loaded, profile)
    assert [f["product"] for f in facts["restore"]["found"]] == [product.id]
    assert result.status.value == "warn" and product.name in result.message.en


def test_dfc_exe_in_system32_is_deep_freeze(loaded, profile):
    dfc = Path(os.environ["SystemRoot"]) / "System32" / "DFC.exe"
    assert not dfc.exists()
    dfc.write_bytes(b"MZ")
    try:
        facts, result = judged(loaded, profile)
    finally:
        dfc.unlink()
    assert [f["product"] for f in facts["restore"]["found"]] == ["deep-freeze"]
    assert result.status.value == "warn" and "Deep Freeze" in result.message.en
