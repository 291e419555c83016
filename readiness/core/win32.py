"""Every Win32 call the tool makes: each prototype declared once, here, and a small typed wrapper
for each use. No other module of the package touches ctypes (a test greps for it).

Why one module: a prototype declared twice drifts (one copy forgets that a HANDLE is pointer-sized,
and the call truncates it on 64-bit Windows), and the fakes the tests put in its place follow one
documented interface. It sits at the bottom of the layers and imports nothing of the package, so
collect, fix, output, console, i18n and the double-click (standalone) all call it without a
circle.

Nothing is declared at import: the module imports on Linux too, and `readiness check --facts`
must start fast, so ctypes is imported, a DLL loaded and a prototype declared only when a wrapper
is first called (then cached). Every DLL is loaded with use_last_error=True and errors are read
with ctypes.get_last_error(): GetLastError() read later through ctypes may already be overwritten.
Off Windows a wrapper raises AttributeError (ctypes has no WinDLL), as the calls it replaced did.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

IOCTL_STORAGE_QUERY_PROPERTY = 0x2D1400
FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE = 1, 2, 4
OPEN_EXISTING = 3
GENERIC_WRITE, DELETE = 0x40000000, 0x00010000
INVALID_HANDLE_VALUE = -1
SEM_FAILCRITICALERRORS = 0x0001  # no "insert a disk" box for an empty card reader
TH32CS_SNAPPROCESS = 0x00000002
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
# FOLDERID_Desktop {B4BFCC3A-DB2C-424C-B029-7FE99A87C641} (KnownFolders.h)
FOLDERID_DESKTOP = "{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}"
HWND_BROADCAST, WM_FONTCHANGE, SMTO_ABORTIFHUNG = 0xFFFF, 0x001D, 0x0002
LANG_CHINESE = 0x04  # the primary language of a LANGID (its low 10 bits)


class Prototype(NamedTuple):
    """How one Win32 function is called: its DLL, its return type, its parameter types and, where
    every caller treats a failure alike, the check that turns the failure into an OSError."""

    dll: str
    restype: Any
    argtypes: list[Any]
    errcheck: Any = None


def last_error(what: str) -> OSError:  # pragma: no cover - needs Windows
    """The thread's last Win32 error as an OSError (winerror set), its text prefixed by what failed."""
    import ctypes

    err = ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
    err.strerror = f"{what}: {err.strerror}"
    return err


def _true_or_last_error(result: Any, func: Any, args: Any) -> Any:  # pragma: no cover - needs Windows
    """errcheck of a BOOL function whose failure is always an error: "Name: <the error's text>"."""
    if not result:
        raise last_error(func.__name__)
    return result


def _handle_or_last_error(result: Any, func: Any, args: Any) -> Any:  # pragma: no cover - needs Windows
    """errcheck of a function that returns INVALID_HANDLE_VALUE on failure."""
    import ctypes

    if result is None or result == ctypes.c_void_p(INVALID_HANDLE_VALUE).value:
        raise last_error(func.__name__)
    return result


def _ntstatus_success(result: int, func: Any, args: Any) -> Any:  # pragma: no cover - needs Windows
    """errcheck of an ntdll function: any NTSTATUS but STATUS_SUCCESS (0) is an error."""
    if result != 0:
        raise OSError(f"{func.__name__} failed (NTSTATUS 0x{result & 0xFFFFFFFF:08X})")
    return result


