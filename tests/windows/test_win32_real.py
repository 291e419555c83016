"""The thin Windows layer against the real Win32 calls (no fakes)."""

import os
import sys
import threading

import pytest

from tests.windows.conftest import NEEDS_WINDOWS

if os.name != "nt":
    pytest.skip(NEEDS_WINDOWS, allow_module_level=True)

from readiness.pc.collect.winapi import DRIVE_FIXED, Kernel32
from readiness.pc.output import atomic_write
from readiness.core.win32 import known_folder_desktop, open_for_replace, process_names


def test_windows_version_from_rtlgetversion():
    from tests.windows.conftest import under_wine

    major, minor, build, product_type = Kernel32().windows_version()
    assert (major, minor) == (10, 0) and build >= 10240 and product_type in (1, 2, 3)
    assert build == sys.getwindowsversion().build  # the same source as Python's own
    if under_wine():
        assert product_type == 1  # the lane's prefix is Windows 10 (winecfg -v win10)


def test_installed_memory_is_read_and_plausible():
    """The input to the 8 GB rule, from the real call (it works under Wine and on Windows with an
    SMBIOS memory table): at least what Windows can use (psutil), and not absurdly more (firmware
    and integrated graphics reserve some, never as much again plus 4 GiB)."""
    import psutil

    installed = Kernel32().installed_memory_kib() * 1024
    usable = psutil.virtual_memory().total
    assert usable - 1024 * 1024 <= installed <= 2 * usable + 4 * 1024**3, (installed, usable)


def test_system_drive_is_fixed_and_has_a_volume_name():
    """The identity the disk check counts a volume once by: a volume GUID name, the same for
    every spelling of the root."""
    import re

    k = Kernel32()
    assert k.drive_type("C:\\") == DRIVE_FIXED
    volume = k.volume_id("C:\\")
    assert re.fullmatch(r"\\\\\?\\Volume\{[0-9a-fA-F-]{36}\}\\", volume), volume
    assert k.volume_id("c:") == volume


def test_bus_type_of_the_system_drive():
    """The input to the USB-disk exclusion: a known STORAGE_BUS_TYPE, and not USB for C:."""
    from readiness.pc.collect.winapi import BUS_TYPES

    bus = Kernel32().bus_type("C:\\")
    assert bus in BUS_TYPES and BUS_TYPES[bus] not in ("usb", "sd", "mmc"), bus


def test_a_volume_letter_maps_to_a_device_and_has_a_serial():
    """QueryDosDeviceW("C:") names a device (not a "\\??\\" path: C: is no subst letter), and
    GetVolumeInformationW gives C:'s volume serial, the fall-back identity of a volume."""
    from readiness.pc.collect.system import WindowsSystem
    from readiness.pc.collect.winapi import WinRegistry

    k = Kernel32()
    assert k.dos_device("C:").startswith("\\Device\\")
    assert 0 < k.volume_serial("C:\\") <= 0xFFFFFFFF
    assert WindowsSystem(WinRegistry(), k).drive_alias("C:\\") is None


def test_bus_type_is_a_number_or_a_clear_error():
    try:
        assert 0 <= Kernel32().bus_type("C:\\") < 0x80
    except OSError as exc:
        assert exc.winerror or "IOCTL_STORAGE_QUERY_PROPERTY" in str(exc)


def test_the_desktop_known_folder():
    path = known_folder_desktop()
    assert os.path.isabs(path) and "desktop" in path.lower()


def test_process_snapshot_names_this_process():
    names = dict(process_names())
    assert names[os.getpid()].lower() == os.path.basename(sys.executable).lower()


def test_the_scan_that_guards_fix_never_raises_and_sees_this_process():
    from readiness.pc.fix.actions import running_processes

    assert f"{os.path.basename(sys.executable)} (PID {os.getpid()})".lower() in [p.lower() for p in running_processes()]


