"""The thin Windows layer of the facts: registry reads (winreg) and the Win32 interface the
collectors need, whose calls are declared in readiness.core.win32 (every ctypes prototype lives there).

Nothing here decides anything; it only fetches. Everything above it is tested on Linux through
fakes of these small interfaces, and for real under Windows' own Python in the Windows lane
(scripts/windows_lane.py). winreg is imported inside, so the module loads on any OS.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from readiness.core import win32

HKLM, HKCU = "HKLM", "HKCU"

# GetDriveTypeW results
DRIVE_UNKNOWN, DRIVE_NO_ROOT_DIR = 0, 1
DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = 2, 3, 4, 5, 6

# winreg value types (winnt.h), so that fakes and callers need no winreg
REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD = 0, 1, 2, 3, 4, 7, 11

# STORAGE_BUS_TYPE (winioctl.h), as names recorded in the facts
BUS_TYPES = {0: "unknown", 1: "scsi", 2: "atapi", 3: "ata", 4: "1394", 5: "ssa", 6: "fibre", 7: "usb", 8: "raid",
             9: "iscsi", 10: "sas", 11: "sata", 12: "sd", 13: "mmc", 14: "virtual", 15: "file-backed-virtual",
             16: "spaces", 17: "nvme", 18: "scm", 19: "ufs"}


class RegValue(NamedTuple):
    """A registry value as winreg returns it: the data and its type (REG_SZ, REG_EXPAND_SZ, ...)."""

    data: Any
    type: int


class Registry(Protocol):
    def values(self, hive: str, path: str, view: str | None = None) -> dict[str, RegValue]:
        """All values of a key with their types; FileNotFoundError when the key does not exist."""

    def subkeys(self, hive: str, path: str, view: str | None = None) -> list[str]:
        """Names of a key's subkeys; FileNotFoundError when the key does not exist."""


class Win32(Protocol):
    def installed_memory_kib(self) -> int:
        """GetPhysicallyInstalledSystemMemory, in KiB; OSError when the firmware does not say."""

    def windows_version(self) -> tuple[int, int, int, int]:
        """(major, minor, build, product_type) from RtlGetVersion: the running Windows, never a
        compatibility shim's; OSError when it cannot be read."""

    def drive_type(self, root: str) -> int:
        """GetDriveTypeW for a root such as "C:\\"."""

    def bus_type(self, root: str) -> int:
        """STORAGE_DEVICE_DESCRIPTOR.BusType of the device under a drive root; OSError when unknown."""

    def volume_id(self, root: str) -> str:
        """The volume's own name (\\\\?\\Volume{GUID}\\), the same for all its letters and mount points;
        OSError when there is none."""

    def dos_device(self, drive: str) -> str:
        """QueryDosDeviceW for a letter ("S:"): a device name, or a "\\??\\" path for a subst
        letter; OSError when the letter is not defined."""

    def volume_serial(self, root: str) -> int:
        """GetVolumeInformationW's volume serial number; OSError when unknown."""


class WinRegistry:  # pragma: no cover - needs Windows
    def _open(self, hive: str, path: str, view: str | None) -> Any:
        import winreg

        hives = {HKLM: winreg.HKEY_LOCAL_MACHINE, HKCU: winreg.HKEY_CURRENT_USER}
        views = {None: 0, "64": winreg.KEY_WOW64_64KEY, "32": winreg.KEY_WOW64_32KEY}
        return winreg.OpenKey(hives[hive], path, 0, winreg.KEY_READ | views[view])

    def values(self, hive: str, path: str, view: str | None = None) -> dict[str, RegValue]:
        import winreg

        out: dict[str, RegValue] = {}
        with self._open(hive, path, view) as key:
            count = winreg.QueryInfoKey(key)[1]
            for i in range(count):
                name, data, kind = winreg.EnumValue(key, i)
                out[name] = RegValue(data, kind)
        return out

    def subkeys(self, hive: str, path: str, view: str | None = None) -> list[str]:
        import winreg

        with self._open(hive, path, view) as key:
            count = winreg.QueryInfoKey(key)[0]
            return [winreg.EnumKey(key, i) for i in range(count)]


class Kernel32:  # pragma: no cover - needs Windows
    """The Win32 interface of the facts, through readiness.core.win32 (where the prototypes live)."""

    def installed_memory_kib(self) -> int:
        return win32.installed_memory_kib()

    def windows_version(self) -> tuple[int, int, int, int]:
        return win32.windows_version()

    def drive_type(self, root: str) -> int:
        return win32.drive_type(root)

    def bus_type(self, root: str) -> int:
        return win32.bus_type(root)

    def volume_id(self, root: str) -> str:
        return win32.volume_id(root)

    def dos_device(self, drive: str) -> str:
        return win32.dos_device(drive)

    def volume_serial(self, root: str) -> int:
        return win32.volume_serial(root)