@functools.cache
def structures() -> Any:
    """The Win32 structures the prototypes pass, defined at first use (ctypes is not imported
    before); a namespace of ctypes.Structure classes."""
    import ctypes
    from ctypes import wintypes
    from types import SimpleNamespace

    class OSVERSIONINFOEXW(ctypes.Structure):
        _fields_ = [("dwOSVersionInfoSize", wintypes.DWORD), ("dwMajorVersion", wintypes.DWORD),
                    ("dwMinorVersion", wintypes.DWORD), ("dwBuildNumber", wintypes.DWORD),
                    ("dwPlatformId", wintypes.DWORD), ("szCSDVersion", wintypes.WCHAR * 128),
                    ("wServicePackMajor", wintypes.WORD), ("wServicePackMinor", wintypes.WORD),
                    ("wSuiteMask", wintypes.WORD), ("wProductType", wintypes.BYTE),
                    ("wReserved", wintypes.BYTE)]

    class GUID(ctypes.Structure):
        _fields_ = [("Data1", wintypes.DWORD), ("Data2", wintypes.WORD), ("Data3", wintypes.WORD),
                    ("Data4", ctypes.c_ubyte * 8)]

    class PROCESSENTRY32W(ctypes.Structure):
        _fields_ = [("dwSize", wintypes.DWORD), ("cntUsage", wintypes.DWORD), ("th32ProcessID", wintypes.DWORD),
                    ("th32DefaultHeapID", ctypes.c_size_t), ("th32ModuleID", wintypes.DWORD),
                    ("cntThreads", wintypes.DWORD), ("th32ParentProcessID", wintypes.DWORD),
                    ("pcPriClassBase", ctypes.c_long), ("dwFlags", wintypes.DWORD),
                    ("szExeFile", wintypes.WCHAR * 260)]

    class SYSTEMTIME(ctypes.Structure):
        _fields_ = [(name, wintypes.WORD) for name in ("wYear", "wMonth", "wDayOfWeek", "wDay", "wHour", "wMinute",
                                                       "wSecond", "wMilliseconds")]

    class DYNAMIC_TIME_ZONE_INFORMATION(ctypes.Structure):  # timezoneapi.h
        _fields_ = [("Bias", wintypes.LONG), ("StandardName", wintypes.WCHAR * 32), ("StandardDate", SYSTEMTIME),
                    ("StandardBias", wintypes.LONG), ("DaylightName", wintypes.WCHAR * 32),
                    ("DaylightDate", SYSTEMTIME), ("DaylightBias", wintypes.LONG),
                    ("TimeZoneKeyName", wintypes.WCHAR * 128), ("DynamicDaylightTimeDisabled", wintypes.BOOLEAN)]

    return SimpleNamespace(OSVERSIONINFOEXW=OSVERSIONINFOEXW, GUID=GUID, PROCESSENTRY32W=PROCESSENTRY32W,
                           SYSTEMTIME=SYSTEMTIME, DYNAMIC_TIME_ZONE_INFORMATION=DYNAMIC_TIME_ZONE_INFORMATION)