def test_the_lock_probe_asks_for_delete_sharing(tmp_path):
    path = tmp_path / "user.ini"
    path.write_bytes(b"[OpenGL]\r\nLevel=2\r\n")
    assert open_for_replace(str(path)) is None
    other = tmp_path / "new.ini"
    other.write_bytes(b"new")
    with open(path, "rb"):  # the CRT shares read and write, not delete: a replace fails now
        assert open_for_replace(str(path))
        with pytest.raises(PermissionError):
            os.replace(other, path)
    assert open_for_replace(str(path)) is None


def test_replace_waits_for_a_file_held_briefly(tmp_path):
    path = tmp_path / "user.ini"
    path.write_bytes(b"old")
    held = open(path, "rb")
    threading.Timer(0.3, held.close).start()
    atomic_write(path, b"new")  # retries with backoff while the handle is open
    assert path.read_bytes() == b"new" and sorted(os.listdir(tmp_path)) == ["user.ini"]


def test_a_file_held_throughout_fails_cleanly(tmp_path):
    path = tmp_path / "user.ini"
    path.write_bytes(b"old")
    with open(path, "rb"):
        with pytest.raises(PermissionError) as raised:
            atomic_write(path, b"new")
        assert raised.value.winerror in (5, 32)
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["user.ini"]


def test_the_read_only_attribute_is_not_copied_to_the_temp_file(tmp_path, monkeypatch):
    """MoveFileExW onto a read-only file fails with ERROR_ACCESS_DENIED on Windows (Wine 8 replaces
    it anyway, so the refusal is played here); the temp file must then be deletable, which it is
    not when it got the read-only attribute (DeleteFileW's documentation)."""
    path = tmp_path / "report.json"
    path.write_bytes(b"{}")
    os.chmod(path, 0o444)  # FILE_ATTRIBUTE_READONLY

    def refused(src, dst):
        exc = PermissionError(13, "Access is denied")
        exc.winerror = 5
        raise exc

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr("readiness.pc.output.REPLACE_BACKOFF_S", ())
    try:
        with pytest.raises(PermissionError):
            atomic_write(path, b"{\"new\": 1}")
        assert sorted(os.listdir(tmp_path)) == ["report.json"]  # the temp file was deleted
        assert path.read_bytes() == b"{}"
    finally:
        os.chmod(path, 0o666)


def test_a_new_report_beside_a_read_only_one_is_not_read_only(tmp_path):
    """chmod on Windows only sets FILE_ATTRIBUTE_READONLY: a mode copied from a read-only earlier
    report made the new report (and a .part left behind) read-only, so it could not be deleted."""
    import stat

    from readiness.pc.output import write_new

    old = tmp_path / "report.json"
    old.write_bytes(b"{}")
    os.chmod(old, 0o444)
    try:
        new = write_new(tmp_path, "report.json", b'{"new": 1}')
        assert new.name == "report-2.json" and new.read_bytes() == b'{"new": 1}'
        assert os.stat(new).st_mode & stat.S_IWRITE
        new.unlink()  # DeleteFileW refuses a read-only file
        assert sorted(os.listdir(tmp_path)) == ["report.json"]
    finally:
        os.chmod(old, 0o666)


def test_console_code_page_for_text_to_a_pipe():
    from readiness.pc.console import console_codepage
    from tests.windows.conftest import chinese_windows, under_wine

    cp = console_codepage()
    if under_wine():  # no console: the OEM code page, 936 on a Chinese Windows, 437 on an English one
        assert cp == (936 if chinese_windows() else 437)
    else:
        assert isinstance(cp, int) and cp > 0


def test_every_prototype_resolves_in_its_dll_and_is_declared_once():
    from readiness.core import win32

    for name, proto in win32.prototypes().items():
        fn = win32.function(name)
        assert fn.__name__ == name and tuple(fn.argtypes) == tuple(proto.argtypes) and fn.restype is proto.restype, name
        assert win32.function(name) is fn  # one declaration, shared by every caller


