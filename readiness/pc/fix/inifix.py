"""Setting [OpenGL] Level in user.ini by changing one line and keeping every other byte.

Hand-edited files carry a BOM or not, CRLF or LF, GBK comments, odd spacing; all of it stays.
A file that does not read back byte for byte is refused rather than rewritten.
"""

from __future__ import annotations

from readiness.core import rules

from readiness.pc import userini
from readiness.core.i18n import Text, TextError


class UnsafeIni(TextError):
    """user.ini cannot be edited without risking other content (the reason in both languages)."""


def _split_ending(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body):]


def _replace_value(line: str, value: str) -> str:
    body, ending = _split_ending(line)
    eq = body.index("=")
    head, rest = body[:eq + 1], body[eq + 1:]
    lead = len(rest) - len(rest.lstrip(" \t"))
    end, quoted = len(rest), False
    for j in range(lead, len(rest)):
        if rest[j] == '"':
            quoted = not quoted
        elif rest[j] == ";" and not quoted:
            end = j
            break
    old = rest[lead:end]
    trailing = old[len(old.rstrip()):]
    new = f'"{value}"' if old.strip().startswith('"') else value
    return head + rest[:lead] + new + trailing + rest[end:] + ending


def new_file(value: str) -> bytes:
    """A user.ini for a client folder that has none (UTF-8, CRLF, as Windows tools write)."""
    return f"[OpenGL]\r\nLevel={value}\r\n".encode("utf-8")


def set_opengl_level(raw: bytes, value: str = "0") -> bytes | None:
    """The edited bytes, or None when Level is already value."""
    try:
        decoded = userini.decode(raw)
    except userini.IniError as exc:
        raise UnsafeIni(exc.reason) from None
    if decoded.encoding == "utf-16":
        raise UnsafeIni(Text("saved as UTF-16, which the client does not read; save it as UTF-8 first",
                             "以 UTF-16 保存，客户端无法读取；请先另存为 UTF-8"))
    codec = "utf-8" if decoded.encoding == "utf-8-sig" else decoded.encoding
    if decoded.bom + decoded.text.encode(codec) != raw:
        raise UnsafeIni(Text("does not read back byte for byte", "无法逐字节还原读取"))
    doc = userini.parse(decoded.text)
    lines = list(doc.lines)
    entry = doc.find("OpenGL", "Level")
    nl = decoded.newline
    if entry is not None:
        if rules.opengl_level_ok(entry.value, value):
            return None
        lines[entry.line] = _replace_value(lines[entry.line], value)
    else:
        header = next((i for name, i in doc.sections if name.lower() == "opengl"), None)
        if header is not None:
            if not lines[header].endswith(("\n", "\r")):
                lines[header] += nl
            lines.insert(header + 1, f"Level={value}{nl}")
        else:
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += nl
            lines += [f"[OpenGL]{nl}", f"Level={value}{nl}"]
    text = "".join(lines)
    check = userini.parse(text).find("OpenGL", "Level")
    if check is None or check.value != value:  # pragma: no cover - a guard against parser drift
        raise UnsafeIni(Text("the edit would not take effect", "修改后不会生效"))
    return decoded.bom + text.encode(codec)