@functools.cache
def prototypes() -> dict[str, Prototype]:
    """Every Win32 function the tool calls, by name, as its documentation declares it (a HANDLE and
    a pointer are pointer-sized; a BOOL, an HRESULT and an NTSTATUS are 32-bit). Built at first use."""
    from ctypes import POINTER, c_int, c_long, c_size_t, c_ssize_t, c_uint, c_ulonglong, c_void_p, c_wchar_p
    from ctypes import wintypes as w

    s = structures()
    return {
        # kernel32: memory, drives, volumes, devices
        "GetPhysicallyInstalledSystemMemory": Prototype("kernel32", w.BOOL, [POINTER(c_ulonglong)],
                                                        _true_or_last_error),
        "GetDriveTypeW": Prototype("kernel32", c_uint, [c_wchar_p]),
        "GetVolumeNameForVolumeMountPointW": Prototype("kernel32", w.BOOL, [w.LPCWSTR, w.LPWSTR, w.DWORD],
                                                       _true_or_last_error),
        "QueryDosDeviceW": Prototype("kernel32", w.DWORD, [w.LPCWSTR, w.LPWSTR, w.DWORD]),
        "GetVolumeInformationW": Prototype("kernel32", w.BOOL, [w.LPCWSTR, w.LPWSTR, w.DWORD, w.LPDWORD, w.LPDWORD,
                                                                w.LPDWORD, w.LPWSTR, w.DWORD], _true_or_last_error),
        "SetErrorMode": Prototype("kernel32", c_uint, [c_uint]),
        "ReplaceFileW": Prototype("kernel32", w.BOOL, [w.LPCWSTR, w.LPCWSTR, w.LPCWSTR, w.DWORD, c_void_p, c_void_p],
                                  _true_or_last_error),
        "CreateFileW": Prototype("kernel32", w.HANDLE, [w.LPCWSTR, w.DWORD, w.DWORD, c_void_p, w.DWORD, w.DWORD,
                                                        w.HANDLE]),
        "DeviceIoControl": Prototype("kernel32", w.BOOL, [w.HANDLE, w.DWORD, c_void_p, w.DWORD, c_void_p, w.DWORD,
                                                          POINTER(w.DWORD), c_void_p]),
        "CloseHandle": Prototype("kernel32", w.BOOL, [w.HANDLE]),
        # kernel32: processes
        "CreateToolhelp32Snapshot": Prototype("kernel32", w.HANDLE, [w.DWORD, w.DWORD], _handle_or_last_error),
        "Process32FirstW": Prototype("kernel32", w.BOOL, [w.HANDLE, POINTER(s.PROCESSENTRY32W)]),
        "Process32NextW": Prototype("kernel32", w.BOOL, [w.HANDLE, POINTER(s.PROCESSENTRY32W)]),
        "OpenProcess": Prototype("kernel32", w.HANDLE, [w.DWORD, w.BOOL, w.DWORD]),
        "QueryFullProcessImageNameW": Prototype("kernel32", w.BOOL, [w.HANDLE, w.DWORD, w.LPWSTR, POINTER(w.DWORD)]),
        # kernel32: console and language
        "GetConsoleProcessList": Prototype("kernel32", w.DWORD, [POINTER(w.DWORD), w.DWORD]),
        "GetConsoleOutputCP": Prototype("kernel32", w.UINT, []),
        "GetConsoleMode": Prototype("kernel32", w.BOOL, [w.HANDLE, w.LPDWORD]),
        "GetOEMCP": Prototype("kernel32", w.UINT, []),
        "GetUserDefaultUILanguage": Prototype("kernel32", w.WORD, []),  # a LANGID
        # kernel32: time
        "GetTickCount64": Prototype("kernel32", c_ulonglong, []),
        "GetDynamicTimeZoneInformation": Prototype("kernel32", w.DWORD, [POINTER(s.DYNAMIC_TIME_ZONE_INFORMATION)]),
        # ntdll
        "RtlGetVersion": Prototype("ntdll", c_long, [POINTER(s.OSVERSIONINFOEXW)], _ntstatus_success),
        # shell32 and ole32
        "SHGetKnownFolderPath": Prototype("shell32", c_long, [POINTER(s.GUID), w.DWORD, w.HANDLE,
                                                              POINTER(c_void_p)]),  # an HRESULT
        "IsUserAnAdmin": Prototype("shell32", w.BOOL, []),
        # advapi32 and wtsapi32: whose token this process has, who is signed in at the console
        "GetUserNameW": Prototype("advapi32", w.BOOL, [w.LPWSTR, POINTER(w.DWORD)], _true_or_last_error),
        "WTSQuerySessionInformationW": Prototype("wtsapi32", w.BOOL, [w.HANDLE, w.DWORD, c_int, POINTER(w.LPWSTR),
                                                                      POINTER(w.DWORD)], _true_or_last_error),
        "WTSFreeMemory": Prototype("wtsapi32", None, [c_void_p]),
        "CoTaskMemFree": Prototype("ole32", None, [c_void_p]),
        # gdi32 and user32: fonts
        "AddFontResourceW": Prototype("gdi32", c_int, [c_wchar_p]),
        "RemoveFontResourceW": Prototype("gdi32", c_int, [c_wchar_p]),
        "SendMessageTimeoutW": Prototype("user32", c_ssize_t, [w.HWND, w.UINT, w.WPARAM, w.LPARAM, w.UINT, w.UINT,
                                                               POINTER(c_size_t)]),  # the last is a PDWORD_PTR
    }


