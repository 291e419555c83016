"""Planning, checking, applying and undoing the plan's remedies.

Nothing changes unless every precondition holds: the client is closed, the files are writable and
not locked, user.ini parses safely, and (for the font) this is Windows with administrator rights.
Every change is journalled with the original bytes before it is made.
"""

from __future__ import annotations

import hashlib
from functools import partial
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from readiness.core import rules
from readiness.pc.fix.inifix import UnsafeIni, new_file, set_opengl_level
from readiness.core.files import kind_of, kind_of_zh, read_regular
from readiness.pc.userini import MAX_INI_BYTES
from readiness.pc.fix.journal import UNDOABLE, Journal
from readiness.pc.fix.winfont import FontHost
from readiness.core.i18n import Text, TextError, same
from readiness.pc.output import atomic_write, retry_while_held

if TYPE_CHECKING:
    from readiness.pc.collect.fonts import FontNames


MAX_RESTORE_BYTES = 512 * 1024 * 1024  # a font file is the largest thing fix handles


def _read_whole(path: Path) -> bytes:
    """A regular file's bytes; OSError for a FIFO or a device (never waits on one) or an absurd size."""
    data = read_regular(path, MAX_RESTORE_BYTES)
    if len(data) > MAX_RESTORE_BYTES:
        raise OSError(0, f"larger than {MAX_RESTORE_BYTES // 2**20} MiB")
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileChange:
    """A change to one file beside the client, described when it is planned (`what`): the client
    must be closed and the file and its folder writable before it is made (preconditions)."""

    path: Path
    check_id: str
    what: Text

    def describe(self) -> Text:
        return self.what


@dataclass(frozen=True)
class EditFile(FileChange):
    """Replace a file's bytes (or create it, when before is None)."""

    before: bytes | None
    after: bytes


@dataclass(frozen=True)
class MoveAside(FileChange):
    """Move a file into the backup folder instead of deleting it."""


@dataclass(frozen=True)
class InstallFont:
    """Install a font for all users; in_place: the file is already in the Fonts folder (copied
    there, never registered) and only its registration is added."""

    source: Path
    dest_name: str
    value_name: str
    check_id: str = "font-msyh"
    in_place: bool = False

    def describe(self) -> Text:
        if self.in_place:
            return Text(f"register %WINDIR%\\Fonts\\{self.dest_name}, already there, for all users "
                        f"(registry value \"{self.value_name}\")",
                        f"为所有用户注册已在目录中的 %WINDIR%\\Fonts\\{self.dest_name}（注册表值“{self.value_name}”）")
        return Text(f"install {self.source} as %WINDIR%\\Fonts\\{self.dest_name} for all users "
                    f"(registry value \"{self.value_name}\")",
                    f"将 {self.source} 安装为 %WINDIR%\\Fonts\\{self.dest_name}（所有用户，注册表值“{self.value_name}”）")


Action = EditFile | MoveAside | InstallFont


@dataclass
class ChangeSet:
    actions: list[Action] = field(default_factory=list)
    refusals: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)

    @property
    def check_ids(self) -> list[str]:
        return sorted({a.check_id for a in self.actions})


def _user_ini_actions(facts: Mapping[str, Any], level: str, changes: ChangeSet) -> None:
    client = facts.get("client") or {}
    if not client.get("install_dir"):
        changes.notes.append(Text("The exam client is not installed: nothing to set in user.ini.",
                               "未安装考试客户端，无需设置 user.ini。"))
        return
    ini = client.get("user_ini") or {}
    _user_ini_action(Path(ini.get("path") or Path(client["install_dir"]) / "user.ini"), level, changes)
    store = client.get("user_ini_virtual_store") or {}
    if store.get("path"):  # the per-user copy the client really reads, when Windows made one
        _user_ini_action(Path(store["path"]), level, changes)


