"""The thin Windows layer: registry reads (winreg) and the few Win32 calls (ctypes).

Nothing here decides anything; it only fetches. Everything above it is tested on Linux through
fakes of these small interfaces, and for real under Windows' own Python in the Windows lane
(scripts/windows_lane.py). Imports of winreg and ctypes happen inside, so the module loads on
any OS. Every ctypes library is loaded with use_last_error=True and errors are read with
ctypes.get_last_error(): GetLastError() read later through ctypes may already be overwritten.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

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

IOCTL_STORAGE_QUERY_PROPERTY = 0x2D1400
FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE = 1, 2, 4
OPEN_EXISTING = 3
GENERIC_WRITE, DELETE = 0x40000000, 0x00010000
INVALID_HANDLE_VALUE = -1
SEM_FAILCRITICALERRORS = 0x0001  # no "insert a disk" box for an empty card reader
# FOLDERID_Desktop {B4BFCC3A-DB2C-424C-B029-7FE99A87C641} (KnownFolders.h)
FOLDERID_DESKTOP = "{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}"


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


def _kernel32() -> Any:  # pragma: no cover - needs Windows
    import ctypes

    return ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]


def _create_and_close(k32: Any) -> tuple[Any, Any]:  # pragma: no cover - needs Windows
    """CreateFileW and CloseHandle with their prototypes (a HANDLE is pointer-sized)."""
    import ctypes
    from ctypes import wintypes

    create = k32.CreateFileW
    create.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p, wintypes.DWORD,
                       wintypes.DWORD, wintypes.HANDLE]
    create.restype = wintypes.HANDLE
    close = k32.CloseHandle
    close.argtypes = [wintypes.HANDLE]
    return create, close


def last_error(what: str) -> OSError:  # pragma: no cover - needs Windows
    import ctypes

    code = ctypes.get_last_error()  # type: ignore[attr-defined]
    err = ctypes.WinError(code)  # type: ignore[attr-defined]
    err.strerror = f"{what}: {err.strerror}"
    return err


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
    def installed_memory_kib(self) -> int:
        import ctypes
        from ctypes import wintypes

        fn = _kernel32().GetPhysicallyInstalledSystemMemory
        fn.argtypes = [ctypes.POINTER(ctypes.c_ulonglong)]
        fn.restype = wintypes.BOOL
        kib = ctypes.c_ulonglong(0)
        if not fn(ctypes.byref(kib)):
            raise last_error("GetPhysicallyInstalledSystemMemory")
        return int(kib.value)

    def windows_version(self) -> tuple[int, int, int, int]:
        """RtlGetVersion (ntdll): unlike GetVersionEx it is not shimmed by the manifest, and unlike
        kernel32.dll's file version (sys.getwindowsversion().platform_version) it is the OS build."""
        import ctypes
        from ctypes import wintypes

        class OSVERSIONINFOEXW(ctypes.Structure):
            _fields_ = [("dwOSVersionInfoSize", wintypes.DWORD), ("dwMajorVersion", wintypes.DWORD),
                        ("dwMinorVersion", wintypes.DWORD), ("dwBuildNumber", wintypes.DWORD),
                        ("dwPlatformId", wintypes.DWORD), ("szCSDVersion", wintypes.WCHAR * 128),
                        ("wServicePackMajor", wintypes.WORD), ("wServicePackMinor", wintypes.WORD),
                        ("wSuiteMask", wintypes.WORD), ("wProductType", wintypes.BYTE),
                        ("wReserved", wintypes.BYTE)]

        info = OSVERSIONINFOEXW()
        info.dwOSVersionInfoSize = ctypes.sizeof(info)
        fn = ctypes.WinDLL("ntdll").RtlGetVersion  # type: ignore[attr-defined]
        fn.argtypes = [ctypes.POINTER(OSVERSIONINFOEXW)]
        fn.restype = ctypes.c_long  # NTSTATUS
        status = fn(ctypes.byref(info))
        if status != 0:
            raise OSError(f"RtlGetVersion failed (NTSTATUS 0x{status & 0xFFFFFFFF:08X})")
        return int(info.dwMajorVersion), int(info.dwMinorVersion), int(info.dwBuildNumber), int(info.wProductType)

    def drive_type(self, root: str) -> int:
        import ctypes

        fn = _kernel32().GetDriveTypeW
        fn.argtypes = [ctypes.c_wchar_p]
        fn.restype = ctypes.c_uint
        return int(fn(root))

    def bus_type(self, root: str) -> int:
        """IOCTL_STORAGE_QUERY_PROPERTY (StorageDeviceProperty, PropertyStandardQuery) on \\\\.\\X: (or
        the volume of a folder mount point), opened with no access rights, which this query does
        not need (no administrator)."""
        import ctypes
        from ctypes import wintypes

        k32 = _kernel32()
        letter = root.rstrip("\\/")
        if len(letter) == 2 and letter[1] == ":":
            device = f"\\\\.\\{letter}"
        else:  # a volume mounted in a folder (psutil lists those too): open the volume itself
            device = self.volume_id(root).rstrip("\\")
        create, close = _create_and_close(k32)
        ioctl = k32.DeviceIoControl
        ioctl.argtypes = [wintypes.HANDLE, wintypes.DWORD, ctypes.c_void_p, wintypes.DWORD, ctypes.c_void_p,
                          wintypes.DWORD, ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p]
        ioctl.restype = wintypes.BOOL
        handle = create(device, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, None, OPEN_EXISTING, 0, None)
        if handle is None or handle == ctypes.c_void_p(INVALID_HANDLE_VALUE).value:
            raise last_error(f"CreateFileW({device})")
        try:
            query = (ctypes.c_uint32 * 3)(0, 0, 0)  # StorageDeviceProperty, PropertyStandardQuery
            out = (ctypes.c_ubyte * 1024)()
            got = wintypes.DWORD(0)
            if not ioctl(handle, IOCTL_STORAGE_QUERY_PROPERTY, query, ctypes.sizeof(query), out,
                         ctypes.sizeof(out), ctypes.byref(got), None):
                raise last_error("IOCTL_STORAGE_QUERY_PROPERTY")
        finally:
            close(handle)
        if got.value < 32:
            raise OSError(f"IOCTL_STORAGE_QUERY_PROPERTY returned {got.value} bytes, too few for BusType")
        return int.from_bytes(bytes(out[28:32]), "little")  # STORAGE_DEVICE_DESCRIPTOR.BusType

    def volume_id(self, root: str) -> str:
        import ctypes
        from ctypes import wintypes

        fn = _kernel32().GetVolumeNameForVolumeMountPointW
        fn.argtypes = [wintypes.LPCWSTR, wintypes.LPWSTR, wintypes.DWORD]
        fn.restype = wintypes.BOOL
        buf = ctypes.create_unicode_buffer(64)
        mount = root if root.endswith("\\") else root + "\\"
        if not fn(mount, buf, len(buf)):
            raise last_error("GetVolumeNameForVolumeMountPointW")
        return buf.value


