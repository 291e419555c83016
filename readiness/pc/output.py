"""Writing report files so that none is lost: atomic, and in a temp folder when the chosen one is
read-only (a write-protected USB stick)."""

from __future__ import annotations

import os
import sys
import re
import stat
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping, Sequence, TypeVar

from readiness.core.files import write_target
from readiness.core.i18n import Text
from readiness.core.times import file_stamp


def _mode_for(path: Path) -> int:
    """The permissions a replaced file keeps, or what a new file would get under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


_EXCLUSIVE = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)


def _mkstemp(folder: Path, prefix: str, suffix: str = "") -> tuple[int, str]:
    """A new private (0600) temp file in folder, as tempfile.mkstemp makes it, without importing
    tempfile (with shutil, random, bz2 and lzma: ~5 ms of every `check --facts`)."""
    for _ in range(100):
        name = os.path.join(folder, f"{prefix}{os.urandom(6).hex()}{suffix}")
        try:
            return os.open(name, _EXCLUSIVE, 0o600), name
        except FileExistsError:
            continue
        except PermissionError:
            if os.name == "nt" and os.path.isdir(name):  # as tempfile: a folder of that name on Windows
                continue
            raise
    raise FileExistsError(f"{folder}: no free temp file name")


def atomic_write(path: Path, data: bytes, keep_metadata: bool = False) -> None:
    """Write to a temp file beside path, then replace: a crash never leaves half a report.

    A symlink is written through (it stays a link); a FIFO, a device or a folder is refused.
    keep_metadata (an existing file a program owns, user.ini): on Windows the replaced file's ACL,
    attributes and alternate streams are kept (ReplaceFileW), so that an installer's "Users: Modify"
    grant survives; os.replace (MoveFileExW) would give it the folder's inherited ACL."""
    path = write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = _mkstemp(path.parent, f".{path.name}.")
    try:
        if os.name != "nt":  # on Windows chmod only sets the read-only attribute: never copy that
            os.chmod(tmp, mode)  # mkstemp makes 0600: a report must stay readable by the site manager
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_metadata and sys.platform == "win32" and path.exists():
            _replace_keeping_metadata(tmp, path)
        else:
            replace_retrying(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _replace_keeping_metadata(tmp: str, path: Path) -> None:
    """ReplaceFileW, else (a file system or a security product that refuses it) os.replace."""
    from readiness.core.win32 import replace_file

    try:
        retry_while_held(lambda: replace_file(str(path), tmp))
    except OSError:
        replace_retrying(tmp, path)  # the temp file is still there when ReplaceFileW failed


REPLACE_BACKOFF_S = (0.05, 0.1, 0.2, 0.4, 0.8)
_SHARING = {5, 32}  # ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION
T = TypeVar("T")


def retry_while_held(op: Callable[[], T], backoff: tuple[float, ...] | None = None) -> T:
    """op() (a replace, a move, an unlink of a file), retried briefly on Windows while antivirus,
    the search indexer or the font cache holds the file open (winerror 5 or 32); the last error is
    raised when it stays held. Any other error is raised at once."""
    for delay in (*(REPLACE_BACKOFF_S if backoff is None else backoff), None):
        try:
            return op()
        except PermissionError as exc:
            if delay is None or getattr(exc, "winerror", None) not in _SHARING:
                raise
        time.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def replace_retrying(src: str | Path, dst: Path, backoff: tuple[float, ...] | None = None) -> None:
    """os.replace, retried while dst is held (retry_while_held)."""
    retry_while_held(lambda: os.replace(src, dst), backoff)


def default_report_name(hostname: str | None, when: datetime | None = None) -> str:
    host = re.sub(r"[^A-Za-z0-9_.-]+", "_", hostname or "unknown-host").strip("._") or "unknown-host"
    stamp = file_stamp(when)
    return f"readiness-report-{host}-{stamp}.json"


def default_report_dir(cwd: Path | None = None, environ: Mapping[str, str] | None = None,
                       desktop: Callable[[], str] | None = None) -> Path:
    """The current folder, unless it is Windows' own folder: an elevated command prompt starts in
    C:\\Windows\\System32, where nobody would look for a report (the Desktop then)."""
    env = os.environ if environ is None else environ
    here = cwd or Path.cwd()
    if not _inside_windows_folder(str(here), env):
        return here
    return desktop_folder(env, desktop)


def desktop_folder(environ: Mapping[str, str] | None = None, known: Callable[[], str] | None = None) -> Path:
    """The user's Desktop as the shell knows it (OneDrive and folder redirection move it away from
    %USERPROFILE%\\Desktop); that folder when the shell cannot say; the home folder without one.
    The one Desktop lookup: `check` from System32 and the double-click's fallback both use it."""
    env = os.environ if environ is None else environ
    try:
        found = Path((known or _known_desktop)())
        if found.is_dir():
            return found
    except OSError:
        pass
    home = Path(_env_get(env, "USERPROFILE") or Path.home())
    fallback = home / "Desktop"
    return fallback if fallback.is_dir() else home


def temp_folder() -> Path:
    """The last place a report can go (a write-protected stick, a read-only folder)."""
    import tempfile

    return Path(tempfile.gettempdir())


def _env_get(env: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in env.items() if k.upper() == name.upper()), None)