@functools.cache
def _dll(name: str) -> Any:  # pragma: no cover - needs Windows
    """One handle per DLL, our own (not ctypes.windll's, whose prototypes any library may redeclare)."""
    import ctypes

    return ctypes.WinDLL(name, use_last_error=True)  # type: ignore[attr-defined]


@functools.cache
def function(name: str) -> Any:  # pragma: no cover - needs Windows
    """The Win32 function name with its prototype declared (once, at its first call)."""
    proto = prototypes()[name]
    fn = getattr(_dll(proto.dll), name)
    fn.restype = proto.restype
    fn.argtypes = proto.argtypes
    if proto.errcheck is not None:
        fn.errcheck = proto.errcheck
    return fn


def _invalid(handle: Any) -> bool:  # pragma: no cover - needs Windows
    import ctypes

    return handle is None or handle == ctypes.c_void_p(INVALID_HANDLE_VALUE).value


# ---- memory, version, drives ------------------------------------------------------------------


def installed_memory_kib() -> int:  # pragma: no cover - needs Windows
    """GetPhysicallyInstalledSystemMemory, in KiB; OSError when the firmware does not say."""
    import ctypes

    kib = ctypes.c_ulonglong(0)
    function("GetPhysicallyInstalledSystemMemory")(ctypes.byref(kib))
    return int(kib.value)


def windows_version() -> tuple[int, int, int, int]:  # pragma: no cover - needs Windows
    """(major, minor, build, product_type) from RtlGetVersion (ntdll): unlike GetVersionEx it is not
    shimmed by the manifest, and unlike kernel32.dll's file version
    (sys.getwindowsversion().platform_version) it is the OS build. OSError when it fails."""
    import ctypes

    info = structures().OSVERSIONINFOEXW()
    info.dwOSVersionInfoSize = ctypes.sizeof(info)
    function("RtlGetVersion")(ctypes.byref(info))
    return int(info.dwMajorVersion), int(info.dwMinorVersion), int(info.dwBuildNumber), int(info.wProductType)


def drive_type(root: str) -> int:  # pragma: no cover - needs Windows
    """GetDriveTypeW for a root such as "C:\\"."""
    return int(function("GetDriveTypeW")(root))


def volume_id(root: str) -> str:  # pragma: no cover - needs Windows
    """GetVolumeNameForVolumeMountPointW: the volume's own name (\\\\?\\Volume{GUID}\\); OSError when
    there is none."""
    import ctypes

    buf = ctypes.create_unicode_buffer(64)
    mount = root if root.endswith("\\") else root + "\\"
    function("GetVolumeNameForVolumeMountPointW")(mount, buf, len(buf))
    return buf.value


def dos_device(drive: str) -> str:  # pragma: no cover - needs Windows
    """QueryDosDeviceW for a drive letter ("S:"): what the letter currently maps to, the first of
    the returned strings. A disk volume is a device ("\\Device\\HarddiskVolume3"); a letter made by
    subst or DefineDosDeviceW maps to a path ("\\??\\C:\\some\\folder"). OSError when the letter
    is not defined."""
    import ctypes

    buf = ctypes.create_unicode_buffer(1024)
    count = function("QueryDosDeviceW")(drive.rstrip("\\/"), buf, len(buf))
    if not count:
        raise last_error(f"QueryDosDeviceW({drive})")
    return buf.value  # up to the first NUL: the first of the strings


def volume_serial(root: str) -> int:  # pragma: no cover - needs Windows
    """GetVolumeInformationW's volume serial number of the volume under root ("C:\\"): the same
    for every letter of one volume, for when it has no volume GUID name; OSError when unknown."""
    import ctypes
    from ctypes import wintypes

    serial = wintypes.DWORD(0)
    mount = root if root.endswith("\\") else root + "\\"
    function("GetVolumeInformationW")(mount, None, 0, ctypes.byref(serial), None, None, None, 0)
    return int(serial.value)


