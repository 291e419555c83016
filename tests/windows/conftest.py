"""Tests that need Windows itself: they run under Windows' own Python (the Windows lane runs them
under Wine: scripts/windows_lane.py) and are skipped elsewhere."""

NEEDS_WINDOWS = "needs Windows (the Windows lane runs it under Wine: scripts/windows_lane.py)"

# Tests that change the machine they run on (HKLM, %WINDIR%\Fonts, the Desktop) run only where this
# is set to 1: the Windows lane sets it for its own Wine prefix. Never on a technician's or a
# developer's own Windows, where `python -m pytest` must be safe.
MAY_CHANGE_THIS_PC = "READINESS_TESTS_MAY_CHANGE_THIS_PC"
CHANGES_THIS_PC = (f"changes this PC (HKLM, %WINDIR%\\Fonts, the Desktop): runs only with {MAY_CHANGE_THIS_PC}=1, "
                   "as the Windows lane sets it for its own Wine prefix (scripts/windows_lane.py)")


def may_change_this_pc() -> bool:
    import os

    return os.environ.get(MAY_CHANGE_THIS_PC) == "1"


def chinese_windows() -> bool:
    import ctypes

    return (ctypes.WinDLL("kernel32").GetUserDefaultUILanguage() & 0x3FF) == 0x04


def under_wine() -> bool:
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")  # Wine's ntdll exports it; Windows' does not
