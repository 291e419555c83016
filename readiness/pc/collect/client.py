"""Finding the exam client and reading its version, user.ini and neighbouring files.

Cross-platform on purpose: the version resource is read with pefile, which parses the file
itself, so real PE files test it on Linux.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterable, Mapping

from readiness.pc import userini
from readiness.pc.collect.system import System, expand_windows_vars, native_path
from readiness.core.files import cannot_read, read_regular, require_regular
from readiness.core.i18n import Text, TextError, join
from readiness.core.versions import parse_version

D3DCOMPILER = "D3DCompiler_47.dll"
USER_INI = "user.ini"
MAX_EXE_BYTES = 512 * 1024 * 1024


def find_in_dir(folder: str, name: str) -> str | None:
    """The path of name in folder, matched without regard to case as Windows does."""
    exact = os.path.join(folder, name)
    if os.path.lexists(exact):
        return exact
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.lower() == name.lower():
                    return entry.path
    except OSError:
        return None
    return None


def _path_from_command(text: str) -> str:
    """C:\\x\\ExamClient.exe from '"C:\\x\\ExamClient.exe",0' or 'C:\\x\\uninst.exe /S'."""
    text = text.strip()
    if text.startswith('"'):
        return text[1:].split('"', 1)[0]
    m = re.match(r"(.+?\.exe)\b", text, re.IGNORECASE)
    return m.group(1) if m else text.split(",", 1)[0]


def _dirname(path: str) -> str:
    return path.replace("/", "\\").rsplit("\\", 1)[0] if "\\" in path else os.path.dirname(path)


# Windows Installer keeps a product's icons in %WINDIR%\Installer\{ProductCode}\ (its "icon
# cache"): a DisplayIcon there never points at the program's folder.
_MSI_ICON_CACHE = re.compile(r"[\\/]installer[\\/]\{[0-9a-f-]+\}[\\/]?$", re.IGNORECASE)


def entry_folders(entry: Mapping[str, str]) -> list[str]:
    """Every folder an Uninstall entry names, in order: InstallLocation, then the folders of
    DisplayIcon and UninstallString (each may be the program's, or an icon in a sub-folder, or
    MsiExec), without MSI's icon cache and without repeats."""
    raw = [entry.get("InstallLocation", "").strip().strip('"')]
    raw += [_dirname(_path_from_command(entry[k])) for k in ("DisplayIcon", "UninstallString") if entry.get(k)]
    out: list[str] = []
    for folder in raw:
        folder = folder.rstrip("\\/") or folder
        if folder and not _MSI_ICON_CACHE.search(folder) and folder.lower() not in (f.lower() for f in out):
            out.append(folder)
    return out


def registry_candidates(entries: Iterable[Mapping[str, str]], names: Iterable[str]) -> list[tuple[str, Mapping[str, str]]]:
    """Folders named by the Uninstall entries whose DisplayName is the client's: every folder each
    entry names, since the first may hold only an icon or an uninstaller."""
    wanted = [n.lower() for n in names]
    return [(folder, e) for e in entries if any(n in e.get("DisplayName", "").lower() for n in wanted)
            for folder in entry_folders(e)]


class VersionError(TextError, ValueError):
    """No version could be read from the client's program: why, in both languages."""


def pe_version(path: str) -> tuple[str, str]:
    """(version, where it was read) from the PE version resource; ValueError when there is none.

    The ProductVersion string is what the vendor shows ("1.2.1-0"); the fixed file info is the
    numeric fallback.
    """
    import pefile  # heavy: only when a client is examined

    require_regular(path)  # pefile would block on a FIFO
    if os.path.getsize(path) > MAX_EXE_BYTES:
        raise VersionError(Text("larger than 512 MiB: not the exam client", "大于 512 MiB：不是考试客户端"))
    try:
        pe = pefile.PE(path, fast_load=True)
    except pefile.PEFormatError as exc:
        raise VersionError(Text(f"not a Windows program (PE): {exc.value}",
                                f"不是 Windows 程序（PE）：{exc.value}")) from None
    try:
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
        strings: dict[str, str] = {}
        for group in getattr(pe, "FileInfo", None) or []:
            for info in group:
                for table in getattr(info, "StringTable", []) or []:
                    for k, v in table.entries.items():
                        key = k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k)
                        val = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                        strings.setdefault(key, val.strip().strip("\x00"))
        for key in ("ProductVersion", "FileVersion"):
            if strings.get(key) and parse_version(strings[key]):
                return strings[key], f"pe:{key}"
        fixed = getattr(pe, "VS_FIXEDFILEINFO", None)
        if fixed:
            f = fixed[0]
            ms, ls = f.ProductVersionMS or f.FileVersionMS, f.ProductVersionLS or f.FileVersionLS
            if ms or ls:
                return f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}", "pe:fixed"
        raise VersionError(Text("has no version resource", "没有版本资源"))
    finally:
        pe.close()


