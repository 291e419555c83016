"""Console output that never crashes: Chinese Windows consoles redirect as GBK, some as ASCII.

Text gets readable stand-ins for symbols the console lacks (≥ becomes >=); JSON gets \\uXXXX
escapes, which keep it valid and lossless in any encoding.
"""

from __future__ import annotations

import codecs
import sys
from typing import TextIO

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
