"""The thin Windows layer: registry reads (winreg) and the few Win32 calls (ctypes).

Nothing here decides anything; it only fetches. Everything above it is tested on Linux through
fakes of these two small interfaces. Imports of winreg and ctypes happen inside, so the module
loads on any OS.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

HKLM, HKCU = "HKLM", "HKCU"

# GetDriveTypeW results
DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = 2, 3, 4, 5, 6


class Registry(Protocol):
    def values(self, hive: str, path: str, view: str | None = None) -> dict[str, Any]:
        """All values of a key; FileNotFoundError when the key does not exist."""

    def subkeys(self, hive: str, path: str, view: str | None = None) -> list[str]:
        """Names of a key's subkeys; FileNotFoundError when the key does not exist."""


class Win32(Protocol):
    def installed_memory_kib(self) -> int:
        """GetPhysicallyInstalledSystemMemory, in KiB; OSError when the firmware does not say."""

    def windows_version(self) -> tuple[int, int, int, int]:
        """(major, minor, build, product_type) of the running Windows, not an emulated one."""

    def drive_type(self, root: str) -> int:
        """GetDriveTypeW for a root such as "C:\\"."""


class WinRegistry:  # pragma: no cover - needs Windows
    def _open(self, hive: str, path: str, view: str | None) -> Any:
        import winreg

        hives = {HKLM: winreg.HKEY_LOCAL_MACHINE, HKCU: winreg.HKEY_CURRENT_USER}
        views = {None: 0, "64": winreg.KEY_WOW64_64KEY, "32": winreg.KEY_WOW64_32KEY}
        return winreg.OpenKey(hives[hive], path, 0, winreg.KEY_READ | views[view])

    def values(self, hive: str, path: str, view: str | None = None) -> dict[str, Any]:
        import winreg

        out: dict[str, Any] = {}
        with self._open(hive, path, view) as key:
            count = winreg.QueryInfoKey(key)[1]
            for i in range(count):
                name, data, _type = winreg.EnumValue(key, i)
                out[name] = data
        return out

    def subkeys(self, hive: str, path: str, view: str | None = None) -> list[str]:
        import winreg

        with self._open(hive, path, view) as key:
            count = winreg.QueryInfoKey(key)[0]
            return [winreg.EnumKey(key, i) for i in range(count)]


class Kernel32:  # pragma: no cover - needs Windows
    def installed_memory_kib(self) -> int:
        import ctypes
        from ctypes import wintypes

        fn = ctypes.windll.kernel32.GetPhysicallyInstalledSystemMemory  # type: ignore[attr-defined]
        fn.argtypes = [ctypes.POINTER(ctypes.c_ulonglong)]
        fn.restype = wintypes.BOOL
        kib = ctypes.c_ulonglong(0)
        if not fn(ctypes.byref(kib)):
            raise ctypes.WinError()  # type: ignore[attr-defined]
        return int(kib.value)

    def windows_version(self) -> tuple[int, int, int, int]:
        v = sys.getwindowsversion()  # type: ignore[attr-defined]
        major, minor, build = v.platform_version  # read from kernel32.dll, not the compat shim
        return major, minor, build, v.product_type

    def drive_type(self, root: str) -> int:
        import ctypes

        fn = ctypes.windll.kernel32.GetDriveTypeW  # type: ignore[attr-defined]
        fn.argtypes = [ctypes.c_wchar_p]
        fn.restype = ctypes.c_uint
        return int(fn(root))
