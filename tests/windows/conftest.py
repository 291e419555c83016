"""Tests that need Windows itself: they run under Windows' own Python (the Windows lane runs them
under Wine: scripts/windows_lane.py) and are skipped elsewhere."""

NEEDS_WINDOWS = "needs Windows (the Windows lane runs it under Wine: scripts/windows_lane.py)"


def chinese_windows() -> bool:
    import ctypes

    return (ctypes.WinDLL("kernel32").GetUserDefaultUILanguage() & 0x3FF) == 0x04


def under_wine() -> bool:
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")  # Wine's ntdll exports it; Windows' does not