def test_a_failing_bool_call_raises_its_name_and_the_last_error(tmp_path):
    """GetVolumeNameForVolumeMountPointW fails for a folder that is not a mount point (its
    documentation); the errcheck turns that into an OSError naming the call, with winerror."""
    from readiness.core.win32 import volume_id

    with pytest.raises(OSError) as raised:
        volume_id(str(tmp_path))
    assert raised.value.winerror and "GetVolumeNameForVolumeMountPointW" in str(raised.value)


def test_the_console_and_language_wrappers_answer():
    from readiness.core import win32

    assert win32.oem_codepage() > 0 and win32.console_output_codepage() >= 0
    assert win32.ui_language() > 0
    assert isinstance(win32.is_admin(), bool)
    assert win32.process_image(os.getpid()).lower() == os.path.abspath(sys.executable).lower()


def test_the_scenarios_that_change_this_pc_are_skipped_unless_asked_for():
    """`python -m pytest` on a technician's Windows must not write HKLM, Fonts or the Desktop:
    without the lane's variable, tests/windows/test_scenarios.py runs nothing and says why."""
    import subprocess
    from pathlib import Path

    from tests.windows.conftest import MAY_CHANGE_THIS_PC

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k.upper() != MAY_CHANGE_THIS_PC}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           str(root / "tests" / "windows" / "test_scenarios.py")],
                          capture_output=True, text=True, cwd=root, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert proc.returncode in (0, 5) and " passed" not in proc.stdout, proc.stdout  # 5: nothing ran
    assert "1 skipped" in proc.stdout and MAY_CHANGE_THIS_PC in proc.stdout, proc.stdout


def test_replace_file_puts_the_new_bytes_in_place_for_real(tmp_path):
    from readiness.core.win32 import replace_file

    target, new = tmp_path / "user.ini", tmp_path / ".user.ini.tmp"
    target.write_bytes(b"old")
    new.write_bytes(b"new")
    replace_file(str(target), str(new))
    assert target.read_bytes() == b"new" and not new.exists()
    with pytest.raises(OSError) as missing:
        replace_file(str(tmp_path / "absent.ini"), str(tmp_path / "also-absent"))
    assert missing.value.winerror


def test_whose_token_and_who_is_signed_in_for_real():
    from readiness.core.win32 import session_user, token_user

    assert token_user()  # GetUserNameW
    try:
        who = session_user()  # WTSQuerySessionInformationW(WTSUserName)
    except OSError as exc:  # Wine may lack the session query: the collector records the reason
        pytest.skip(f"WTSQuerySessionInformationW under Wine: {exc}")
    assert isinstance(who, str)


@pytest.mark.parametrize("kind", ["edit", "move"])
def test_fix_refuses_a_file_change_on_a_file_held_open(tmp_path, kind):
    """An edit and a move aside are asked the same: may the file be opened with delete access, as
    the replace or the move will (CreateFileW; the CRT's open shares read and write, not delete)."""
    from readiness.core.i18n import Text
    from readiness.pc.fix.actions import ChangeSet, EditFile, MoveAside, preconditions

    path = tmp_path / "D3DCompiler_47.dll"
    path.write_bytes(b"MZ")
    what = Text("change it", "修改它")
    change = (EditFile(path, "opengl-level", what, before=b"MZ", after=b"MZ2") if kind == "edit"
              else MoveAside(path, "opengl-level", what))
    assert preconditions(ChangeSet(actions=[change]), lambda: [], "ExamClient.exe") == []
    with open(path, "rb"):
        problems = preconditions(ChangeSet(actions=[change]), lambda: [], "ExamClient.exe")
    assert len(problems) == 1 and f"Cannot change {path}: {path} is locked or not writable (" in problems[0].en
    assert f"无法修改 {path}：{path} 被占用或无法写入（" in problems[0].zh