def _user_ini_action(path: Path, level: str, changes: ChangeSet) -> None:
    if path.is_dir():
        changes.refusals.append(Text(f"{path} is a folder, not a file; it is left alone.",
                                  f"{path} 是文件夹而不是文件，不作修改。"))
        return
    try:
        before = read_regular(path, MAX_INI_BYTES) if path.exists() else None  # never blocks on a FIFO
    except OSError as exc:
        changes.refusals.append(Text(f"cannot read {path}: {exc.strerror or exc}",
                                  f"无法读取 {path}：{exc.strerror or exc}"))
        return
    try:
        after = new_file(level) if before is None else set_opengl_level(before, level)
    except UnsafeIni as exc:
        changes.refusals.append(Text(f"{path} cannot be edited safely: {exc.reason.en}.",
                                     f"{path} 无法安全修改：{exc.reason.zh}。"))
        return
    if after is None:
        changes.notes.append(Text(f"OpenGL/Level is already {level} in {path}.", f"{path} 中 OpenGL/Level 已为 {level}。"))
        return
    what = (Text(f"create {path} with [OpenGL] Level={level}", f"新建 {path}，写入 [OpenGL] Level={level}")
            if before is None else
            Text(f"set [OpenGL] Level={level} in {path} (only that line changes)",
                 f"将 {path} 中 [OpenGL] Level 设为 {level}（只改这一行）"))
    changes.actions.append(EditFile(path, "opengl-level", what, before=before, after=after))


def _font_action(source: Path, families: Iterable[str], host: FontHost, changes: ChangeSet) -> None:
    from readiness.pc.collect.client import find_in_dir
    from readiness.pc.collect.fonts import MSYH_FILES, font_names

    why = host.unsupported()
    if why:
        changes.refusals.append(Text(f"Font: {why}.", "字体：只能在 Windows 上安装到系统字体目录。"))
        return
    try:
        names = font_names(str(source))
    except (ValueError, OSError) as exc:
        reason = exc.reason if isinstance(exc, TextError) else Text(str(exc), f"无法读取字体文件（{exc}）")
        changes.refusals.append(Text(f"{source}: {reason.en}", f"{source}：{reason.zh}"))
        return
    if not rules.is_yahei(names.families, families):
        changes.refusals.append(Text(f"{source} is not Microsoft YaHei (its family is {names.family}).",
                                  f"{source} 不是微软雅黑字体（字体族为 {names.family}）。"))
        return
    if not rules.is_regular_style(names.style):
        changes.refusals.append(Text(
            f"{source} is Microsoft YaHei {names.style}, not the Regular style the client needs: "
            "use msyh.ttc, not msyhbd.ttc (Bold) or msyhl.ttc (Light).",
            f"{source} 是微软雅黑 {names.style}，不是客户端需要的常规（Regular）字形："
            "请使用 msyh.ttc，而不是 msyhbd.ttc（粗体）或 msyhl.ttc（细体）。"))
        return
    if not host.is_admin():
        changes.refusals.append(Text(
            "Installing the font for all users needs administrator rights: right-click the command "
            "prompt, choose \"Run as administrator\", and run the same command again.",
            "为所有用户安装字体需要管理员权限：右键点击“命令提示符”，选择“以管理员身份运行”，再执行同一命令。"))
        return
    with open(source, "rb") as fh:
        is_ttc = fh.read(4) == b"ttcf"
    value_name = _value_name(names.families, names.family)
    try:
        fonts = host.fonts_dir()
        current = host.registry_get(value_name)
    except OSError as exc:
        changes.refusals.append(Text(f"Font: cannot read the font registration ({exc.strerror or exc}).",
                                  f"字体：无法读取字体注册信息（{exc.strerror or exc}）。"))
        return
    if current and _regular_yahei(_registered_path(fonts, current), families):
        changes.notes.append(Text(f"Microsoft YaHei is already installed and registered ({fonts / current}); "
                               "it is left as it is.",
                               f"微软雅黑已安装并注册（{fonts / current}），不作修改。"))
        return
    # A YaHei copied into Fonts but never registered: registered where it is, no second copy.
    for name in MSYH_FILES:
        found = find_in_dir(str(fonts), name)
        there = _regular_yahei(Path(found), families) if found else None
        if found and there is not None:
            own = _value_name(there.families, there.family)
            changes.actions.append(InstallFont(Path(found), Path(found).name, own, in_place=True))
            return
    # Never over an existing file: Windows locks a loaded font file, so replacing msyh.ttc fails
    # half-way on healthy PCs. A free name (msyh_1.ttc) and the registry value pointed at it instead.
    dest_name = _free_font_name(fonts, "msyh", ".ttc" if is_ttc else ".ttf")
    changes.actions.append(InstallFont(source, dest_name, value_name))


def _value_name(families: list[str], family: str | None) -> str:
    """The Fonts registry value a font is registered under: its English families, as Windows'
    own "Microsoft YaHei & Microsoft YaHei UI (TrueType)"."""
    english = [n for n in families if n.isascii()] or [family or "Microsoft YaHei"]
    return " & ".join(english) + " (TrueType)"


