"""The restore collector over a fake registry and a fake runner for DFC.exe and PowerShell (the
Windows lane lays the real registry and runs a real DFC.exe stub); the boot marker on a real folder."""

import json
import os
import subprocess

import pytest

from readiness.pc.collect.bootmarker import MAX_STAMPS, boot_marker
from readiness.pc.collect.restore import collect_restore, deep_freeze_state, system_folders, uwf_state
from readiness.pc.collect.system import PosixSystem, Unknown, WindowsSystem
from readiness.pc.collect.winapi import HKLM
from tests.pc.collect.test_windows import FakeRegistry, FakeWin32

SERVICES = r"SYSTEM\CurrentControlSet\Services"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
AMD64 = {"PROCESSOR_ARCHITECTURE": "AMD64", "SystemRoot": "/nonexistent"}


def windows(keys, env=None):
    return WindowsSystem(FakeRegistry(keys), FakeWin32(), env or AMD64)


def runner(answers):
    """A fake Runner: the first word of argv's program name -> (exit code, output) or an exception."""
    calls = []

    def run(argv, timeout_s):
        calls.append(list(argv))
        answer = answers[os.path.basename(argv[0].replace("\\", "/")).lower()]
        if isinstance(answer, BaseException):
            raise answer
        return answer
    run.calls = calls
    return run


NOTHING_RUNS = runner({})


@pytest.mark.parametrize("service, product", [("DeepFrz", "deep-freeze"), ("DFServ", "deep-freeze"),
                                              ("ewf", "ewf"), ("fbwf", "fbwf")])
def test_a_service_key_names_its_product(service, product):
    got = collect_restore(windows({(HKLM, f"{SERVICES}\\{service}", None): {"Start": 0}}), NOTHING_RUNS)
    assert [(f["product"], f["start"]) for f in got["found"]] == [(product, 0)]
    assert got["found"][0]["marker"] == f"HKLM\\{SERVICES}\\{service}"


@pytest.mark.parametrize("display, product", [
    ("Shadow Defender", "shadow-defender"), ("影子系统 PowerShadow 2008", "powershadow"), ("冰点还原精灵", "deep-freeze"),
    ("Deep Freeze 8.60", "deep-freeze"), ("Faronics Deep Freeze Standard 8.53.020.5458", "deep-freeze"),
    ("deep  freeze", "deep-freeze"),
    ("Faronics Deep Freeze Enterprise Console", None),  # the teacher's console is no client
    ("Deep Freeze Enterprise Console 8.6", None), ("Shadow Defender Helper Toolbar", None), ("My 影子系统 notes", None),
])
def test_an_installed_program_names_its_product_by_its_whole_name(display, product):
    got = collect_restore(windows({(HKLM, f"{UNINSTALL}\\X", "64"): {"DisplayName": display}}), NOTHING_RUNS)
    assert [f["product"] for f in got["found"]] == ([product] if product else [])


# --- Deep Freeze: DFC.exe get /ISFROZEN (Deep Freeze Enterprise guide, "DFC Return Values") ------------

@pytest.mark.parametrize("answer, state, note", [
    ((1, ""), "frozen", "exit 1"), ((0, ""), "thawed", "exit 0"),
    ((2, ""), None, "exit 2 (an error)"), ((5, ""), None, "exit 5 (an error)"),
    ((6, ""), None, "exit 6 (not a documented answer)"), ((-1, ""), None, "exit -1 (not a documented answer)"),
    (subprocess.TimeoutExpired("DFC.exe", 15), None, "no answer within 15 s"),
    (PermissionError(5, "Access is denied"), None, "did not start: Access is denied"),
])
def test_dfc_exit_codes(answer, state, note):
    run = runner({"dfc.exe": answer})
    got = deep_freeze_state(r"C:\Windows\SysWOW64\DFC.exe", run)
    assert got["state"] == state and note in got["state_note"]
    assert run.calls[0][1:] == ["get", "/ISFROZEN"]


def lay_dfc(root, *folders):
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "DFC.exe").write_bytes(b"MZ")


def test_dfc_exe_in_syswow64_is_read_and_listed_once(tmp_path):
    lay_dfc(tmp_path, "SysWOW64")
    env = {"PROCESSOR_ARCHITECTURE": "AMD64", "SystemRoot": str(tmp_path)}
    got = collect_restore(windows({}, env), runner({"dfc.exe": (1, "")}))
    assert [(f["product"], f["marker"].rsplit("\\", 1)[-2][-8:], f["state"]) for f in got["found"]] == \
        [("deep-freeze", "SysWOW64", "frozen")]


