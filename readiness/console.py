"""Console output that never crashes: Chinese Windows consoles redirect as GBK, some as ASCII.

Text gets readable stand-ins for symbols the console lacks (≥ becomes >=, ✓ becomes OK). Text
redirected to a pipe or file on Windows is written in the console's code page (what `more`,
`findstr` and the console show), not the ANSI one Python would pick. JSON that does not go to a
console (a pipe, a file, PowerShell redirection) is written as UTF-8 bytes, the encoding that
`check --facts` and `aggregate` read back; on a console it is text, with \\uXXXX escapes for what
the console cannot show, which keeps it valid and lossless.
"""

from __future__ import annotations

import codecs
import os
import sys
from typing import Callable, TextIO

_STANDINS = {"≥": ">=", "≤": "<=", "×": "x", "—": "-", "–": "-", "→": "->", "…": "...", "·": "-",
             "“": '"', "”": '"', "‘": "'", "’": "'", "⁹": "^9", "，": ", ", "：": ": ", "；": "; ",
             "（": " (", "）": ")", "。": ". ", "✓": "OK", "✗": "X",
             "✔": "OK", "✘": "X", "•": "*", "≠": "!="}

TEXT_ERRORS = "readiness-text"
JSON_ERRORS = "readiness-json"


def _text_fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    chunk = err.object[err.start:err.end]
    return "".join(_STANDINS.get(ch, "?") for ch in chunk), err.end


def _json_fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for ch in err.object[err.start:err.end]:
        cp = ord(ch)
        if cp > 0xFFFF:
            cp -= 0x10000
            out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}")
        else:
            out.append(f"\\u{cp:04x}")
    return "".join(out), err.end


codecs.register_error(TEXT_ERRORS, _text_fallback)
codecs.register_error(JSON_ERRORS, _json_fallback)


def stream_encoding(stream: TextIO | None = None) -> str:
    return getattr(stream or sys.stdout, "encoding", None) or "utf-8"


def prepare(stream: TextIO, errors: str = TEXT_ERRORS) -> None:
    """Make a stream replace what its encoding cannot show instead of raising."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors=errors)
        except (ValueError, OSError):  # a detached or closed stream: nothing to protect
            pass


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


def console_codepage() -> int | None:  # pragma: no cover - needs Windows
    """The console's output code page, or the OEM one (what a console here would use) when this
    process has no console."""
    import ctypes

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    cp = int(k32.GetConsoleOutputCP()) or int(k32.GetOEMCP())
    return cp or None


def console_encoding() -> str | None:  # pragma: no cover - needs Windows
    """The Python codec of the console's code page (65001 is UTF-8), or None when unknown."""
    cp = console_codepage()
    if cp is None:
        return None
    name = "utf-8" if cp == 65001 else f"cp{cp}"
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def use_console_codepage(stream: TextIO) -> None:
    """On Windows, text redirected away from the console is written in the console's code page
    (unless PYTHONIOENCODING chose one)."""
    if os.name != "nt" or os.environ.get("PYTHONIOENCODING") or _isatty(stream):
        return
    try:  # pragma: no cover - needs Windows
        encoding = console_encoding()
        if encoding is None:
            return
        stream.flush()
        stream.reconfigure(encoding=encoding, errors=TEXT_ERRORS)  # type: ignore[attr-defined]
    except (LookupError, OSError, ValueError, AttributeError):
        pass


def json_writer(stream: TextIO) -> Callable[[str], None]:
    """A function writing JSON text to stream: UTF-8 bytes unless it is a console."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None or _isatty(stream):
        prepare(stream, JSON_ERRORS)

        def write_text(text: str) -> None:
            stream.write(text)

        return write_text
    stream.flush()

    def write(text: str) -> None:
        buffer.write(text.encode("utf-8"))

    return write