def read_user_ini(path: str | None) -> dict[str, Any]:
    """user.ini as facts: found, the OpenGL/Level value, the encoding, or why it is unreadable."""
    facts: dict[str, Any] = {"path": path, "found": False, "opengl_level": None, "encoding": None,
                             "error": None, "reason": None}
    if path is None:
        return facts
    facts["found"] = True
    why: Text | None = None
    if os.path.isdir(path):
        why = Text("is a folder, not a file", "是文件夹，不是文件")
    else:
        try:
            raw = read_regular(path, userini.MAX_INI_BYTES)  # a FIFO or a device is refused, never read
            decoded = userini.decode(raw)
        except OSError as exc:
            why = cannot_read(exc)
        except userini.IniError as exc:
            why = exc.reason
    if why is not None:
        facts["error"], facts["reason"] = why.en, why.to_dict()
        return facts
    facts["encoding"] = decoded.encoding
    entry = userini.parse(decoded.text).find("OpenGL", "Level")
    facts["opengl_level"] = entry.value if entry else None
    return facts


def collect_client(profile: Mapping[str, Any], system: System, errors: dict[str, Any]) -> dict[str, Any]:
    env = system.environ()
    exe_name = profile["client.exe_name"]
    candidates: list[tuple[str, str, Mapping[str, str] | None]] = []
    if profile["client.install_dir"]:
        folder = expand_windows_vars(profile["client.install_dir"], env) or profile["client.install_dir"]
        candidates.append((native_path(folder), "profile", None))
    else:
        try:
            entries = system.uninstall_entries()
        except Exception as exc:
            errors["client.registry"] = Text(f"cannot read the Uninstall entries: {exc}",
                                             f"无法读取注册表的卸载项（Uninstall）：{exc}").to_dict()
            entries = []
        candidates += [(d, "registry", e) for d, e in registry_candidates(entries, profile["client.display_names"])]
        for d in profile["client.search_dirs"]:
            folder = expand_windows_vars(d, env)
            if folder:
                candidates.append((native_path(folder), "default", None))
    client: dict[str, Any] = {"install_dir": None, "found_by": None, "exe": None, "version": None,
                              "version_source": None, "searched": [], "user_ini": None, "d3dcompiler_47": None,
                              "user_ini_virtual_store": None}
    tried: set[str] = set()
    for folder, how, entry in candidates:
        if folder.lower() in tried:  # %ProgramFiles% and %ProgramW6432% are often the same
            continue
        tried.add(folder.lower())
        client["searched"].append(folder)
        exe = find_in_dir(folder, exe_name)
        if exe is None:
            continue
        client.update(install_dir=folder, found_by=how, exe=exe)
        reasons: list[Text] = []
        where = Text(f"{exe}: ", f"{exe}：")
        try:
            client["version"], client["version_source"] = pe_version(exe)
        except VersionError as exc:
            reasons.append(where + exc.reason)
        except OSError as exc:
            reasons.append(where + cannot_read(exc))
        except Exception as exc:  # pefile can fail on hostile files in many ways
            raw = f"{type(exc).__name__}: {exc}"
            reasons.append(where + Text(f"unreadable version resource ({raw})", f"版本资源无法读取（{raw}）"))
        if client["version"] is None and entry and entry.get("DisplayVersion"):
            client["version"], client["version_source"] = entry["DisplayVersion"], "registry:DisplayVersion"
        if client["version"] is None:
            errors["client.version"] = (join(reasons) if reasons else Text("no version found", "未找到版本号")).to_dict()
        client["user_ini"] = read_user_ini(find_in_dir(folder, USER_INI))
        if client["user_ini"]["path"] is None:
            client["user_ini"]["path"] = os.path.join(folder, USER_INI)
            client["user_ini"]["found"] = False
        client["d3dcompiler_47"] = find_in_dir(folder, D3DCOMPILER) is not None
        store = virtual_store_dir(folder, env)
        found = find_in_dir(store, USER_INI) if store else None
        client["user_ini_virtual_store"] = read_user_ini(found) if found else None
        break
    return client


def virtual_store_dir(folder: str, env: Mapping[str, str]) -> str | None:
    """Where Windows redirects a non-elevated legacy program's writes under Program Files.

    A 32-bit client that once saved user.ini without admin rights reads its per-user copy in
    %LOCALAPPDATA%\\VirtualStore first, so a Level set in Program Files may not be the one it sees.
    """
    local = next((v for k, v in env.items() if k.lower() == "localappdata"), None)
    drive, _, rest = folder.replace("/", "\\").partition(":\\")
    if not local or len(drive) != 1 or not rest.lower().startswith(("program files", "windows")):
        return None
    return native_path(f"{local}\\VirtualStore\\{rest}")