def test_the_same_file_seen_through_two_names_is_listed_once(tmp_path):
    lay_dfc(tmp_path, "SysWOW64")
    os.symlink(tmp_path / "SysWOW64", tmp_path / "System32")  # as WOW64's redirector shows it to a 32-bit process
    env = {"PROCESSOR_ARCHITECTURE": "AMD64", "SystemRoot": str(tmp_path)}
    got = collect_restore(windows({}, env), runner({"dfc.exe": (0, "")}))
    assert len(got["found"]) == 1 and got["found"][0]["state"] == "thawed"


@pytest.mark.parametrize("env, bits, folders", [
    ({"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"}, 32,   # 32-bit process, 64-bit Windows
     [(r"C:\W\System32", r"C:\W\Sysnative"), (r"C:\W\SysWOW64", r"C:\W\SysWOW64")]),
    ({"PROCESSOR_ARCHITECTURE": "AMD64"}, 64,
     [(r"C:\W\System32", r"C:\W\System32"), (r"C:\W\SysWOW64", r"C:\W\SysWOW64")]),
    ({"PROCESSOR_ARCHITECTURE": "x86"}, 32, [(r"C:\W\System32", r"C:\W\System32")]),  # 32-bit Windows
])
def test_system32_is_reached_through_sysnative_from_a_32_bit_process(env, bits, folders):
    assert system_folders(dict(env, SystemRoot=r"C:\W"), bits) == folders


def test_deep_freeze_services_without_dfc_exe_are_installed_state_unknown():
    got = collect_restore(windows({(HKLM, f"{SERVICES}\\DeepFrz", None): {"Start": 0}}), NOTHING_RUNS)
    assert [f["state"] for f in got["found"]] == [None]


# --- UWF: WMI root\standardcimv2\embedded --------------------------------------------------------------

def wmi(current=True, nxt=True, volumes=(("C:", True),), servicing=False, listed=True):
    f = {"CurrentEnabled": current, "NextEnabled": nxt}
    doc = {"filter": [f] if listed else f, "volumes": [{"DriveLetter": d, "Protected": p} for d, p in volumes],
           "servicing": [{"ServicingEnabled": servicing}]}
    return json.dumps(doc)


@pytest.mark.parametrize("answer, state", [
    (wmi(), "on"),
    (wmi(listed=False), "on"),                      # PowerShell 5 writes one item without its list
    (wmi(current=False, nxt=True), "off"),          # enabled, but only from the next restart
    (wmi(current=True, nxt=False), "on"),           # disabled from the next restart: still on now
    (wmi(servicing=True), "off"),                   # servicing mode turns the filter off
    (wmi(volumes=(("D:", True),)), "off"),          # on, but C: is not protected
    (wmi(volumes=(("c:", True),)), "on"),
    (wmi(volumes=(("C:", False),)), "off"),
    (wmi(volumes=()), "off"),
    (json.dumps({"filter": [], "volumes": [], "servicing": []}), None),
    (json.dumps({"filter": [{"CurrentEnabled": "yes"}]}), None),
    ("Get-CimInstance : Invalid namespace", None),
    ("[]", None), ("null", None),
])
def test_uwf_state_from_wmi(answer, state):
    got = uwf_state(answer, "C:\\")
    assert got["state"] == state, got
    assert "UWF_Filter" in got["state_note"]


def test_uwf_services_read_the_state_through_powershell():
    keys = {(HKLM, f"{SERVICES}\\uwfvol", None): {"Start": 0}}
    run = runner({"powershell.exe": (0, wmi())})
    got = collect_restore(windows(keys), run)
    assert [(f["marker"].split("\\")[-1][:8], f["state"]) for f in got["found"]] == [("uwfvol", None),
                                                                                     ("embedded", "on")]
    assert "root\\standardcimv2\\embedded" in run.calls[0][-1] and "-NoProfile" in run.calls[0]


@pytest.mark.parametrize("answer", [(1, "Get-CimInstance : Invalid namespace"), FileNotFoundError(2, "not found"),
                                    subprocess.TimeoutExpired("powershell", 15)])
def test_uwf_unreadable_is_no_state(answer):
    got = collect_restore(windows({(HKLM, f"{SERVICES}\\uwfvol", None): {"Start": 0}}),
                          runner({"powershell.exe": answer}))
    assert got["found"][-1]["state"] is None and got["found"][-1]["state_note"]


def test_uwf_drivers_disabled_are_not_asked():
    run = runner({})
    got = collect_restore(windows({(HKLM, f"{SERVICES}\\uwfvol", None): {"Start": 4}}), run)
    assert run.calls == [] and [f["start"] for f in got["found"]] == [4]


def test_nothing_found_lists_what_was_looked_for():
    got = collect_restore(windows({}), NOTHING_RUNS)
    assert got["found"] == [] and "deep-freeze" in got["looked_for"] and "uwf" in got["looked_for"]


