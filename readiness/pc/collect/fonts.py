"""Finding MSYH (Microsoft YaHei) files and reading their family names with fontTools."""

from __future__ import annotations

import ntpath
import os
from typing import Any, Iterable, Mapping, NamedTuple

from readiness.core import rules
from readiness.pc.collect.system import System, expand_windows_vars, native_path
from readiness.core.files import cannot_read
from readiness.core.i18n import Text, TextError, join

MSYH_FILES = ("msyh.ttc", "msyh.ttf")
ENGLISH_US = 0x409


class FontError(TextError, ValueError):
    """A file named like MSYH that is not a readable font: why, in both languages."""


class FontNames(NamedTuple):
    """What a font file's name table says of its first face: its English family, every family
    name (IDs 1 and 16, any language, all faces) and its English subfamily, the style (ID 17,
    else 2: "Regular", "Bold", "Light")."""

    family: str | None
    families: list[str]
    style: str | None


def font_families(path: str) -> tuple[str | None, list[str]]:
    """(English family of the first face, every family name in the file); ValueError if not a font."""
    names = font_names(path)
    return names.family, names.families


def font_names(path: str) -> FontNames:
    """The family names and the style of a font file (a TTC: of its first face, its families from
    all); ValueError (FontError) if it is not a font."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError  # heavy: only when a font is read

    from readiness.core.files import NotRegularFile, read_regular, require_regular

    try:
        tag = read_regular(path, 3)[:4]  # a FIFO named msyh.ttc must not block the check
    except NotRegularFile as exc:
        raise FontError(cannot_read(exc)) from None
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
        style: str | None = None
        names: list[str] = []
        for face in faces:
            try:
                table = face["name"]
            except Exception as exc:  # a damaged table directory
                raw = f"{type(exc).__name__}: {exc}"
                raise FontError(Text(f"no readable name table ({raw})", f"字体名称表无法读取（{raw}）")) from None
            english = None
            subfamily: dict[int, str] = {}
            for rec in table.names:
                if rec.nameID not in (1, 2, 16, 17):
                    continue
                try:
                    text = rec.toUnicode()
                except UnicodeDecodeError:
                    continue
                if rec.nameID in (2, 17):
                    if text and rec.platformID == 3 and rec.langID == ENGLISH_US:
                        subfamily[rec.nameID] = text
                    elif text:
                        subfamily.setdefault(-rec.nameID, text)  # another platform's, if no Windows English one
                    continue
                if text and text not in names:
                    names.append(text)
                if rec.platformID == 3 and rec.langID == ENGLISH_US and (english is None or rec.nameID == 16):
                    english = text
            if first is None:
                first = english or (names[0] if names else None)
                style = next((subfamily[k] for k in (17, 2, -17, -2) if k in subfamily), None)
        return FontNames(first, names, style)
    finally:
        holder.close()


def _entry(path: str, scope: str, registered: bool | None) -> dict[str, Any]:
    """One MSYH candidate as facts: its names and style, or why it is not a readable font."""
    item: dict[str, Any] = {"path": path, "scope": scope, "family": None, "families": [], "style": None,
                            "error": None, "reason": None, "registered": registered}
    try:
        if os.path.isdir(path):
            raise FontError(Text("is a folder, not a font file", "是文件夹，不是字体文件"))
        if not os.path.lexists(path):
            raise FontError(Text("registered, but the file is not there", "已注册，但文件不存在"))
        item["family"], item["families"], item["style"] = font_names(path)
    except (ValueError, OSError) as exc:
        why = exc.reason if isinstance(exc, FontError) else cannot_read(exc)
        item["error"], item["reason"] = why.en, why.to_dict()
    return item


def _scan(folder: str, scope: str, registered: Mapping[str, set[str]] | None,
          taken: set[str]) -> list[dict[str, Any]]:
    """The MSYH-named files of a folder that no registry value already led to."""
    found = []
    with os.scandir(folder) as it:
        for entry in it:
            if entry.name.lower() not in MSYH_FILES or same_file_key(entry.path) in taken:
                continue
            known = None if registered is None else entry.name.lower() in registered.get(scope, set())
            found.append(_entry(entry.path, scope, known))
    return found


def _as_on_disk(path: str) -> str:
    """path found as Windows finds it, without regard to case, and spelled as the folder spells
    it (the registry may say msyh.ttc for MSYH.TTC); path itself when it is not there."""
    folder, name = os.path.split(path)
    try:
        with os.scandir(folder or ".") as it:
            for entry in it:
                if entry.name.lower() == name.lower():
                    return entry.path if folder else entry.name
    except OSError:
        pass
    return path


def same_file_key(path: str) -> str:
    """A path as Windows compares it: without case, separators and dots normalized."""
    return os.path.normpath(path).lower()


def _value_families(value_name: str) -> list[str]:
    """The families a Fonts registry value is named after: "Microsoft YaHei & Microsoft YaHei UI
    (TrueType)" → ["Microsoft YaHei", "Microsoft YaHei UI"]."""
    bare = value_name.rsplit("(", 1)[0] if value_name.rstrip().endswith(")") else value_name
    return [part.strip() for part in bare.split("&") if part.strip()]