def bus_type(root: str) -> int:  # pragma: no cover - needs Windows
    """STORAGE_DEVICE_DESCRIPTOR.BusType of the device under a drive root, from
    IOCTL_STORAGE_QUERY_PROPERTY (StorageDeviceProperty, PropertyStandardQuery) on \\\\.\\X: (or the
    volume of a folder mount point), opened with no access rights, which this query does not need
    (no administrator). OSError when unknown."""
    import ctypes
    from ctypes import wintypes

    letter = root.rstrip("\\/")
    if len(letter) == 2 and letter[1] == ":":
        device = f"\\\\.\\{letter}"
    else:  # a volume mounted in a folder (psutil lists those too): open the volume itself
        device = volume_id(root).rstrip("\\")
    handle = function("CreateFileW")(device, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, None, OPEN_EXISTING, 0, None)
    if _invalid(handle):
        raise last_error(f"CreateFileW({device})")
    try:
        query = (ctypes.c_uint32 * 3)(0, 0, 0)  # StorageDeviceProperty, PropertyStandardQuery
        out = (ctypes.c_ubyte * 1024)()
        got = wintypes.DWORD(0)
        if not function("DeviceIoControl")(handle, IOCTL_STORAGE_QUERY_PROPERTY, query, ctypes.sizeof(query), out,
                                           ctypes.sizeof(out), ctypes.byref(got), None):
            raise last_error("IOCTL_STORAGE_QUERY_PROPERTY")
    finally:
        function("CloseHandle")(handle)
    if got.value < 32:
        raise OSError(f"IOCTL_STORAGE_QUERY_PROPERTY returned {got.value} bytes, too few for BusType")
    return int.from_bytes(bytes(out[28:32]), "little")  # STORAGE_DEVICE_DESCRIPTOR.BusType


def no_critical_error_boxes() -> None:  # pragma: no cover - needs Windows
    """SetErrorMode(SEM_FAILCRITICALERRORS): an empty card reader fails quietly instead of asking
    for a disk."""
    set_mode = function("SetErrorMode")
    set_mode(set_mode(SEM_FAILCRITICALERRORS) | SEM_FAILCRITICALERRORS)


# ---- files and folders ------------------------------------------------------------------------


def known_folder_desktop() -> str:  # pragma: no cover - needs Windows
    """SHGetKnownFolderPath(FOLDERID_Desktop): the real Desktop, also when OneDrive or a policy
    moved it; OSError when the shell cannot say."""
    import ctypes
    import uuid

    u = uuid.UUID(FOLDERID_DESKTOP)
    guid = structures().GUID(u.time_low, u.time_mid, u.time_hi_version, (ctypes.c_ubyte * 8)(*u.bytes[8:]))
    out = ctypes.c_void_p()
    hr = function("SHGetKnownFolderPath")(ctypes.byref(guid), 0, None, ctypes.byref(out))
    try:
        if hr != 0 or not out.value:
            raise OSError(f"SHGetKnownFolderPath(FOLDERID_Desktop) failed (HRESULT 0x{hr & 0xFFFFFFFF:08X})")
        return str(ctypes.wstring_at(out.value))
    finally:
        if out.value:
            function("CoTaskMemFree")(out)  # the caller frees the path, even on failure


def open_for_replace(path: str) -> str | None:  # pragma: no cover - needs Windows
    """Why path cannot be replaced now, or None: it is opened asking for what MoveFileExW needs
    (DELETE and write access) while sharing everything, so it fails exactly when another program
    holds the file without FILE_SHARE_DELETE (a sharing violation) or Windows denies access."""
    import ctypes

    handle = function("CreateFileW")(path, GENERIC_WRITE | DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                     None, OPEN_EXISTING, 0, None)
    if _invalid(handle):
        err = ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
        return str(err.strerror or err)
    function("CloseHandle")(handle)
    return None