def _registered_path(fonts: Path, registered: str) -> Path:
    """The file a Fonts registry value names: a bare name is in the Fonts folder."""
    return Path(registered) if ("\\" in registered or "/" in registered) else fonts / registered


def _regular_yahei(path: Path, families: Iterable[str]) -> FontNames | None:
    """The file's names when it is Microsoft YaHei in the Regular style, else None."""
    from readiness.pc.collect.fonts import font_names

    try:
        names = font_names(str(path))
    except (ValueError, OSError):
        return None
    return names if rules.is_yahei(names.families, families) and rules.is_regular_style(names.style) else None


def _free_font_name(fonts: Path, stem: str, ext: str) -> str:
    for i in range(0, 100):
        name = f"{stem}{ext}" if i == 0 else f"{stem}_{i}{ext}"
        if not (fonts / name).exists():
            return name
    raise OSError(f"no free name for {stem}{ext} in {fonts}")


def propose_changes(facts: Mapping[str, Any], profile: Mapping[str, Any], *, white_screen: bool = False,
              font: Path | None = None, font_host: FontHost | None = None) -> ChangeSet:
    changes = ChangeSet()
    _user_ini_actions(facts, profile["client.opengl_level"], changes)
    client = facts.get("client") or {}
    if white_screen and client.get("install_dir"):
        from readiness.pc.collect.client import D3DCOMPILER, find_in_dir

        found = find_in_dir(client["install_dir"], D3DCOMPILER)
        if found:
            changes.actions.append(MoveAside(Path(found), "opengl-level", Text(
                f"move {found} into the backup folder (against the white screen; --undo puts it back)",
                f"将 {found} 移入备份目录（处理白屏；--undo 可放回）")))
        else:
            changes.notes.append(Text("No D3DCompiler_47.dll beside the client: nothing to move.",
                                   "客户端目录中没有 D3DCompiler_47.dll，无需移动。"))
    if font is not None:
        from readiness.pc.fix.winfont import NoFontHost

        _font_action(font, profile["fonts.families"], font_host or NoFontHost(), changes)
    return changes


def _writable_folder(folder: Path) -> Text | None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".readiness-probe-", dir=folder)
        os.close(fd)
    except OSError as exc:
        why = exc.strerror or str(exc)
        admin = os.name == "nt"
        return Text(f"the folder {folder} is not writable ({why}" + ("; run the command prompt as administrator)" if admin
                                                                       else ")"),
                    f"目录 {folder} 无法写入（{why}" + ("；请以管理员身份运行命令提示符）" if admin else "）"))
    try:  # antivirus may still hold the file just closed: retried, so no probe is left behind
        retry_while_held(partial(os.unlink, tmp))
    except OSError:
        pass  # written, so the folder is writable; only the probe could not go yet
    return None


def _folder_access(folder: Path) -> Text | None:
    if os.access(folder, os.W_OK):
        return None
    return Text(f"the folder {folder} is not writable", f"目录 {folder} 无法写入")


def _changeable_file(path: Path) -> Text | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return same(f"{path}: {exc.strerror or exc}")
    if not stat.S_ISREG(st.st_mode):  # opening a FIFO would wait for a writer
        return Text(f"{path} is {kind_of(st.st_mode)}, not a regular file",
                    f"{path} 是{kind_of_zh(st.st_mode)}，不是普通文件")
    if not st.st_mode & stat.S_IWUSR:
        return Text(f"{path} is read-only", f"{path} 是只读文件")
    why = _why_not_replaceable(path)
    return Text(f"{path} is locked or not writable ({why})", f"{path} 被占用或无法写入（{why}）") if why else None


