"""Finding MSYH (Microsoft YaHei) files and reading their family names with fontTools."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from readiness.collect.system import System, expand_windows_vars, native_path
from readiness.i18n import Text, TextError, join

MSYH_FILES = ("msyh.ttc", "msyh.ttf")
ENGLISH_US = 0x409


class FontError(TextError, ValueError):
    """A file named like MSYH that is not a readable font: why, in both languages."""


def cannot_read(raw: str) -> Text:
    """An OS error text, as it is, inside a sentence in both languages."""
    return Text(f"cannot read: {raw}", f"无法读取：{raw}")


def font_families(path: str) -> tuple[str | None, list[str]]:
    """(English family of the first face, every family name in the file); ValueError if not a font."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError  # heavy: only when a font is read

    from readiness.files import NotRegularFile, read_regular, require_regular

    try:
        tag = read_regular(path, 3)[:4]  # a FIFO named msyh.ttc must not block the check
    except NotRegularFile as exc:
        raise FontError(cannot_read(exc.strerror or str(exc))) from None
    require_regular(path)
    try:
        holder: Any = TTCollection(path, lazy=True) if tag == b"ttcf" else TTFont(path, lazy=True)
    except (TTLibError, OSError, AssertionError, ValueError, KeyError, IndexError) as exc:
        raw = str(exc) or type(exc).__name__
        # fontTools' own words stay in the English (for support); the Chinese says what it means
        raise FontError(Text(f"not a font file ({raw})", "不是字体文件（无法读取其字体表）")) from None
    try:
        faces = holder.fonts if isinstance(holder, TTCollection) else [holder]
        first: str | None = None
        names: list[str] = []
        for face in faces:
            try:
                table = face["name"]
            except Exception as exc:  # a damaged table directory
                raw = f"{type(exc).__name__}: {exc}"
                raise FontError(Text(f"no readable name table ({raw})", f"字体名称表无法读取（{raw}）")) from None
            english = None
            for rec in table.names:
                if rec.nameID not in (1, 16):
                    continue
                try:
                    text = rec.toUnicode()
                except UnicodeDecodeError:
                    continue
                if text and text not in names:
                    names.append(text)
                if rec.platformID == 3 and rec.langID == ENGLISH_US and (english is None or rec.nameID == 16):
                    english = text
            if first is None:
                first = english or (names[0] if names else None)
        return first, names
    finally:
        holder.close()


def _scan(folder: str, scope: str, registered: Mapping[str, set[str]] | None) -> list[dict[str, Any]]:
    found = []
    with os.scandir(folder) as it:
        for entry in it:
            if entry.name.lower() not in MSYH_FILES:
                continue
            item: dict[str, Any] = {"path": entry.path, "scope": scope, "family": None, "families": [],
                                    "error": None, "reason": None, "registered": None}
            if registered is not None:
                item["registered"] = entry.name.lower() in registered.get(scope, set())
            try:
                if entry.is_dir():
                    raise FontError(Text("is a folder, not a font file", "是文件夹，不是字体文件"))
                item["family"], item["families"] = font_families(entry.path)
            except (ValueError, OSError) as exc:
                why = exc.reason if isinstance(exc, FontError) else cannot_read(
                    str(exc.strerror or exc) if isinstance(exc, OSError) else str(exc))
                item["error"], item["reason"] = why.en, why.to_dict()
            found.append(item)
    return found


def collect_fonts(profile: Mapping[str, Any], system: System, errors: dict[str, Any]) -> dict[str, Any]:
    env = system.environ()
    try:
        registered = system.registered_fonts()
    except Exception:
        registered = None
    msyh: list[dict[str, Any]] = []
    searched: list[str] = []
    system_listed = False
    problems: list[Text] = []
    dirs: Iterable[tuple[str, str]] = [(d, "system") for d in profile["fonts.system_dirs"]] + \
        [(d, "user") for d in profile["fonts.user_dirs"]]
    for raw, scope in dirs:
        folder = expand_windows_vars(raw, env)
        if folder is None:
            problems.append(Text(f"{raw}: a variable in it is not set", f"{raw}：其中的环境变量未设置"))
            continue
        folder = native_path(folder)
        searched.append(folder)
        try:
            msyh += _scan(folder, scope, registered)
        except FileNotFoundError:
            if scope == "system":
                problems.append(Text(f"{folder}: no such folder", f"{folder}：文件夹不存在"))
            continue
        except OSError as exc:
            raw = exc.strerror or str(exc)
            problems.append(Text(f"{folder}: cannot list: {raw}", f"{folder}：无法列出内容：{raw}"))
            continue
        if scope == "system":
            system_listed = True
    if not system_listed and not msyh:
        errors["fonts.msyh"] = (Text("no system font folder could be read: ", "无法读取任何系统字体文件夹：")
                                + join(problems)).to_dict()
        return {"msyh": None, "searched": searched}
    return {"msyh": msyh, "searched": searched}