def _inside_windows_folder(path: str, env: Mapping[str, str]) -> bool:
    """path is %WINDIR% or inside it, compared by whole path components (C:\\Windows.old is not)."""
    windir = _env_get(env, "WINDIR") or _env_get(env, "SystemRoot")
    if not windir:
        return False
    norm = [p for p in path.replace("/", "\\").lower().split("\\") if p]
    root = [p for p in windir.replace("/", "\\").lower().split("\\") if p]
    return bool(root) and norm[:len(root)] == root


def _known_desktop() -> str:
    if os.name != "nt":
        raise OSError("no known folders here")
    from readiness.core.win32 import known_folder_desktop  # pragma: no cover - needs Windows

    return known_folder_desktop()  # pragma: no cover - needs Windows


def save_report(data: bytes, chosen: Path | None, default_name: str, *, folder: Path | None = None,
                fallbacks: Sequence[Callable[[], Path]] | None = None) -> tuple[Path, Text | None]:
    """(where it was saved, why not where asked). A file the user chose is replaced, as asked;
    otherwise a new name in folder (default_report_dir() when None), never over an earlier report
    (two runs in one second, cloned host names). When that fails, a new name in each fallback
    folder in turn (the temp folder by default); OSError when none can be written."""
    if chosen is not None:
        target = chosen
    else:
        target = (folder if folder is not None else default_report_dir()) / default_name
    try:
        if chosen is not None:
            atomic_write(target, data)
            return target.resolve(), None
        saved = write_new(target.parent, target.name, data)
        # a folder given as the user sees it stays so (a mapped drive letter is not made a UNC path)
        return (saved if folder is not None else saved.resolve()), None
    except OSError as exc:
        why = exc.strerror or str(exc)
        problem = Text(f"cannot write {target}: {why}", f"无法写入 {target}：{why}")
    errors: list[str] = [problem.en]
    for fallback in (temp_folder,) if fallbacks is None else fallbacks:
        try:
            where = fallback()
            return write_new(where, target.name, data), problem
        except OSError as exc:
            errors.append(f"{exc.filename or fallback}: {exc.strerror or exc}")
    raise OSError("; ".join(errors))


def write_new(folder: Path, name: str, data: bytes, attempts: int = 1000) -> Path:
    """Write data into folder under name, or name-2, name-3 ... when that is taken: never overwrites.

    Several PCs write into the same shared folder (or the same stick, one after the other), and PCs
    cloned from one image may share a host name, so two reports can get the same name in the same
    second. The data goes to a hidden temp file first and is then given its final name in one step
    that fails instead of replacing (a rename on Windows, a hard link elsewhere): a stick pulled out
    half-way leaves at most the temp file, never half a report under a report's name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = _mkstemp(folder, f".{name}.", ".part")
    try:
        if os.name != "nt":  # on Windows chmod only sets the read-only attribute: an earlier read-only
            os.chmod(tmp, _mode_for(folder / name))  # report's would make the new one (and a .part) undeletable
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        stem, dot, ext = name.rpartition(".")
        stem, ext = (stem, dot + ext) if dot else (name, "")
        for n in range(1, attempts + 1):
            target = folder / (name if n == 1 else f"{stem}-{n}{ext}")
            try:
                _rename_exclusive(tmp, target)
            except FileExistsError:
                continue
            return target
        raise FileExistsError(f"{folder}: {attempts} reports named {name} or like it already exist")
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _rename_exclusive(tmp: str, target: Path) -> None:
    """Give tmp the name target unless target exists (FileExistsError), atomically."""
    if os.name == "nt":
        for delay in (*REPLACE_BACKOFF_S, None):  # antivirus may still hold the new temp file open
            try:
                os.rename(tmp, target)  # MoveFileExW without MOVEFILE_REPLACE_EXISTING: never replaces
                return
            except PermissionError as exc:
                if delay is None or getattr(exc, "winerror", None) not in _SHARING:
                    raise
            time.sleep(delay)
    try:
        os.link(tmp, target)  # fails with EEXIST; the finally of write_new drops the temp name
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT on Linux): reserve the name, then fill it
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        replace_retrying(tmp, target)
