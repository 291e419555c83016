"""Each restore product's documented marker laid for real (a service key in the registry, an
Uninstall entry, DFC.exe in System32 or SysWOW64), then the collector runs on it and the check
names the product and the state read; without a marker nothing is detected. DFC.exe is a stub
built with mingw-w64 (tests/fixtures/dfc/dfc_stub.c, by scripts/windows_lane.py) that exits with
the code it is given, as Faronics documents the real one's. Everything laid is removed again."""

import os
import shutil
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
    """Deep Freeze and UWF installed are "state unknown" (no DFC.exe; UWF's WMI provider is not in
    Wine); EWF and FBWF filter once their driver loads."""
    product = next(p for p in PRODUCTS if service in p.services)
    reg.new_key(HKLM, f"{SERVICES}\\{service}", {"Start": (0, winreg.REG_DWORD), "Type": (1, winreg.REG_DWORD)})
    facts, result = judged(loaded, profile)
    assert {f["product"] for f in facts["restore"]["found"]} == {product.id}
    assert result.status.value == "warn" and product.name in result.message.en
    if product.id == "uwf":
        wmi = facts["restore"]["found"][-1]
        assert wmi["state"] is None and "UWF_Filter" in wmi["state_note"]
        assert "whether it is on could not be read" in result.message.en and "protected by" not in result.message.en


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


def test_the_enterprise_console_is_no_client(reg, loaded, profile):
    reg.new_key(HKLM, f"{UNINSTALL}\\ExamReadinessTest-Console",
                {"DisplayName": ("Faronics Deep Freeze Enterprise Console", winreg.REG_SZ)}, winreg.KEY_WOW64_64KEY)
    facts, result = judged(loaded, profile)
    assert facts["restore"]["found"] == [] and result.status.value == "pass"


STUB = os.environ.get("READINESS_DFC_STUB")
NO_STUB = "no DFC.exe stub: scripts/windows_lane.py builds it with x86_64-w64-mingw32-gcc (Debian gcc-mingw-w64-x86-64)"


@pytest.fixture
def dfc(monkeypatch):
    """Lays the stub as DFC.exe in a system folder; yields a function(folder, exit code)."""
    if not STUB or not os.path.isfile(STUB):
        pytest.skip(NO_STUB)
    laid = []

    def lay(folder, code):
        path = Path(os.environ["SystemRoot"]) / folder / "DFC.exe"
        assert not path.exists()
        shutil.copyfile(STUB, path)
        laid.append(path)
        monkeypatch.setenv("DFC_STUB_EXIT", str(code))

    yield lay
    for path in laid:
        path.unlink()


@pytest.mark.parametrize("folder", ["System32", "SysWOW64"])
@pytest.mark.parametrize("code, state, status", [(1, "frozen", "warn"), (0, "thawed", "pass"), (2, None, "warn"),
                                                 (5, None, "warn"), (7, None, "warn")])
def test_dfc_exe_says_frozen_or_thawed(dfc, loaded, profile, folder, code, state, status):
    if folder == "SysWOW64" and not (Path(os.environ["SystemRoot"]) / "SysWOW64").is_dir():
        pytest.skip("a 32-bit Windows has no SysWOW64")
    dfc(folder, code)
    facts, result = judged(loaded, profile)
    found = facts["restore"]["found"]
    assert len(found) == 1, found  # the file once, under its real folder's name
    assert found[0]["marker"].lower() == str(Path(os.environ["SystemRoot"]) / folder / "DFC.exe").lower()
    assert found[0]["state"] == state and found[0]["exit_code"] == code
    assert result.status.value == status
    if state == "frozen":
        assert "protected by Faronics Deep Freeze" in result.message.en and "Boot Thawed" in result.remedy.en
    elif state == "thawed":
        assert "installed, thawed" in result.observed.en
    else:
        assert "installed, state unknown" in result.observed.en and f"exit {code}" in result.message.en


def test_frozen_by_dfc_with_the_deep_freeze_services(reg, dfc, loaded, profile):
    reg.new_key(HKLM, f"{SERVICES}\\DeepFrz", {"Start": (0, winreg.REG_DWORD)})
    dfc("System32", 0)
    facts, result = judged(loaded, profile)
    assert [f["state"] for f in facts["restore"]["found"]] == [None, "thawed"]
    assert result.status.value == "pass"  # the Boot Thawed the remedy asks for no longer warns


# --- the boot marker on a real %ProgramData% (a restart cannot be made under Wine: the boot is given) ---

def test_each_collection_leaves_a_stamp_and_reads_the_last(tmp_path, loaded, profile):
    marker = Path(os.environ["ProgramData"]) / "exam-readiness" / "boot-marker.json"
    kept = marker.read_bytes() if marker.exists() else None
    try:
        first = collect_restore(current_system())["boot_marker"]
        second = collect_restore(current_system())["boot_marker"]
        assert first["written"] and second["written"] and first["error"] is None
        assert second["stamps"][-1] == first["now"] and second["now"]["uptime_s"] >= first["now"]["uptime_s"]
        spec = next(c for c in loaded.checks if c.id == "restore")
        facts = {"schema": "readiness.facts/1", "errors": {}, "restore": collect_restore(current_system())}
        assert judge_check(spec, Facts(facts), profile).details["survived_restart_since"] is None  # one boot
        # as after a restart: GetTickCount64 started again
        from readiness.pc.collect.bootmarker import boot_marker
        restarted = boot_marker(os.environ, {"id": "after", "written_at": second["now"]["written_at"] + 3600,
                                             "uptime_s": 30.0})
        facts["restore"] = {"looked_for": [], "found": [], "boot_marker": restarted}
        result = judge_check(spec, Facts(facts), profile)
        assert result.status.value == "pass" and "changes survive a restart (the marker from" in result.observed.en
    finally:
        if kept is None:
            marker.unlink(missing_ok=True)
        else:
            marker.write_bytes(kept)


def test_the_time_zone_from_windows():
    import time

    from readiness.pc.collect.zone import collect_time_zone

    tz = collect_time_zone()
    assert tz["key"] and tz["source"] == "GetDynamicTimeZoneInformation"
    local = time.localtime()
    assert tz["utc_offset_s"] == -(time.altzone if local.tm_isdst > 0 else time.timezone)
    assert tz["bias_min"] * -60 == tz["utc_offset_s"]