def _why_not_replaceable(path: Path) -> str | None:
    """The system's words for why the file cannot be opened as the change will open it, or None."""
    if os.name == "nt":  # pragma: no cover - needs Windows
        from readiness.core.win32 import open_for_replace

        return open_for_replace(str(path))  # asks for delete access, as the replace will
    try:
        with open(path, "r+b"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def preconditions(changes: ChangeSet, running: Callable[[], list[str]], client_exe: str, probe: bool = True) -> list[Text]:
    """Reasons to change nothing at all. Without probe (a dry run) a folder's write access is asked
    of the system instead of tried with a temporary file, so that nothing at all is touched."""
    problems: list[Text] = []
    try:
        procs = [p for p in running() if process_name(p).lower() == client_exe.lower()]
    except Exception:  # the scan is a guard; it must never be the thing that fails
        procs = []
    if procs and any(isinstance(a, FileChange) for a in changes.actions):
        listed = ", ".join(procs)
        problems.append(Text(f"The exam client is running ({listed}): close it, then run fix again.",
                             f"考试客户端正在运行（{listed}）：请先关闭，再重新运行 fix。"))
    for a in changes.actions:
        if isinstance(a, FileChange):
            why = (_writable_folder(a.path.parent) if probe else _folder_access(a.path.parent)) or _changeable_file(a.path)
            if why:
                problems.append(Text(f"Cannot change {a.path}: {why.en}.", f"无法修改 {a.path}：{why.zh}。"))
    return problems


def running_processes() -> list[str]:
    """Names of the running processes, as "name (PID n)". Never raises: a process that cannot be
    read (gone, protected, or psutil's own error) is skipped, not fatal."""
    if os.name == "nt":  # pragma: no cover - needs Windows
        from readiness.core.win32 import process_names

        try:
            return [f"{name} (PID {pid})" for pid, name in process_names() if name]
        except OSError:
            pass  # psutil below
    try:
        import psutil

        procs = list(psutil.process_iter())
    except Exception:  # no process list at all: nothing known to block
        return []
    names = []
    for proc in procs:
        try:
            name = proc.name()
        except Exception:  # psutil.Error (gone, access denied) or a bare OSError from the OS
            continue
        if name:
            names.append(f"{name} (PID {proc.pid})")
    return names


def process_name(shown: str) -> str:
    """ "ExamClient.exe" from "ExamClient.exe (PID 42)"."""
    name, sep, rest = shown.rpartition(" (PID ")
    return name if sep and rest.endswith(")") else shown


def apply(changes: ChangeSet, journal: Journal, font_host: FontHost | None = None) -> None:
    """Apply each action, journalling first; stops at the first failure (already journalled)."""
    for action in changes.actions:
        if isinstance(action, EditFile):
            entry: dict[str, Any] = {"kind": "edit", "path": str(action.path), "created": action.before is None,
                                     "sha256_after": sha256(action.after)}
            if action.before is not None:
                backup = journal.backup_path(action.path.name)
                atomic_write(backup, action.before)
                entry.update(backup=str(backup), sha256_before=sha256(action.before))
            entry = journal.add(entry)
            _do(journal, entry, partial(atomic_write, action.path, action.after, keep_metadata=True))
        elif isinstance(action, MoveAside):
            backup = journal.backup_path(action.path.name)
            entry = journal.add({"kind": "move", "path": str(action.path), "backup": str(backup)})
            _do(journal, entry, partial(retry_while_held, partial(shutil.move, str(action.path), str(backup))))
        else:
            assert font_host is not None
            _install_font(action, journal, font_host)


def _do(journal: Journal, entry: dict[str, Any], step: Callable[[], Any]) -> None:
    try:
        step()
    except BaseException as exc:
        entry.update(state="failed", error=f"{type(exc).__name__}: {exc}")
        journal.finish("failed")
        raise
    entry["state"] = "applied"
    journal.save()


def _install_font(action: InstallFont, journal: Journal, host: FontHost) -> None:
    dest = host.fonts_dir() / action.dest_name
    if action.in_place:
        data = None
        if not dest.is_file():  # planned as there; gone since
            raise FileNotFoundError(2, "gone since the plan; nothing was changed", str(dest))
    else:
        data = _read_whole(action.source)
        if dest.exists():  # planned as a free name; something took it since
            raise FileExistsError(17, "appeared since the plan; nothing was changed", str(dest))
    entry: dict[str, Any] = {"kind": "font", "path": str(dest), "value_name": action.value_name,
                             "previous_value": host.registry_get(action.value_name), "created": not action.in_place}
    entry = journal.add(entry)

    def install() -> None:
        if data is not None:  # registered in place: the file is left as it is, and undo leaves it
            atomic_write(dest, data)
        host.registry_set(action.value_name, action.dest_name)
        if host.add_font_resource(str(dest)) == 0:  # AddFontResourceW: 0 fonts added is its failure
            raise OSError(f"Windows did not load the font from {dest} (AddFontResourceW added none)")
        host.broadcast_font_change()

    _do(journal, entry, install)


def failure_note(journal: Journal, undo_hint: str) -> Text:
    """What a run that stopped on a failure left, worded for the change that failed: an edit is
    written to a temp file and swapped in whole, so its file is intact; a move may have stopped
    half-way; a font install writes the file, then the registry value, then loads it, so any of
    those may be in place. Undo restores a failed change too."""
    failed: dict[str, Any] = next((c for c in reversed(journal.data.get("changes", [])) if c.get("state") == "failed"), {})
    kind, path = failed.get("kind"), failed.get("path")
    if kind == "font":
        return Text(f"The font may be installed in part ({path}, the registry value \"{failed.get('value_name')}\"); "
                    f"`{undo_hint}` removes what this run did.",
                    f"字体可能只安装了一部分（{path}，注册表值“{failed.get('value_name')}”）；"
                    f"`{undo_hint}` 可撤销本次所做的修改。")
    if kind == "move":
        return Text(f"{path} is where it was or in the backup folder {journal.folder}; "
                    f"`{undo_hint}` puts back what this run moved.",
                    f"{path} 仍在原处或已在备份目录 {journal.folder} 中；`{undo_hint}` 可放回本次移走的文件。")
    return Text(f"The file being changed is intact; `{undo_hint}` restores what was done before it.",
                f"正在修改的文件未受影响；`{undo_hint}` 可还原此前已做的修改。")


def pending_paths(journal: Journal) -> list[str]:
    """What undo would restore, newest first."""
    return [str(e.get("path")) for e in reversed(journal.data.get("changes", [])) if e.get("state") in UNDOABLE]


def undo(journal: Journal, font_host: FontHost | None = None) -> list[Text]:
    """Restore what the run changed, newest first; a file changed since is left alone and named."""
    problems: list[Text] = []
    for entry in reversed(journal.data.get("changes", [])):
        if entry.get("state") not in UNDOABLE:
            continue
        path = Path(entry["path"])
        try:
            problem = _undo_one(entry, path, font_host)
        except OSError as exc:
            problem = same(f"{exc.strerror or exc}")
        if problem:
            problems.append(Text(f"{path}: {problem.en}", f"{path}：{problem.zh}"))
        else:
            entry["state"] = "undone"
            journal.save()
    journal.finish("undone" if not problems else "partly undone")
    return problems


def _undo_one(entry: dict[str, Any], path: Path, host: FontHost | None) -> Text | None:
    kind = entry["kind"]
    if kind == "edit":
        current = _read_whole(path) if path.exists() else None  # a FIFO put there since is refused, not waited on
        if current is not None and sha256(current) != entry["sha256_after"]:
            if entry.get("sha256_before") and sha256(current) == entry["sha256_before"]:
                return None  # the change never landed
            return Text("changed since the fix; left alone (the original is in the backup folder)",
                        "修复后又被改动过；未动它（原文件在备份目录中）")
        if entry.get("created"):
            if current is not None:
                retry_while_held(path.unlink)
            return None
        atomic_write(path, _read_whole(Path(entry["backup"])), keep_metadata=True)
        return None
    if kind == "move":
        backup = Path(entry["backup"])
        if not backup.exists():
            return None if path.exists() else Text("the moved file is missing from the backup folder",
                                                   "备份目录中找不到被移走的文件")
        if path.exists():
            return Text("a file of that name is back in place; the moved one stays in the backup folder",
                        "原位置已有同名文件；移走的文件仍留在备份目录中")
        retry_while_held(partial(shutil.move, str(backup), str(path)))
        return None
    if kind == "font":
        if host is None or host.unsupported():
            return Text("fonts can only be restored on Windows", "只能在 Windows 上恢复字体")
        host.remove_font_resource(str(path))
        # the file first: if it cannot go, the registry still names it, and a second undo retries
        if entry.get("created"):
            retry_while_held(partial(path.unlink, missing_ok=True))
        elif entry.get("backup"):  # journals of earlier versions, which replaced the file
            atomic_write(path, _read_whole(Path(entry["backup"])), keep_metadata=True)
        if entry.get("previous_value") is None:
            try:
                host.registry_delete(entry["value_name"])
            except FileNotFoundError:  # already gone: what undo wants
                pass
        else:
            host.registry_set(entry["value_name"], entry["previous_value"])
        host.broadcast_font_change()
        return None
    return Text(f"unknown change kind {kind!r}", f"未知的修改类型 {kind!r}")
