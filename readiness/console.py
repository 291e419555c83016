"""Console output that never crashes: Chinese Windows consoles redirect as GBK, some as ASCII.

Text gets readable stand-ins for symbols the console lacks (≥ becomes >=); JSON gets \\uXXXX
escapes, which keep it valid and lossless in any encoding.
"""

from __future__ import annotations

import codecs
import sys
from typing import Iterable, TextIO

_STANDINS = {"≥": ">=", "≤": "<=", "×": "x", "—": "-", "–": "-", "→": "->", "…": "...", "·": "-",
             "“": '"', "”": '"', "‘": "'", "’": "'", "⁹": "^9", "，": ", ", "：": ": ", "；": "; ",
             "（": " (", "）": ")", "。": ". "}

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


class OutputClosed(Exception):
    """Standard output is gone (closed, a full disk, a broken pipe): the command cannot print."""

    def __init__(self, reason: str, errno: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errno = errno


def write_stream(stream: TextIO | None, chunks: "Iterable[str]") -> None:
    """Write and flush; a closed or failing stream becomes OutputClosed (never a traceback).

    A missing stream (pythonw, a service) means nobody reads the output: it is dropped."""
    if stream is None:
        return
    try:
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
    except (OSError, ValueError) as exc:  # ValueError: I/O operation on closed file
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputClosed(reason, getattr(exc, "errno", None)) from None
