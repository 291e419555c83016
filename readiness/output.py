"""Writing report files so that none is lost: atomic, and in a temp folder when the chosen one is
read-only (a write-protected USB stick)."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from datetime import datetime
from pathlib import Path


def _mode_for(path: Path) -> int:
    """The permissions a replaced file keeps, or what a new file would get under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file beside path, then replace: a crash never leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.chmod(tmp, mode)  # mkstemp makes 0600: a report must stay readable by the site manager
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def default_report_name(hostname: str | None, when: datetime | None = None) -> str:
    host = re.sub(r"[^A-Za-z0-9_.-]+", "_", hostname or "unknown-host").strip("._") or "unknown-host"
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"readiness-report-{host}-{stamp}.json"


def default_report_dir(cwd: Path | None = None, environ: dict[str, str] | None = None) -> Path:
    """The current folder, unless it is inside Windows itself: an elevated command prompt starts
    in C:\\Windows\\System32, where nobody would look for a report (the Desktop then)."""
    env = dict(os.environ if environ is None else environ)
    here = cwd or Path.cwd()
    windir = env.get("WINDIR") or env.get("SystemRoot")
    if windir and str(here).lower().startswith(windir.rstrip("\\/").lower()):
        home = Path(env.get("USERPROFILE") or Path.home())
        desktop = home / "Desktop"
        return desktop if desktop.is_dir() else home
    return here


def save_report(data: bytes, chosen: Path | None, default_name: str) -> tuple[Path, str | None]:
    """(where it was saved, why not where asked) – falls back to the temp folder."""
    target = chosen if chosen is not None else default_report_dir() / default_name
    try:
        atomic_write(target, data)
        return target.resolve(), None
    except OSError as exc:
        problem = f"cannot write {target}: {exc.strerror or exc}"
    fallback = Path(tempfile.gettempdir()) / (target.name if chosen is not None else default_name)
    atomic_write(fallback, data)
    return fallback, problem


def write_new(folder: Path, name: str, data: bytes, attempts: int = 1000) -> Path:
    """Write data into folder under name, or name-2, name-3 ... when that is taken: never overwrites.

    Several PCs write into the same shared folder (or the same stick, one after the other), and PCs
    cloned from one image may share a host name, so two reports can get the same name in the same
    second. The data goes to a hidden temp file first and is then given its final name in one step
    that fails instead of replacing (a rename on Windows, a hard link elsewhere): a stick pulled out
    half-way leaves at most the temp file, never half a report under a report's name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        os.chmod(tmp, _mode_for(folder / name))
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
        os.rename(tmp, target)  # MoveFileExW without MOVEFILE_REPLACE_EXISTING: never replaces
        return
    try:
        os.link(tmp, target)  # fails with EEXIST; the finally of write_new drops the temp name
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT on Linux): reserve the name, then fill it
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(tmp, target)