# ---- processes and the console ----------------------------------------------------------------


def process_names() -> list[tuple[int, str]]:  # pragma: no cover - needs Windows
    """(PID, executable name) of every process, from a Toolhelp snapshot: it names processes
    without opening them, so neither protected processes nor missing rights hide one."""
    import ctypes

    handle = function("CreateToolhelp32Snapshot")(TH32CS_SNAPPROCESS, 0)
    out: list[tuple[int, str]] = []
    try:
        entry = structures().PROCESSENTRY32W()
        entry.dwSize = ctypes.sizeof(entry)
        ok = function("Process32FirstW")(handle, ctypes.byref(entry))
        while ok:
            out.append((int(entry.th32ProcessID), entry.szExeFile))
            ok = function("Process32NextW")(handle, ctypes.byref(entry))
    finally:
        function("CloseHandle")(handle)
    return out


def process_image(pid: int) -> str | None:  # pragma: no cover - needs Windows
    """The full path of the file process pid runs (QueryFullProcessImageNameW, with only
    PROCESS_QUERY_LIMITED_INFORMATION); None when the process cannot be opened or asked."""
    import ctypes
    from ctypes import wintypes

    handle = function("OpenProcess")(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return None
    try:
        size = wintypes.DWORD(32768)
        name = ctypes.create_unicode_buffer(size.value)
        if not function("QueryFullProcessImageNameW")(handle, 0, name, ctypes.byref(size)):
            return None
        return name.value
    finally:
        function("CloseHandle")(handle)


def console_processes(capacity: int = 64) -> list[int] | None:  # pragma: no cover - needs Windows
    """The PIDs attached to this process's console (GetConsoleProcessList); None when there is no
    console or more processes than capacity."""
    from ctypes import wintypes

    buf = (wintypes.DWORD * capacity)()
    count = int(function("GetConsoleProcessList")(buf, capacity))
    if count == 0 or count > capacity:
        return None
    return [int(pid) for pid in buf[:count]]


def console_output_codepage() -> int:  # pragma: no cover - needs Windows
    """GetConsoleOutputCP: the console's output code page; 0 when this process has no console."""
    return int(function("GetConsoleOutputCP")())


REPLACEFILE_IGNORE_MERGE_ERRORS = 0x2  # keep going when the ACL or attributes cannot be merged


def replace_file(replaced: str, replacement: str) -> None:  # pragma: no cover - needs Windows
    """ReplaceFileW: replacement takes replaced's place and keeps its ACL, attributes, alternate
    streams and creation time (Microsoft's documentation); OSError (with winerror) when refused."""
    function("ReplaceFileW")(replaced, replacement, None, REPLACEFILE_IGNORE_MERGE_ERRORS, None, None)


def is_console(fd: int) -> bool:  # pragma: no cover - needs Windows
    """GetConsoleMode succeeds only on a console handle: NUL and the other character devices, for
    which isatty() is true on Windows (bpo-28654), are no console."""
    import msvcrt
    from ctypes import byref
    from ctypes import wintypes as w

    try:
        handle = msvcrt.get_osfhandle(fd)
    except OSError:
        return False
    mode = w.DWORD()
    return bool(function("GetConsoleMode")(handle, byref(mode)))


def oem_codepage() -> int:  # pragma: no cover - needs Windows
    """GetOEMCP: the OEM code page, what a console here would use."""
    return int(function("GetOEMCP")())


def ui_language() -> int:  # pragma: no cover - needs Windows
    """GetUserDefaultUILanguage: the user's display language, a LANGID."""
    return int(function("GetUserDefaultUILanguage")())


def ui_is_chinese() -> bool:  # pragma: no cover - needs Windows
    """Whether the user's display language is Chinese (any region)."""
    return (ui_language() & 0x3FF) == LANG_CHINESE


# ---- fonts ------------------------------------------------------------------------------------


def token_user() -> str:  # pragma: no cover - needs Windows
    """GetUserNameW: the user this process runs as (an elevated prompt may run as another admin)."""
    from ctypes import byref, create_unicode_buffer
    from ctypes import wintypes as w

    size = w.DWORD(257)  # UNLEN + 1
    buf = create_unicode_buffer(size.value)
    function("GetUserNameW")(buf, byref(size))
    return buf.value


WTS_CURRENT_SESSION = 0xFFFFFFFF  # (DWORD)-1: this process's own session
WTS_USER_NAME = 5                 # WTS_INFO_CLASS.WTSUserName


def session_user() -> str:  # pragma: no cover - needs Windows
    """WTSQuerySessionInformationW(WTSUserName): who is signed in at this session's desktop, whose
    files the exam client reads, whatever account an elevated prompt uses."""
    from ctypes import byref
    from ctypes import wintypes as w

    buf = w.LPWSTR()
    size = w.DWORD()
    function("WTSQuerySessionInformationW")(None, WTS_CURRENT_SESSION, WTS_USER_NAME, byref(buf), byref(size))
    try:
        return buf.value or ""
    finally:
        function("WTSFreeMemory")(buf)


def is_admin() -> bool:  # pragma: no cover - needs Windows
    """IsUserAnAdmin (shell32): whether this process runs elevated."""
    return bool(function("IsUserAnAdmin")())


def add_font_resource(path: str) -> int:  # pragma: no cover - needs Windows
    """AddFontResourceW: the number of fonts added for this session, 0 on failure (no extended error)."""
    return int(function("AddFontResourceW")(path))


def remove_font_resource(path: str) -> bool:  # pragma: no cover - needs Windows
    """RemoveFontResourceW: whether the session's fonts from path were removed."""
    return bool(function("RemoveFontResourceW")(path))


def broadcast_font_change() -> None:  # pragma: no cover - needs Windows
    """WM_FONTCHANGE to every top-level window, waiting at most a second for each and skipping a
    hung one (SendMessageTimeoutW with SMTO_ABORTIFHUNG)."""
    import ctypes

    result = ctypes.c_size_t(0)
    function("SendMessageTimeoutW")(HWND_BROADCAST, WM_FONTCHANGE, 0, 0, SMTO_ABORTIFHUNG, 1000, ctypes.byref(result))


# ---- time ---------------------------------------------------------------------------------------

TIME_ZONE_ID_INVALID = 0xFFFFFFFF
TIME_ZONE_ID_STANDARD, TIME_ZONE_ID_DAYLIGHT = 1, 2


def tick_count_s() -> float:  # pragma: no cover - needs Windows
    """GetTickCount64: seconds since Windows started (a restart sets it back; sleep does not)."""
    return int(function("GetTickCount64")()) / 1000.0


class TimeZone(NamedTuple):
    key: str  # the zone's key name under HKLM\...\Time Zones ("China Standard Time")
    standard_name: str
    bias_min: int  # UTC = local time + bias, minutes, daylight saving time included when in effect
    daylight: bool  # daylight saving time is in effect now


def dynamic_time_zone() -> TimeZone:  # pragma: no cover - needs Windows
    """GetDynamicTimeZoneInformation: the zone's key name and its bias now (Bias plus StandardBias or,
    in daylight saving time, DaylightBias; Microsoft Learn, TIME_ZONE_INFORMATION)."""
    import ctypes

    info = structures().DYNAMIC_TIME_ZONE_INFORMATION()
    which = int(function("GetDynamicTimeZoneInformation")(ctypes.byref(info)))
    if which == TIME_ZONE_ID_INVALID:
        raise last_error("GetDynamicTimeZoneInformation")
    extra = info.DaylightBias if which == TIME_ZONE_ID_DAYLIGHT else info.StandardBias if which == TIME_ZONE_ID_STANDARD else 0
    return TimeZone(info.TimeZoneKeyName, info.StandardName, int(info.Bias + extra), which == TIME_ZONE_ID_DAYLIGHT)
