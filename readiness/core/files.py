"""Reading and writing only regular files: a FIFO named like a report must not hang a command, a
device node (/dev/zero, /dev/full) must not be read forever or replaced, and a symlink is written
through to its target instead of being replaced by a copy."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readiness.core.i18n import Text

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def kind_of(mode: int) -> str:
    if mode == 0:
        return "a symbolic link that leads nowhere readable (a loop?)"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


_KINDS_ZH = ((stat.S_ISFIFO, "命名管道（FIFO）"), (stat.S_ISCHR, "字符设备"), (stat.S_ISBLK, "块设备"),
             (stat.S_ISSOCK, "套接字"), (stat.S_ISDIR, "文件夹"))


def kind_of_zh(mode: int) -> str:
    if mode == 0:
        return "无法读取的符号链接（可能是循环链接）"
    return next((name for test, name in _KINDS_ZH if test(mode)), "非普通文件")


# The OS's words for why a file cannot be read or written, said in Chinese (the English stays the OS's own):
# by the Windows error where there is one (a sharing violation is errno EACCES too), else by errno.
_WINERROR_ZH = {2: "找不到该文件", 3: "找不到该路径", 5: "拒绝访问", 32: "文件正被另一个程序使用"}
_ERRNO_ZH = {errno.ENOENT: "文件不存在", errno.EACCES: "拒绝访问（权限不足）", errno.EPERM: "不允许的操作",
             errno.EISDIR: "它是文件夹", errno.ELOOP: "符号链接层数过多（可能是循环链接）",
             errno.ENAMETOOLONG: "文件名过长", errno.EIO: "输入/输出错误（磁盘或 U 盘可能已损坏）",
             errno.EROFS: "只读文件系统", errno.ENOSPC: "磁盘空间不足"}


def os_reason(exc: BaseException) -> "Text":
    """Why the system refused, in both languages: the OS's own words in English and their meaning
    in Chinese (a NotRegularFile says what the path is in both; an error not known here is shown
    as the system said it)."""
    from readiness.core.i18n import Text

    said = getattr(exc, "reason", None)
    if isinstance(said, Text):
        return said
    raw = getattr(exc, "strerror", None) or str(exc)
    code, number = getattr(exc, "winerror", None), getattr(exc, "errno", None)
    zh = _WINERROR_ZH.get(code) if isinstance(code, int) else _ERRNO_ZH.get(number) if isinstance(number, int) else None
    return Text(raw, zh or raw)


def cannot_read(exc: BaseException, what: "Text | None" = None) -> "Text":
    """What stopped a file being read, in both languages (os_reason). what: the file's role ("the
    profile"), when the sentence should name it."""
    from readiness.core.i18n import Text

    head = Text(f"cannot read {what.en}", f"无法读取{what.zh}") if what is not None else Text("cannot read", "无法读取")
    why = os_reason(exc)
    return Text(f"{head.en}: {why.en}", f"{head.zh}：{why.zh}")


class NotRegularFile(OSError):
    """The path exists but is not a regular file; nothing was read or written. `reason` says so
    in both languages (strerror: English, as an OSError's)."""

    def __init__(self, path: str | os.PathLike[str], mode: int) -> None:
        from readiness.core.i18n import Text

        what = kind_of(mode)
        super().__init__(f"{path} is {what}, not a regular file")
        self.strerror = f"it is {what}, not a regular file"
        self.reason = Text(self.strerror, f"它是{kind_of_zh(mode)}，不是普通文件")
        self.filename = str(path)


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most limit + 1 bytes of a regular file (one more than allowed tells the caller it is too
    large); NotRegularFile for a FIFO, a device or a folder. Opening never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if os.name == "nt":  # no FIFOs to block on; os.open would fail on a folder with a vaguer error
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, st.st_mode)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, st.st_mode)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def require_regular(path: str | os.PathLike[str]) -> None:
    """NotRegularFile unless path (followed through symlinks) is a regular file; never opens it."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(path, st.st_mode)


def write_target(path: Path) -> Path:
    """Where a write to path must go: a symlink's final target (the link stays a link), or path
    itself. NotRegularFile when what is there is not a regular file (a FIFO, a device, a folder)."""
    link = path.is_symlink()
    target = Path(os.path.realpath(path)) if link else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError:
        if link:  # a loop of links: replacing the link would lose it
            raise NotRegularFile(path, 0) from None
        return target  # the write itself will say what is wrong
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(path, st.st_mode)
    return target
