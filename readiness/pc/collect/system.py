"""What the collector needs from the operating system, with a Windows and a POSIX answer.

The Windows answer is plain logic over the registry and Win32 interfaces of ``winapi`` and is
tested on Linux with fakes of those. The POSIX answer exists so that the tool runs (and says
"not Windows") anywhere.
"""

from __future__ import annotations

import ntpath
import os
import platform
import re
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol

from readiness.pc.collect.winapi import (BUS_TYPES, DRIVE_CDROM, DRIVE_FIXED, DRIVE_RAMDISK, DRIVE_REMOTE,
                                      DRIVE_REMOVABLE, HKCU, HKLM, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_QWORD,
                                      REG_SZ, RegValue, Registry, Win32)
from readiness.core.i18n import Text, TextError

CURRENT_VERSION = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
FONTS_KEY = CURRENT_VERSION + r"\Fonts"


class Unknown(TextError):
    """A fact that cannot be read here; its reason (both languages) is recorded in the snapshot."""


class System(Protocol):
    def environ(self) -> Mapping[str, str]: ...
    def os_info(self) -> dict[str, Any]: ...
    def installed_memory_bytes(self) -> int: ...
    def machine_id(self) -> str: ...
    def drive_kind(self, mountpoint: str, fstype: str, opts: str) -> str: ...
    def drive_bus(self, mountpoint: str) -> str | None: ...
    def volume_id(self, mountpoint: str) -> str | None: ...
    def drive_alias(self, mountpoint: str) -> str | None: ...
    def system_drive(self) -> str: ...
    def cpu_model(self) -> str | None: ...
    def uninstall_entries(self) -> list[dict[str, str]]: ...
    def font_registrations(self) -> list[tuple[str, str, str]] | None: ...


_ENV_RE = re.compile(r"%([^%]+)%")


def expand_windows_vars(text: str, env: Mapping[str, str], keep_unset: bool = False) -> str | None:
    """%NAME% expansion as cmd does it (names case-insensitive); None when a name is unset (or,
    with keep_unset, that %NAME% left as written)."""
    lowered = {k.lower(): v for k, v in env.items()}
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        value = lowered.get(m.group(1).lower())
        if value is None:
            missing = True
            return m.group(0)
        return value

    out = _ENV_RE.sub(sub, text)
    return None if missing and not keep_unset else out


