"""The Windows collector's logic, through fakes of the registry and the Win32 calls.

The fakes follow what Windows does (and the Windows lane checks the real calls): every registry
value has a type (winreg.EnumValue returns one), on 32-bit Windows the WOW64 view flags are
ignored (RegOpenKeyExW's documentation: "KEY_WOW64_64KEY ... ignored by 32-bit Windows"), the
build from RtlGetVersion is not the registry's when the registry is unreadable, and USB disks
report DRIVE_FIXED with BusTypeUsb (GetDriveTypeW: "a hard disk drive or flash drive").
"""

import pytest

from readiness.pc.collect.system import (CURRENT_VERSION, FONTS_KEY, UNINSTALL, Unknown, WindowsSystem,
                                      expand_windows_vars, reg_str, WinEnv)
from readiness.pc.collect.winapi import (DRIVE_CDROM, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_REMOVABLE, HKCU, HKLM,
                                      REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, REG_SZ,
                                      RegValue)


def typed(data):
    """As winreg gives it back: str is REG_SZ, int is REG_DWORD, unless a RegValue says otherwise."""
    if isinstance(data, RegValue):
        return data
    return RegValue(data, REG_DWORD if isinstance(data, int) else REG_SZ)


class FakeRegistry:
    """Keys as {(hive, path, view): {value: data}}; subkeys are derived from the paths.

    wow64=False models 32-bit Windows: the view flags are ignored, so every view is one key.
    """

    def __init__(self, keys, wow64=True):
        self.wow64 = wow64
        self.keys = {(h, p.lower(), self._view(v)): vals for (h, p, v), vals in keys.items()}

    def _view(self, view):
        return view if self.wow64 else None

    def values(self, hive, path, view=None):
        try:
            return {k: typed(v) for k, v in self.keys[(hive, path.lower(), self._view(view))].items()}
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified", path) from None

    def subkeys(self, hive, path, view=None):
        view = self._view(view)
        prefix = path.lower() + "\\"
        names = {p[len(prefix):].split("\\")[0] for (h, p, v) in self.keys if h == hive and v == view and p.startswith(prefix)}
        if not names and (hive, path.lower(), view) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified", path)
        return sorted(names)


class FakeWin32:
    """drives: {root: DRIVE_* or (DRIVE_*, bus type, volume name)}; dos: {"S:": QueryDosDeviceW's
    answer} (a volume's letter maps to a device, a subst letter to "\\??\\" and a path);
    serials: {root: GetVolumeInformationW's serial} (none: ERROR_NOT_READY, as an empty drive)."""

    def __init__(self, memory_kib=8 * 1024 * 1024, version=(10, 0, 19041, 1), drives=None, dos=None, serials=None):
        self.memory_kib = memory_kib
        self.version = version  # RtlGetVersion; 19041 where the registry says 19045 (tests prefer it)
        self.drives = drives or {}
        self.dos = dos or {}
        self.serials = serials or {}

    def dos_device(self, drive):
        return self.dos.get(drive, f"\\Device\\HarddiskVolume{ord(drive[0].upper()) - 64}")

    def volume_serial(self, root):
        if root not in self.serials:
            raise OSError(21, "The device is not ready")
        return self.serials[root]

    def _drive(self, root):
        d = self.drives.get(root, 0)
        return d if isinstance(d, tuple) else (d, 11, f"\\\\?\\Volume{{{root}}}\\")  # SATA, own volume

    def bus_type(self, root):
        return self._drive(root)[1]

    def volume_id(self, root):
        volume = self._drive(root)[2]
        if volume is None:
            raise OSError(87, "The parameter is incorrect")
        return volume

    def installed_memory_kib(self):
        if isinstance(self.memory_kib, Exception):
            raise self.memory_kib
        return self.memory_kib

    def windows_version(self):
        if isinstance(self.version, Exception):
            raise self.version
        return self.version

    def drive_type(self, root):
        return self._drive(root)[0]


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


def test_the_registry_build_wins_over_the_api():
    assert system(win32=FakeWin32(version=(10, 0, 19041, 1))).os_info()["build"] == 19045


def test_no_build_rather_than_a_wrong_one():
    info = system(cv={}, win32=FakeWin32(version=OSError(1, "RtlGetVersion failed"))).os_info()
    assert info["build"] is None and info["version"] is None and info["system"] == "Windows"


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


def test_font_registrations():
    user_font = "C:\\Users\\u\\AppData\\Local\\Microsoft\\Windows\\Fonts\\MSYH.TTF"
    extra = {(HKLM, FONTS_KEY, "64"): {"Microsoft YaHei & Microsoft YaHei UI (TrueType)": "msyh.ttc",
                                       "Odd (TrueType)": RegValue(b"x", REG_BINARY)},
             (HKCU, FONTS_KEY, None): {"X (TrueType)": user_font}}
    assert system(extra=extra).font_registrations() == [
        ("system", "Microsoft YaHei & Microsoft YaHei UI (TrueType)", "msyh.ttc"), ("user", "X (TrueType)", user_font)]


@pytest.mark.parametrize("text,env,out", [
    ("%WINDIR%\\Fonts", {"windir": "C:\\Windows"}, "C:\\Windows\\Fonts"),
    ("%ProgramFiles(x86)%\\ExamClient", {"PROGRAMFILES(X86)": "C:\\PF86"}, "C:\\PF86\\ExamClient"),
    ("%LOCALAPPDATA%\\x", {}, None),
    ("C:\\plain", {}, "C:\\plain"),
])
def test_expand_windows_vars(text, env, out):
    assert expand_windows_vars(text, env) == out