def no_critical_error_boxes() -> None:  # pragma: no cover - needs Windows
    """SetErrorMode(SEM_FAILCRITICALERRORS): an empty card reader fails quietly instead of asking
    for a disk."""
    import ctypes

    fn = _kernel32().SetErrorMode
    fn.argtypes = [ctypes.c_uint]
    fn.restype = ctypes.c_uint
    fn(fn(SEM_FAILCRITICALERRORS) | SEM_FAILCRITICALERRORS)


def known_folder_desktop() -> str:  # pragma: no cover - needs Windows
    """SHGetKnownFolderPath(FOLDERID_Desktop): the real Desktop, also when OneDrive or a policy
    moved it; OSError when the shell cannot say."""
    import ctypes
    from ctypes import wintypes

    class GUID(ctypes.Structure):
        _fields_ = [("Data1", wintypes.DWORD), ("Data2", wintypes.WORD), ("Data3", wintypes.WORD),
                    ("Data4", ctypes.c_ubyte * 8)]

    import uuid

    u = uuid.UUID(FOLDERID_DESKTOP)
    guid = GUID(u.time_low, u.time_mid, u.time_hi_version, (ctypes.c_ubyte * 8)(*u.bytes[8:]))
    shell32 = ctypes.WinDLL("shell32", use_last_error=True)  # type: ignore[attr-defined]
    ole32 = ctypes.WinDLL("ole32")  # type: ignore[attr-defined]
    fn = shell32.SHGetKnownFolderPath
    fn.argtypes = [ctypes.POINTER(GUID), wintypes.DWORD, wintypes.HANDLE, ctypes.POINTER(ctypes.c_void_p)]
    fn.restype = ctypes.c_long  # HRESULT
    out = ctypes.c_void_p()
    hr = fn(ctypes.byref(guid), 0, None, ctypes.byref(out))
    try:
        if hr != 0 or not out.value:
            raise OSError(f"SHGetKnownFolderPath(FOLDERID_Desktop) failed (HRESULT 0x{hr & 0xFFFFFFFF:08X})")
        return str(ctypes.wstring_at(out.value))
    finally:
        if out.value:
            ole32.CoTaskMemFree(out)  # the caller frees the path, even on failure


