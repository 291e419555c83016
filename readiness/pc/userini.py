"""The exam client's user.ini, read the way Qt's QSettings (IniFormat) reads it.

The plan's fix for crashes and the white screen is ``OpenGL/Level`` = 0, i.e. key ``Level`` in
section ``[OpenGL]``. Files edited by hand on Chinese Windows come with a UTF-8 BOM, CRLF, GBK
comments and spaces around ``=``; keys are case-insensitive on Windows. The parse keeps each
line's exact span so that ``fix`` can change one line and keep every other byte.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from readiness.core.i18n import Text, TextError

MAX_INI_BYTES = 1024 * 1024


class IniError(TextError):
    """user.ini cannot be read safely (binary, too large)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8, utf-8-sig, gbk, utf-16
    bom: bytes
    newline: str  # "\r\n" or "\n" (the first one seen; "\r\n" when there is none)


def decode(raw: bytes) -> Decoded:
    """Text of user.ini and how it was encoded; binary content is refused."""
    if len(raw) > MAX_INI_BYTES:
        raise IniError(Text(f"larger than {MAX_INI_BYTES // 1024} KiB: not a settings file",
                            f"大于 {MAX_INI_BYTES // 1024} KiB：不是配置文件"))
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(enc)
            except UnicodeDecodeError as exc:
                raise IniError(Text(f"starts with a {enc} mark but is not {enc} text ({exc.reason})",
                                    f"以 {enc} 标记开头，但不是 {enc} 文本（{exc.reason}）")) from None
            return _checked(Decoded(text, "utf-8-sig" if enc == "utf-8" else "utf-16", bom, _newline(text)))
    if b"\x00" in raw:
        raise IniError(Text("contains NUL bytes: a binary file, not a settings file", "含有 NUL 字节：是二进制文件，不是配置文件"))
    for enc in ("utf-8", "gbk"):
        try:
            return _checked(Decoded(raw.decode(enc), enc, b"", _newline(raw.decode(enc))))
        except UnicodeDecodeError:
            continue
    raise IniError(Text("neither UTF-8 nor GBK text", "既不是 UTF-8 也不是 GBK 文本"))


def _newline(text: str) -> str:
    i = text.find("\n")
    return "\n" if i > 0 and text[i - 1] != "\r" else "\r\n"


def _checked(d: Decoded) -> Decoded:
    bad = sum(1 for ch in d.text if ord(ch) < 32 and ch not in "\r\n\t")
    if bad > max(4, len(d.text) // 100):
        raise IniError(Text("mostly control characters: a binary file, not a settings file",
                            "大部分是控制字符：是二进制文件，不是配置文件"))
    return d


@dataclass(frozen=True)
class Entry:
    section: str  # as written, unescaped
    key: str  # as written, unescaped, with "\" subkeys turned into "/"
    value: str  # unquoted
    line: int  # 0-based line index


@dataclass(frozen=True)
class IniDoc:
    lines: tuple[str, ...]  # each with its own line ending
    entries: tuple[Entry, ...]
    sections: tuple[tuple[str, int], ...]  # (name, line index) of each [section] header

    def find(self, section: str, key: str) -> Entry | None:
        """The entry QSettings would return: keys and sections match case-insensitively and
        the last duplicate wins."""
        full = f"{section}/{key}".lower()
        found = None
        for e in self.entries:
            if _full_key(e).lower() == full:
                found = e
        return found


def _full_key(e: Entry) -> str:
    if e.section.lower() in ("general", ""):
        return e.key
    return f"{e.section}/{e.key}"


def _unescape_key(key: str) -> str:
    """Qt escapes odd key characters as %XX / %UXXXX and writes subkeys with backslashes."""
    out, i = [], 0
    while i < len(key):
        ch = key[i]
        if ch == "%" and key[i + 1:i + 2] == "U" and i + 6 <= len(key):
            try:
                out.append(chr(int(key[i + 2:i + 6], 16)))
                i += 6
                continue
            except ValueError:
                pass
        if ch == "%" and i + 3 <= len(key):
            try:
                out.append(chr(int(key[i + 1:i + 3], 16)))
                i += 3
                continue
            except ValueError:
                pass
        out.append("/" if ch == "\\" else ch)
        i += 1
    return "".join(out)


def _unquote_value(raw: str) -> str:
    """Qt: text in double quotes is literal; elsewhere ';' starts a comment."""
    out, quoted = [], False
    for ch in raw:
        if ch == '"':
            quoted = not quoted
            continue
        if ch == ";" and not quoted:
            break
        out.append(ch)
    return "".join(out).strip()


def parse(text: str) -> IniDoc:
    lines = tuple(text.splitlines(keepends=True))
    entries: list[Entry] = []
    sections: list[tuple[str, int]] = []
    section = ""
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s[0] in ";#":
            continue
        if s.startswith("["):
            end = s.find("]")
            section = _unescape_key(s[1:end if end > 0 else len(s)].strip())
            sections.append((section, i))
            continue
        key, eq, value = s.partition("=")
        if not eq:
            continue  # QSettings ignores a line without "="
        entries.append(Entry(section, _unescape_key(key.strip()), _unquote_value(value), i))
    return IniDoc(lines, tuple(entries), tuple(sections))