def registered_msyh(registrations: Iterable[tuple[str, str, str]], families: Iterable[str],
                    fonts_dir: str | None) -> list[tuple[str, str]]:
    """(scope, path) of every registered font that is meant to be MSYH: its value is named after an
    accepted family, or its file is named msyh.ttc/msyh.ttf. A bare file name is in the system
    Fonts folder, as Windows resolves it."""
    accepted = list(families)
    out: list[tuple[str, str]] = []
    for scope, name, data in registrations:
        base = ntpath.basename(data).lower()
        if not data or not (rules.is_yahei(_value_families(name), accepted) or base in MSYH_FILES):
            continue
        if ntpath.basename(data) == data:  # a bare name: in %WINDIR%\Fonts
            if fonts_dir is None:
                continue
            data = os.path.join(fonts_dir, data)
        out.append((scope, _as_on_disk(native_path(data))))
    return out


def collect_fonts(profile: Mapping[str, Any], system: System, errors: dict[str, Any]) -> dict[str, Any]:
    """The MSYH candidates: first the files the Fonts registry values lead to (a registered font
    is what Windows loads, whatever its file is called: `fix --font` may have installed msyh_1.ttc),
    then the MSYH-named files of the font folders that no value names, as unregistered."""
    env = system.environ()
    try:
        registrations = system.font_registrations()
    except Exception:
        registrations = None
    registered: dict[str, set[str]] | None = None
    if registrations is not None:
        registered = {"system": set(), "user": set()}
        for scope, _name, data in registrations:
            registered.setdefault(scope, set()).add(ntpath.basename(data).lower())
    folders: list[tuple[str, str]] = []
    searched: list[str] = []
    problems: list[Text] = []
    for raw, scope in [(d, "system") for d in profile["fonts.system_dirs"]] + [(d, "user") for d in profile["fonts.user_dirs"]]:
        folder = expand_windows_vars(raw, env)
        if folder is None:
            problems.append(Text(f"{raw}: a variable in it is not set", f"{raw}：其中的环境变量未设置"))
            continue
        folders.append((native_path(folder), scope))
    system_dir = next((f for f, scope in folders if scope == "system"), None)
    msyh: list[dict[str, Any]] = []
    taken: set[str] = set()
    for scope, path in registered_msyh(registrations or [], profile["fonts.families"], system_dir):
        if same_file_key(path) not in taken:
            taken.add(same_file_key(path))
            msyh.append(_entry(path, scope, True))
    system_listed = False
    for folder, scope in folders:
        searched.append(folder)
        try:
            msyh += _scan(folder, scope, registered, taken)
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