def open_for_replace(path: str) -> str | None:  # pragma: no cover - needs Windows
    """Why path cannot be replaced now, or None: it is opened asking for what MoveFileExW needs
    (DELETE and write access) while sharing everything, so it fails exactly when another program
    holds the file without FILE_SHARE_DELETE (a sharing violation) or Windows denies access."""
    import ctypes

    k32 = _kernel32()
    create, close = _create_and_close(k32)
    handle = create(path, GENERIC_WRITE | DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, None,
                    OPEN_EXISTING, 0, None)
    if handle is None or handle == ctypes.c_void_p(INVALID_HANDLE_VALUE).value:
        err = ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
        return str(err.strerror or err)
    close(handle)
    return None


def process_names() -> list[tuple[int, str]]:  # pragma: no cover - needs Windows
    """(PID, executable name) of every process, from a Toolhelp snapshot: it names processes
    without opening them, so neither protected processes nor missing rights hide one."""
    import ctypes
    from ctypes import wintypes

    class PROCESSENTRY32W(ctypes.Structure):
        _fields_ = [("dwSize", wintypes.DWORD), ("cntUsage", wintypes.DWORD), ("th32ProcessID", wintypes.DWORD),
                    ("th32DefaultHeapID", ctypes.c_size_t), ("th32ModuleID", wintypes.DWORD),
                    ("cntThreads", wintypes.DWORD), ("th32ParentProcessID", wintypes.DWORD),
                    ("pcPriClassBase", ctypes.c_long), ("dwFlags", wintypes.DWORD),
                    ("szExeFile", wintypes.WCHAR * 260)]

    k32 = _kernel32()
    snap = k32.CreateToolhelp32Snapshot
    snap.argtypes = [wintypes.DWORD, wintypes.DWORD]
    snap.restype = wintypes.HANDLE
    first, nxt = k32.Process32FirstW, k32.Process32NextW
    for fn in (first, nxt):
        fn.argtypes = [wintypes.HANDLE, ctypes.POINTER(PROCESSENTRY32W)]
        fn.restype = wintypes.BOOL
    close = k32.CloseHandle
    close.argtypes = [wintypes.HANDLE]
    handle = snap(0x00000002, 0)  # TH32CS_SNAPPROCESS
    if handle is None or handle == ctypes.c_void_p(INVALID_HANDLE_VALUE).value:
        raise last_error("CreateToolhelp32Snapshot")
    out: list[tuple[int, str]] = []
    try:
        entry = PROCESSENTRY32W()
        entry.dwSize = ctypes.sizeof(entry)
        ok = first(handle, ctypes.byref(entry))
        while ok:
            out.append((int(entry.th32ProcessID), entry.szExeFile))
            ok = nxt(handle, ctypes.byref(entry))
    finally:
        close(handle)
    return out
