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
from typing import Callable, Iterable, TextIO

from readiness.core.i18n import TextError, same

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
    from readiness.core import win32

    cp = win32.console_output_codepage() or win32.oem_codepage()
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
    try:  # only a real standard handle (a pipe, a file); an in-memory stream has its own encoding
        stream.fileno()
    except (OSError, ValueError, AttributeError):
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


# Text from a machine (a hostname, a file name, a value in user.ini) may hold terminal escapes:
# ESC [ ... moves the cursor or recolours, a lone CR overwrites the line, U+202E reverses it.
# Text output shows them as visible escapes instead; newlines stay.
_CONTROL_NAMES = {"\t": "\\t", "\r": "\\r"}
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ESCAPE_TABLE = {cp: _CONTROL_NAMES.get(chr(cp), f"\\x{cp:02x}")
                 for cp in list(range(0x00, 0x20)) + list(range(0x7f, 0xa0)) if cp != 0x0a}
_ESCAPE_TABLE.update({ord(ch): f"\\u{ord(ch):04x}" for ch in _BIDI})


def escape_controls(text: str) -> str:
    """Control characters (but newline) and bidirectional overrides as visible escapes."""
    return text.translate(_ESCAPE_TABLE)


# JSON escapes C0 controls itself; C1 controls and bidi overrides pass through raw unless asked.
# Inside a JSON string \uXXXX is the same character: the document is unchanged, the terminal safe.
_JSON_ESCAPE_TABLE = {cp: f"\\u{cp:04x}" for cp in list(range(0x7f, 0xa0)) + [ord(ch) for ch in _BIDI]}


def escape_json_controls(text: str) -> str:
    return text.translate(_JSON_ESCAPE_TABLE)


class OutputClosed(TextError):
    """Standard output is gone (closed, a full disk, a broken pipe): the command cannot print.
    `reason` is the OS's own words (the same in both languages: they come from the system)."""

    def __init__(self, reason: str, errno: int | None = None) -> None:
        super().__init__(same(reason))
        self.errno = errno


def write_stream(stream: TextIO | None, chunks: "Iterable[str]", json: bool = False) -> None:
    """Write and flush; a closed or failing stream becomes OutputClosed (never a traceback).

    JSON goes out as UTF-8 bytes unless the stream is a console (see json_writer). A missing
    stream (pythonw, a service) means nobody reads the output: it is dropped."""
    if stream is None:
        return
    try:
        write = json_writer(stream) if json else stream.write
        for chunk in chunks:
            write(chunk)
        stream.flush()
    except (OSError, ValueError) as exc:  # ValueError: I/O operation on closed file
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputClosed(reason, getattr(exc, "errno", None)) from None