def test_environment_lookups_ignore_case_as_windows_does():
    env = {"SYSTEMDRIVE": "D:", "PROCESSOR_ARCHITECTURE": "AMD64"}  # dict(os.environ) on Windows: upper-case keys
    s = system(env=env)
    assert s.system_drive() == "D:\\"
    assert s.environ()["SystemDrive"] == "D:" and s.environ().get("systemdrive") == "D:"
    assert WinEnv({"Path": "x"})["PATH"] == "x" and list(WinEnv({"Path": "x"})) == ["Path"]


@pytest.mark.parametrize("value,out", [
    (RegValue("%SystemDrive%\\考试\\ExamClient", REG_EXPAND_SZ), "D:\\考试\\ExamClient"),
    (RegValue("%SystemDrive%\\ExamClient", REG_SZ), "%SystemDrive%\\ExamClient"),  # REG_SZ is literal
    (RegValue("%NOT_SET%\\x", REG_EXPAND_SZ), "%NOT_SET%\\x"),  # as ExpandEnvironmentStringsW leaves it
    (RegValue("", REG_SZ), None),
    (RegValue(1234, REG_DWORD), "1234"),
    # winreg returns REG_MULTI_SZ as a list and REG_BINARY as bytes (winreg's documentation, "Value Types")
    (RegValue(["", "C:\\考试\\ExamClient", "D:\\x"], REG_MULTI_SZ), "C:\\考试\\ExamClient"),
    (RegValue([], REG_MULTI_SZ), None),
    (RegValue(b"C:\\x\x00", REG_BINARY), None),
    (RegValue(None, REG_NONE), None),
    (RegValue("C:\\x", REG_NONE), None),
])
def test_registry_text_by_value_type(value, out):
    assert reg_str(value, WinEnv({"SYSTEMDRIVE": "D:"})) == out


def test_install_location_of_type_expand_sz_is_expanded():
    extra = {(HKLM, UNINSTALL + r"\ExamClient", "32"): {
        "DisplayName": "ExamClient", "InstallLocation": RegValue("%SystemDrive%\\考试\\ExamClient", REG_EXPAND_SZ)}}
    entries = system(extra=extra, env={"SYSTEMDRIVE": "C:", "PROCESSOR_ARCHITECTURE": "AMD64"}).uninstall_entries()
    assert entries == [{"DisplayName": "ExamClient", "InstallLocation": "C:\\考试\\ExamClient"}]


def test_32_bit_windows_lists_each_uninstall_entry_once():
    keys = {(HKLM, CURRENT_VERSION, "64"): WIN10,
            (HKLM, UNINSTALL + r"\ExamClient", "32"): {"DisplayName": "ExamClient", "DisplayVersion": "1.2.1-0"}}
    s = WindowsSystem(FakeRegistry(keys, wow64=False), FakeWin32(), {"PROCESSOR_ARCHITECTURE": "x86"})
    assert [e["DisplayName"] for e in s.uninstall_entries()] == ["ExamClient"]


def test_32_bit_python_on_64_bit_windows_reads_both_views():
    keys = {(HKLM, UNINSTALL + r"\A", "64"): {"DisplayName": "A"}, (HKLM, UNINSTALL + r"\B", "32"): {"DisplayName": "B"}}
    s = WindowsSystem(FakeRegistry(keys), FakeWin32(), {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"})
    assert [e["DisplayName"] for e in s.uninstall_entries()] == ["A", "B"]


@pytest.mark.parametrize("bus,name", [(7, "usb"), (11, "sata"), (17, "nvme"), (12, "sd"), (99, "type 99")])
def test_drive_bus(bus, name):
    assert system(win32=FakeWin32(drives={"E:\\": (DRIVE_FIXED, bus, "V")})).drive_bus("E:\\") == name


def test_cpu_model_from_the_registry():
    extra = {(HKLM, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0", "64"):
             {"ProcessorNameString": "Intel(R) Core(TM) i5-8500 CPU @ 3.00GHz   "}}
    assert system(extra=extra).cpu_model() == "Intel(R) Core(TM) i5-8500 CPU @ 3.00GHz"


@pytest.mark.parametrize("env", [{}, {"PROCESSOR_ARCHITECTURE": "x86"}, {"PROCESSOR_ARCHITECTURE": "AMD64"}])
def test_both_uninstall_views_whatever_the_environment_says(env):
    """A 32-bit client (KEY_WOW64_32KEY) and a 64-bit one (KEY_WOW64_64KEY) are both listed also
    when the environment is stripped or says x86 (a scheduled task, a 32-bit parent): the view
    flags are ignored on 32-bit Windows (RegOpenKeyExW's documentation), so reading both is safe."""
    keys = {(HKLM, UNINSTALL + r"\A", "64"): {"DisplayName": "A"}, (HKLM, UNINSTALL + r"\B", "32"): {"DisplayName": "B"}}
    s = WindowsSystem(FakeRegistry(keys), FakeWin32(), env)
    assert [e["DisplayName"] for e in s.uninstall_entries()] == ["A", "B"]