class WinEnv(Mapping[str, str]):
    """An environment looked up as Windows does, without regard to case.

    os.environ on Windows is case-insensitive, but dict(os.environ) keeps only its upper-case keys
    (SYSTEMDRIVE), so .get("SystemDrive") on a copy misses.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self._items = {k.upper(): (k, v) for k, v in env.items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.upper()][1]

    def __iter__(self) -> Iterator[str]:
        return (k for k, _v in self._items.values())

    def __len__(self) -> int:
        return len(self._items)


def reg_str(value: RegValue | None, env: Mapping[str, str]) -> str | None:
    """A registry value as text, by its type, as Windows' readers do: REG_EXPAND_SZ expanded (a
    name that is not set stays as written, like ExpandEnvironmentStringsW); REG_MULTI_SZ (winreg: a
    list) its first non-empty string; a number as digits; anything else (REG_BINARY's bytes,
    REG_NONE) is not text and is None, never the repr "['C:\\x']" or "b'...'" as a path."""
    if value is None or value.data is None:
        return None
    data = value.data
    if value.type == REG_MULTI_SZ:
        data = next((s for s in data if isinstance(s, str) and s), None) if isinstance(data, list) else None
    elif value.type in (REG_DWORD, REG_QWORD) and isinstance(data, int):
        return str(data)
    elif value.type not in (REG_SZ, REG_EXPAND_SZ):
        return None
    if not isinstance(data, str) or data == "":
        return None
    if value.type == REG_EXPAND_SZ:
        return expand_windows_vars(data, env, keep_unset=True)
    return data


def native_path(path: str) -> str:
    """Profile paths are written the Windows way; elsewhere their backslashes are separators."""
    return path if os.sep == "\\" else path.replace("\\", os.sep)


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _data(values: Mapping[str, RegValue], name: str) -> Any:
    v = values.get(name)
    return None if v is None else v.data


class WindowsSystem:
    def __init__(self, registry: Registry, win32: Win32, environ: Mapping[str, str] | None = None) -> None:
        self.reg = registry
        self.win32 = win32
        self._env = WinEnv(os.environ if environ is None else environ)

    def environ(self) -> Mapping[str, str]:
        return self._env

    def _is_64bit_windows(self) -> bool:
        """A 32-bit Python on 64-bit Windows sees PROCESSOR_ARCHITEW6432; on 32-bit Windows the
        WOW64 view flags are ignored and both views are the same key."""
        arch = (self._env.get("PROCESSOR_ARCHITEW6432") or self._env.get("PROCESSOR_ARCHITECTURE") or "").upper()
        return arch not in ("X86", "")

    def os_info(self) -> dict[str, Any]:
        try:
            cv = self.reg.values(HKLM, CURRENT_VERSION, "64")
        except OSError:
            cv = {}
        try:
            major, minor, api_build, product_type = self.win32.windows_version()
            version: str | None = f"{major}.{minor}"
        except OSError:  # no build is better than a wrong one
            version, api_build, product_type = None, 0, 0
        build = _as_int(_data(cv, "CurrentBuildNumber")) or _as_int(_data(cv, "CurrentBuild")) or api_build or None
        kind = {1: "workstation", 2: "server", 3: "server"}.get(product_type)
        if kind is None:
            installation = str(_data(cv, "InstallationType") or "").lower()
            kind = "server" if installation.startswith("server") else "workstation" if installation == "client" else None
        arch = self._env.get("PROCESSOR_ARCHITEW6432") or self._env.get("PROCESSOR_ARCHITECTURE") or platform.machine()
        return {"system": "Windows", "build": build, "ubr": _as_int(_data(cv, "UBR")),
                "product_type": kind, "edition": reg_str(cv.get("EditionID"), self._env),
                "display_version": reg_str(cv.get("DisplayVersion"), self._env) or reg_str(cv.get("ReleaseId"), self._env),
                "product_name": reg_str(cv.get("ProductName"), self._env), "arch": arch or None,
                "version": version}

    def installed_memory_bytes(self) -> int:
        try:
            return self.win32.installed_memory_kib() * 1024
        except OSError as exc:
            raise Unknown(Text(f"GetPhysicallyInstalledSystemMemory failed ({exc}); "
                               "the firmware's memory table may be missing, as in some virtual machines",
                               f"GetPhysicallyInstalledSystemMemory 调用失败（{exc}）；"
                               "固件的内存表可能缺失（部分虚拟机如此）")) from None

    def machine_id(self) -> str:
        try:
            guid = _data(self.reg.values(HKLM, r"SOFTWARE\Microsoft\Cryptography", "64"), "MachineGuid")
        except OSError as exc:
            raise Unknown(Text(f"cannot read MachineGuid: {exc}", f"无法读取 MachineGuid：{exc}")) from None
        if not guid:
            raise Unknown(Text("no MachineGuid in the registry", "注册表中没有 MachineGuid"))
        return str(guid)

    def drive_kind(self, mountpoint: str, fstype: str, opts: str) -> str:
        kind = self.win32.drive_type(mountpoint)
        return {DRIVE_FIXED: "fixed", DRIVE_REMOVABLE: "removable", DRIVE_REMOTE: "network",
                DRIVE_CDROM: "cdrom", DRIVE_RAMDISK: "other"}.get(kind, "other")

    def drive_bus(self, mountpoint: str) -> str | None:
        """The bus of the device under the drive ("usb", "sata", "nvme", ...): GetDriveTypeW says
        DRIVE_FIXED for USB hard disks, portable SSDs and many sticks; the bus tells them apart."""
        code = self.win32.bus_type(mountpoint)
        return BUS_TYPES.get(code, f"type {code}")

    def volume_id(self, mountpoint: str) -> str | None:
        """The volume GUID name; when there is none, "serial:XXXXXXXX" (GetVolumeInformationW), the
        same for every letter of one volume, so that the disk check still counts it once."""
        try:
            return self.win32.volume_id(mountpoint)
        except OSError:
            try:
                serial = self.win32.volume_serial(mountpoint)
            except OSError:
                raise Unknown(Text(f"{mountpoint}: neither a volume name nor a volume serial number",
                                   f"{mountpoint}：既没有卷名，也没有卷序列号")) from None
            return f"serial:{serial:08X}"

    def drive_alias(self, mountpoint: str) -> str | None:
        """What a drive letter made by subst (or DefineDosDeviceW) stands for, or None for a real
        volume: QueryDosDeviceW maps such a letter to a path ("\\??\\C:\\folder"), a volume's to a
        device. Its GetDriveTypeW says DRIVE_FIXED and it has no volume name, so counted it
        would add its volume's size a second time."""
        letter = mountpoint.rstrip("\\/")
        if len(letter) != 2 or letter[1] != ":":
            return None  # a folder mount point is a volume's own
        try:
            target = self.win32.dos_device(letter)
        except OSError:
            return None
        return target[4:] if target.startswith("\\??\\") else None

    def cpu_model(self) -> str | None:
        """From the registry, as Task Manager shows it. Not py-cpuinfo: on Windows it runs
        sys.executable as a child process, which in a frozen build is the tool itself."""
        values = self.reg.values(HKLM, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0", "64")
        return (reg_str(values.get("ProcessorNameString"), self._env) or "").strip() or None

    def system_drive(self) -> str:
        return (self._env.get("SystemDrive") or "C:").rstrip("\\") + "\\"

    def uninstall_entries(self) -> list[dict[str, str]]:
        entries: list[dict[str, str]] = []
        seen: set[tuple[object, ...]] = set()
        # Both views always, whatever PROCESSOR_ARCHITECTURE says (a stripped environment has
        # none): RegOpenKeyExW ignores KEY_WOW64_64KEY/32KEY on 32-bit Windows, where both are
        # one key, and its entries are then listed once (the same hive, name and values).
        for hive, view in ((HKLM, "64"), (HKLM, "32"), (HKCU, None)):
            try:
                names = self.reg.subkeys(hive, UNINSTALL, view)
            except OSError:
                continue
            for name in names:
                try:
                    values = self.reg.values(hive, f"{UNINSTALL}\\{name}", view)
                except OSError:
                    continue
                entry = {}
                for k in ("DisplayName", "DisplayVersion", "InstallLocation", "DisplayIcon", "UninstallString"):
                    text = reg_str(values.get(k), self._env)
                    if text:
                        entry[k] = text
                key = (hive, name.lower(), *sorted(entry.items()))
                if entry.get("DisplayName") and key not in seen:
                    seen.add(key)
                    entries.append(entry)
        return entries

    def font_registrations(self) -> list[tuple[str, str, str]] | None:
        """(scope, value name, file) of every font registered for all users (HKLM, "system") and
        for this user (HKCU, "user"); the file as written there (a bare name is in the Fonts
        folder). None when the registry cannot be read."""
        out: list[tuple[str, str, str]] = []
        for scope, hive, view in (("system", HKLM, "64"), ("user", HKCU, None)):
            try:
                values = self.reg.values(hive, FONTS_KEY, view)
            except FileNotFoundError:
                values = {}
            except OSError:
                return None
            for name, value in values.items():
                data = reg_str(value, self._env)
                if data:
                    out.append((scope, name, data))
        return out


_NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "sshfs", "fuse.sshfs", "9p", "afs"}


