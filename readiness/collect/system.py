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
from typing import Any, Mapping, Protocol

from readiness.collect.winapi import (DRIVE_CDROM, DRIVE_FIXED, DRIVE_RAMDISK, DRIVE_REMOTE,
                                      DRIVE_REMOVABLE, HKCU, HKLM, Registry, Win32)

CURRENT_VERSION = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
FONTS_KEY = CURRENT_VERSION + r"\Fonts"


class Unknown(Exception):
    """A fact that cannot be read here; the message is the reason recorded in the snapshot."""


class System(Protocol):
    def environ(self) -> Mapping[str, str]: ...
    def os_info(self) -> dict[str, Any]: ...
    def installed_memory_bytes(self) -> int: ...
    def machine_id(self) -> str: ...
    def drive_kind(self, mountpoint: str, fstype: str, opts: str) -> str: ...
    def system_drive(self) -> str: ...
    def uninstall_entries(self) -> list[dict[str, str]]: ...
    def registered_fonts(self) -> dict[str, set[str]] | None: ...


_ENV_RE = re.compile(r"%([^%]+)%")


def expand_windows_vars(text: str, env: Mapping[str, str]) -> str | None:
    """%NAME% expansion as cmd does it (names case-insensitive); None when a name is unset."""
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
    return None if missing else out


def native_path(path: str) -> str:
    """Profile paths are written the Windows way; elsewhere their backslashes are separators."""
    return path if os.sep == "\\" else path.replace("\\", os.sep)


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class WindowsSystem:
    def __init__(self, registry: Registry, win32: Win32, environ: Mapping[str, str] | None = None) -> None:
        self.reg = registry
        self.win32 = win32
        self._env = dict(os.environ if environ is None else environ)

    def environ(self) -> Mapping[str, str]:
        return self._env

    def os_info(self) -> dict[str, Any]:
        try:
            cv = self.reg.values(HKLM, CURRENT_VERSION, "64")
        except OSError:
            cv = {}
        major, minor, api_build, product_type = self.win32.windows_version()
        build = _as_int(cv.get("CurrentBuildNumber")) or _as_int(cv.get("CurrentBuild")) or api_build or None
        kind = {1: "workstation", 2: "server", 3: "server"}.get(product_type)
        if kind is None:
            installation = str(cv.get("InstallationType", "")).lower()
            kind = "server" if installation.startswith("server") else "workstation" if installation == "client" else None
        arch = self._env.get("PROCESSOR_ARCHITEW6432") or self._env.get("PROCESSOR_ARCHITECTURE") or platform.machine()
        return {"system": "Windows", "build": build, "ubr": _as_int(cv.get("UBR")),
                "product_type": kind, "edition": cv.get("EditionID") or None,
                "display_version": cv.get("DisplayVersion") or cv.get("ReleaseId") or None,
                "product_name": cv.get("ProductName") or None, "arch": arch or None,
                "version": f"{major}.{minor}"}

    def installed_memory_bytes(self) -> int:
        try:
            return self.win32.installed_memory_kib() * 1024
        except OSError as exc:
            raise Unknown(f"GetPhysicallyInstalledSystemMemory failed ({exc}); "
                          "the firmware's memory table may be missing, as in some virtual machines") from None

    def machine_id(self) -> str:
        try:
            guid = self.reg.values(HKLM, r"SOFTWARE\Microsoft\Cryptography", "64").get("MachineGuid")
        except OSError as exc:
            raise Unknown(f"cannot read MachineGuid: {exc}") from None
        if not guid:
            raise Unknown("no MachineGuid in the registry")
        return str(guid)

    def drive_kind(self, mountpoint: str, fstype: str, opts: str) -> str:
        kind = self.win32.drive_type(mountpoint)
        return {DRIVE_FIXED: "fixed", DRIVE_REMOVABLE: "removable", DRIVE_REMOTE: "network",
                DRIVE_CDROM: "cdrom", DRIVE_RAMDISK: "other"}.get(kind, "other")

    def system_drive(self) -> str:
        return self._env.get("SystemDrive", "C:").rstrip("\\") + "\\"

    def uninstall_entries(self) -> list[dict[str, str]]:
        entries: list[dict[str, str]] = []
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
                entry = {k: str(values[k]) for k in ("DisplayName", "DisplayVersion", "InstallLocation",
                                                      "DisplayIcon", "UninstallString") if values.get(k)}
                if entry.get("DisplayName"):
                    entries.append(entry)
        return entries

    def registered_fonts(self) -> dict[str, set[str]] | None:
        out: dict[str, set[str]] = {}
        for scope, hive, view in (("system", HKLM, "64"), ("user", HKCU, None)):
            try:
                values = self.reg.values(hive, FONTS_KEY, view)
            except FileNotFoundError:
                values = {}
            except OSError:
                return None
            out[scope] = {ntpath.basename(str(v)).lower() for v in values.values()}
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
        raise Unknown("installed memory is read with GetPhysicallyInstalledSystemMemory, on Windows only")

    def machine_id(self) -> str:
        for p in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            try:
                text = Path(p).read_text().strip()
            except OSError:
                continue
            if text:
                return text
        raise Unknown("no /etc/machine-id")

    def drive_kind(self, mountpoint: str, fstype: str, opts: str) -> str:
        if fstype in _NETWORK_FS:
            return "network"
        if fstype in ("iso9660", "udf"):
            return "cdrom"
        return "fixed"

    def system_drive(self) -> str:
        return "/"

    def uninstall_entries(self) -> list[dict[str, str]]:
        return []

    def registered_fonts(self) -> dict[str, set[str]] | None:
        return None


def current_system() -> System:
    if os.name == "nt":  # pragma: no cover - needs Windows
        from readiness.collect.winapi import Kernel32, WinRegistry

        return WindowsSystem(WinRegistry(), Kernel32())
    return PosixSystem()
