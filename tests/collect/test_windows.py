"""The Windows collector's logic, through fakes of the registry and the Win32 calls."""

import pytest

from readiness.collect.system import (CURRENT_VERSION, FONTS_KEY, UNINSTALL, Unknown, WindowsSystem,
                                      expand_windows_vars)
from readiness.collect.winapi import DRIVE_CDROM, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_REMOVABLE, HKCU, HKLM


class FakeRegistry:
    """Keys as {(hive, path, view): {value: data}}; subkeys are derived from the paths."""

    def __init__(self, keys):
        self.keys = {(h, p.lower(), v): vals for (h, p, v), vals in keys.items()}

    def values(self, hive, path, view=None):
        try:
            return dict(self.keys[(hive, path.lower(), view)])
        except KeyError:
            raise FileNotFoundError(path) from None

    def subkeys(self, hive, path, view=None):
        prefix = path.lower() + "\\"
        names = {p[len(prefix):].split("\\")[0] for (h, p, v) in self.keys if h == hive and v == view and p.startswith(prefix)}
        if not names and (hive, path.lower(), view) not in self.keys:
            raise FileNotFoundError(path)
        return sorted(names)


class FakeWin32:
    def __init__(self, memory_kib=8 * 1024 * 1024, version=(10, 0, 19045, 1), drives=None):
        self.memory_kib = memory_kib
        self.version = version
        self.drives = drives or {}

    def installed_memory_kib(self):
        if isinstance(self.memory_kib, Exception):
            raise self.memory_kib
        return self.memory_kib

    def windows_version(self):
        return self.version

    def drive_type(self, root):
        return self.drives.get(root, 0)


WIN10 = {"CurrentBuildNumber": "19045", "CurrentBuild": "19045", "UBR": 3693, "EditionID": "Professional",
         "DisplayVersion": "22H2", "ProductName": "Windows 10 Pro", "InstallationType": "Client"}
WIN11 = dict(WIN10, CurrentBuildNumber="22631", CurrentBuild="22631", DisplayVersion="23H2")  # still "Windows 10 Pro"


def system(cv=WIN10, win32=None, extra=None, env=None):
    keys = {(HKLM, CURRENT_VERSION, "64"): cv}
    keys.update(extra or {})
    return WindowsSystem(FakeRegistry(keys), win32 or FakeWin32(), env or {"PROCESSOR_ARCHITECTURE": "AMD64"})


def test_windows_10():
    info = system().os_info()
    assert info == {"system": "Windows", "build": 19045, "ubr": 3693, "product_type": "workstation",
                    "edition": "Professional", "display_version": "22H2", "product_name": "Windows 10 Pro",
                    "arch": "AMD64", "version": "10.0"}


def test_windows_11_is_told_by_its_build_not_its_name():
    info = system(WIN11, FakeWin32(version=(10, 0, 22631, 1))).os_info()
    assert info["build"] == 22631 and info["product_name"] == "Windows 10 Pro"


@pytest.mark.parametrize("product_type,kind", [(1, "workstation"), (2, "server"), (3, "server")])
def test_product_type(product_type, kind):
    assert system(win32=FakeWin32(version=(10, 0, 17763, product_type))).os_info()["product_type"] == kind


def test_build_from_the_api_when_the_registry_is_unreadable():
    info = system(cv={}, win32=FakeWin32(version=(10, 0, 19044, 1))).os_info()
    assert info["build"] == 19044 and info["edition"] is None


def test_wow64_reports_the_real_architecture():
    env = {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"}
    assert system(env=env).os_info()["arch"] == "AMD64"


def test_installed_memory():
    assert system().installed_memory_bytes() == 8 * 2**30


def test_installed_memory_failure_is_unknown_with_reason():
    with pytest.raises(Unknown, match="GetPhysicallyInstalledSystemMemory"):
        system(win32=FakeWin32(memory_kib=OSError(13, "The data is invalid"))).installed_memory_bytes()


def test_machine_id():
    s = system(extra={(HKLM, r"SOFTWARE\Microsoft\Cryptography", "64"): {"MachineGuid": "abc-123"}})
    assert s.machine_id() == "abc-123"
    with pytest.raises(Unknown):
        system().machine_id()


@pytest.mark.parametrize("code,kind", [(DRIVE_FIXED, "fixed"), (DRIVE_REMOVABLE, "removable"),
                                       (DRIVE_REMOTE, "network"), (DRIVE_CDROM, "cdrom"), (0, "other")])
def test_drive_kind(code, kind):
    assert system(win32=FakeWin32(drives={"C:\\": code})).drive_kind("C:\\", "NTFS", "rw,fixed") == kind


def test_uninstall_entries_from_both_views_and_the_user():
    extra = {
        (HKLM, UNINSTALL + r"\{GUID-1}", "64"): {"DisplayName": "Office", "DisplayVersion": "16"},
        (HKLM, UNINSTALL + r"\ExamClient", "32"): {"DisplayName": "ExamClient", "DisplayVersion": "1.2.1-0",
                                                   "InstallLocation": "C:\\Program Files (x86)\\ExamClient",
                                                   "EstimatedSize": 1234},
        (HKCU, UNINSTALL + r"\Tool", None): {"DisplayName": "Tool"},
        (HKCU, UNINSTALL + r"\NoName", None): {"DisplayVersion": "1"},
    }
    entries = system(extra=extra).uninstall_entries()
    assert [e["DisplayName"] for e in entries] == ["Office", "ExamClient", "Tool"]
    assert entries[1] == {"DisplayName": "ExamClient", "DisplayVersion": "1.2.1-0",
                          "InstallLocation": "C:\\Program Files (x86)\\ExamClient"}


def test_registered_fonts():
    extra = {(HKLM, FONTS_KEY, "64"): {"Microsoft YaHei & Microsoft YaHei UI (TrueType)": "msyh.ttc"},
             (HKCU, FONTS_KEY, None): {"X (TrueType)": "C:\\Users\\u\\AppData\\Local\\Microsoft\\Windows\\Fonts\\MSYH.TTF"}}
    assert system(extra=extra).registered_fonts() == {"system": {"msyh.ttc"}, "user": {"msyh.ttf"}}


@pytest.mark.parametrize("text,env,out", [
    ("%WINDIR%\\Fonts", {"windir": "C:\\Windows"}, "C:\\Windows\\Fonts"),
    ("%ProgramFiles(x86)%\\ExamClient", {"PROGRAMFILES(X86)": "C:\\PF86"}, "C:\\PF86\\ExamClient"),
    ("%LOCALAPPDATA%\\x", {}, None),
    ("C:\\plain", {}, "C:\\plain"),
])
def test_expand_windows_vars(text, env, out):
    assert expand_windows_vars(text, env) == out
