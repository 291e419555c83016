"""Finding MSYH (Microsoft YaHei) files and reading their family names with fontTools."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from readiness.collect.system import System, expand_windows_vars, native_path

MSYH_FILES = ("msyh.ttc", "msyh.ttf")
ENGLISH_US = 0x409


def font_families(path: str) -> tuple[str | None, list[str]]:
    """(English family of the first face, every family name in the file); ValueError if not a font."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError  # heavy: only when a font is read

    from readiness.files import NotRegularFile, read_regular, require_regular

    try:
        tag = read_regular(path, 3)[:4]  # a FIFO named msyh.ttc must not block the check
    except NotRegularFile as exc:
        raise ValueError(exc.strerror) from None
    require_regular(path)
    try:
        holder: Any = TTCollection(path, lazy=True) if tag == b"ttcf" else TTFont(path, lazy=True)
    except (TTLibError, OSError, AssertionError, ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"not a font file ({exc or type(exc).__name__})") from None
    try:
        faces = holder.fonts if isinstance(holder, TTCollection) else [holder]
        first: str | None = None
        names: list[str] = []
        for face in faces:
            try:
                table = face["name"]
            except Exception as exc:  # a damaged table directory
                raise ValueError(f"no readable name table ({type(exc).__name__}: {exc})") from None
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
                                    "error": None, "registered": None}
            if registered is not None:
                item["registered"] = entry.name.lower() in registered.get(scope, set())
            try:
                if entry.is_dir():
                    raise ValueError("is a folder, not a font file")
                item["family"], item["families"] = font_families(entry.path)
            except (ValueError, OSError) as exc:
                item["error"] = str(exc) if not isinstance(exc, OSError) else f"cannot read: {exc.strerror or exc}"
            found.append(item)
    return found


def collect_fonts(profile: Mapping[str, Any], system: System, errors: dict[str, str]) -> dict[str, Any]:
    env = system.environ()
    try:
        registered = system.registered_fonts()
    except Exception:
        registered = None
    msyh: list[dict[str, Any]] = []
    searched: list[str] = []
    system_listed = False
    problems = []
    dirs: Iterable[tuple[str, str]] = [(d, "system") for d in profile["fonts.system_dirs"]] + \
        [(d, "user") for d in profile["fonts.user_dirs"]]
    for raw, scope in dirs:
        folder = expand_windows_vars(raw, env)
        if folder is None:
            problems.append(f"{raw}: a variable in it is not set")
            continue
        folder = native_path(folder)
        searched.append(folder)
        try:
            msyh += _scan(folder, scope, registered)
        except FileNotFoundError:
            if scope == "system":
                problems.append(f"{folder}: no such folder")
            continue
        except OSError as exc:
            problems.append(f"{folder}: cannot list: {exc.strerror or exc}")
            continue
        if scope == "system":
            system_listed = True
    if not system_listed and not msyh:
        errors["fonts.msyh"] = "no system font folder could be read: " + "; ".join(problems)
        return {"msyh": None, "searched": searched}
    return {"msyh": msyh, "searched": searched}
