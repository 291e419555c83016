"""Win32 lives in one module: readiness/core/win32.py declares every prototype once, lazily, and nothing
else in the package touches ctypes. (The calls themselves run for real in tests/windows.)"""

import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from readiness.core import win32

ROOT = Path(__file__).resolve().parents[2]
THE_MODULE = ROOT / "readiness" / "core" / "win32.py"
# what declaring or loading a Win32 function takes; as names in code, not in docstrings or comments
CTYPES_NAMES = {"ctypes", "wintypes", "WinDLL", "windll", "OleDLL", "oledll", "CDLL", "cdll", "WINFUNCTYPE",
                "argtypes", "restype", "errcheck"}


def _ctypes_names_in(path: Path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.NAME and t.string in CTYPES_NAMES]


def _package_sources() -> list[Path]:
    return sorted(p for folder in ("readiness", "checks", "reports") for p in (ROOT / folder).rglob("*.py"))


def test_no_module_but_win32_declares_or_loads_a_win32_function():
    found = {str(p.relative_to(ROOT)): names for p in _package_sources()
             if p != THE_MODULE and (names := _ctypes_names_in(p))}
    assert found == {}, f"ctypes outside readiness/core/win32.py (move the call there, behind a wrapper): {found}"


def test_the_scan_sees_the_declarations_where_they_are():
    names = {name for _, name in _ctypes_names_in(THE_MODULE)}
    assert {"ctypes", "WinDLL", "argtypes", "restype", "errcheck"} <= names


def test_importing_it_loads_no_ctypes_and_declares_nothing():
    """On Linux too, and fast: ctypes is imported at the first call of a wrapper, not before. (The
    Windows lane's runtime imports ctypes at start for its Wine fix-ups, so "before" is compared.)"""
    code = ("import sys; before = 'ctypes' in sys.modules; import readiness.core.win32 as w; "
            "print(before, 'ctypes' in sys.modules, w.prototypes.cache_info().currsize, w.function.cache_info().currsize)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    before, after, *declared = proc.stdout.split()
    assert after == before and declared == ["0", "0"]
    if sys.platform != "win32":
        assert after == "False"


def test_every_function_called_is_declared_once_with_its_types():
    table = win32.prototypes()
    called = set(re.findall(r'\bfunction\("(\w+)"\)', THE_MODULE.read_text(encoding="utf-8")))
    assert called == set(table), "a call without a prototype, or a prototype nobody calls"
    for name, proto in table.items():
        assert proto.dll in {"kernel32", "ntdll", "shell32", "ole32", "gdi32", "user32", "advapi32", "wtsapi32"}, name
        assert isinstance(proto.argtypes, list), name
        assert proto.restype is not None or name in ("CoTaskMemFree", "WTSFreeMemory"), name  # void functions
    assert win32.prototypes() is table  # built once


def test_handles_and_pointers_are_pointer_sized():
    """A HANDLE returned as a C int is truncated on 64-bit Windows: the classic ctypes bug."""
    import ctypes

    table = win32.prototypes()
    for name in ("CreateFileW", "CreateToolhelp32Snapshot", "OpenProcess"):
        assert ctypes.sizeof(table[name].restype) == ctypes.sizeof(ctypes.c_void_p), name
    assert ctypes.sizeof(table["SendMessageTimeoutW"].restype) == ctypes.sizeof(ctypes.c_void_p)  # an LRESULT


@pytest.mark.skipif(sys.platform == "win32", reason="what a wrapper does off Windows")
def test_off_windows_a_wrapper_raises_what_its_callers_catch():
    """ctypes has no WinDLL here: AttributeError, which every caller that may run anywhere catches."""
    with pytest.raises(AttributeError):
        win32.drive_type("C:\\")