def test_an_unreadable_registry_is_unknown():
    class Refusing(FakeRegistry):
        def values(self, hive, path, view=None):
            raise PermissionError(5, "Access is denied")

    s = WindowsSystem(Refusing({}), FakeWin32(), AMD64)
    with pytest.raises(Unknown, match="cannot read"):
        collect_restore(s, NOTHING_RUNS)


def test_off_windows_it_is_unknown_like_the_other_windows_facts():
    with pytest.raises(Unknown, match="on Windows only"):
        collect_restore(PosixSystem())


# --- the boot marker (the boot given: a restart cannot be made here nor under Wine) ------------------

def stamp(i, at, up):
    return {"id": f"s{i}", "written_at": at, "uptime_s": up}


def test_the_marker_is_read_then_stamped(tmp_path):
    env = {"ProgramData": str(tmp_path)}
    first = boot_marker(env, stamp(1, 1000.0, 60.0))
    assert first["stamps"] == [] and first["written"] and first["error"] is None
    assert first["path"].endswith("exam-readiness\\boot-marker.json")
    second = boot_marker(env, stamp(2, 90000.0, 30.0))
    assert second["stamps"] == [stamp(1, 1000.0, 60.0)] and second["now"]["id"] == "s2"
    doc = json.loads((tmp_path / "exam-readiness" / "boot-marker.json").read_text())
    assert [s["id"] for s in doc["stamps"]] == ["s1", "s2"] and "safe to delete" in doc["about"]


def test_the_marker_keeps_its_last_stamps(tmp_path):
    env = {"ProgramData": str(tmp_path)}
    for i in range(MAX_STAMPS + 5):
        got = boot_marker(env, stamp(i, 1000.0 + i, 60.0 + i))
    assert len(got["stamps"]) == MAX_STAMPS and got["stamps"][-1]["id"] == f"s{MAX_STAMPS + 3}"


@pytest.mark.parametrize("content", [b"not json", b"[]", b'{"stamps": 3}', b"\xff\xfe", b"x" * (65 * 1024)])
def test_a_broken_marker_is_unreadable_and_replaced(tmp_path, content):
    folder = tmp_path / "exam-readiness"
    folder.mkdir()
    (folder / "boot-marker.json").write_bytes(content)
    got = boot_marker({"ProgramData": str(tmp_path)}, stamp(1, 1000.0, 60.0))
    assert got["stamps"] is None and "boot-marker.json" in got["error"] and got["written"]
    assert boot_marker({"ProgramData": str(tmp_path)}, stamp(2, 2000.0, 1.0))["stamps"] == [stamp(1, 1000.0, 60.0)]


def test_odd_stamps_are_left_out(tmp_path):
    folder = tmp_path / "exam-readiness"
    folder.mkdir()
    good = stamp(1, 1000.0, 60.0)
    bad = [{"id": 1}, {"id": "x" * 65, "written_at": 1, "uptime_s": 1}, {"id": "n", "written_at": "1", "uptime_s": 1},
           {"id": "b", "written_at": True, "uptime_s": 1}, {"id": "neg", "written_at": -1, "uptime_s": 1}, "s"]
    (folder / "boot-marker.json").write_text(json.dumps({"stamps": bad + [good]}))
    assert boot_marker({"ProgramData": str(tmp_path)}, stamp(2, 2000.0, 1.0))["stamps"] == [good]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_its_place_never_blocks_and_is_not_replaced(tmp_path):
    folder = tmp_path / "exam-readiness"
    folder.mkdir()
    os.mkfifo(folder / "boot-marker.json")
    got = boot_marker({"ProgramData": str(tmp_path)}, stamp(1, 1000.0, 60.0))
    assert got["stamps"] is None and not got["written"] and "cannot write" in got["error"]
    assert (folder / "boot-marker.json").is_fifo()


@pytest.mark.skipif(os.name == "nt", reason="a folder's POSIX mode is POSIX (on Windows chmod sets only read-only)")
def test_a_read_only_folder_is_said(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "exam-readiness"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        got = boot_marker({"ProgramData": str(tmp_path)}, stamp(1, 1000.0, 60.0))
    finally:
        folder.chmod(0o700)
    assert not got["written"] and "cannot write" in got["error"]


def test_no_programdata_is_no_marker():
    got = boot_marker({}, stamp(1, 1000.0, 60.0))
    assert got["written"] is False and "ProgramData" in got["error"]


def test_the_collector_carries_the_marker(tmp_path):
    env = dict(AMD64, ProgramData=str(tmp_path))
    got = collect_restore(windows({}, env), NOTHING_RUNS, boot=stamp(1, 1000.0, 60.0))
    assert got["boot_marker"]["written"] and got["boot_marker"]["now"]["id"] == "s1"