class PosixSystem:
    def environ(self) -> Mapping[str, str]:
        return os.environ

    def os_info(self) -> dict[str, Any]:
        return {"system": platform.system() or None, "build": None, "ubr": None, "product_type": None,
                "edition": None, "display_version": None, "product_name": None,
                "arch": platform.machine() or None, "version": platform.release() or None}

    def installed_memory_bytes(self) -> int:
        raise Unknown(Text("installed memory is read with GetPhysicallyInstalledSystemMemory, on Windows only",
                           "安装内存通过 GetPhysicallyInstalledSystemMemory 读取，仅限 Windows"))

    def machine_id(self) -> str:
        for p in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            try:
                text = Path(p).read_text().strip()
            except OSError:
                continue
            if text:
                return text
        raise Unknown(Text("no /etc/machine-id", "没有 /etc/machine-id"))

    def drive_kind(self, mountpoint: str, fstype: str, opts: str) -> str:
        if fstype in _NETWORK_FS:
            return "network"
        if fstype in ("iso9660", "udf"):
            return "cdrom"
        return "fixed"

    def drive_bus(self, mountpoint: str) -> str | None:
        return None

    def volume_id(self, mountpoint: str) -> str | None:
        """The device number: the same for a device mounted twice (a bind mount)."""
        return f"dev:{os.stat(mountpoint).st_dev}"

    def drive_alias(self, mountpoint: str) -> str | None:
        """A bind mount is told apart by its device number (volume_id), not here."""
        return None

    def cpu_model(self) -> str | None:
        """The kernel's own name for the CPU (/proc/cpuinfo); py-cpuinfo only where there is no
        such source, and bounded: it starts a Python child process and takes over a second."""
        return proc_cpuinfo_model() or cpuinfo_brand(CPUINFO_TIMEOUT_S)

    def system_drive(self) -> str:
        return "/"

    def uninstall_entries(self) -> list[dict[str, str]]:
        return []

    def font_registrations(self) -> list[tuple[str, str, str]] | None:
        return None


CPUINFO_TIMEOUT_S = 3.0


def proc_cpuinfo_model(path: str = "/proc/cpuinfo") -> str | None:
    """The first "model name" (x86) or "Model"/"Hardware" (ARM boards) line of /proc/cpuinfo."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip():
            fields.setdefault(key.strip().lower(), value.strip())
    return next((fields[k] for k in ("model name", "model", "hardware", "cpu model") if k in fields), None)


def cpuinfo_brand(timeout: float, get: Callable[[], Mapping[str, Any]] | None = None) -> str | None:
    """py-cpuinfo's brand string, or None when it takes longer than timeout seconds (it is left
    to finish in a daemon thread, which does not hold the process at exit)."""
    import threading

    found: list[str | None] = []

    def run() -> None:
        try:
            if get is None:
                import cpuinfo

                info: Mapping[str, Any] = cpuinfo.get_cpu_info()
            else:
                info = get()
            found.append(info.get("brand_raw") or None)
        except Exception:  # informative only
            found.append(None)

    worker = threading.Thread(target=run, name="cpuinfo", daemon=True)
    worker.start()
    worker.join(timeout)
    return found[0] if found else None


def current_system() -> System:
    if os.name == "nt":  # pragma: no cover - needs Windows
        from readiness.pc.collect.winapi import Kernel32, WinRegistry

        return WindowsSystem(WinRegistry(), Kernel32())
    return PosixSystem()
