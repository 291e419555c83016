"""Finding report files in paths, folders (recursively) and .zip archives, without trusting them.

Nothing is modified or deleted. Archives are read entry by entry with every size checked while
reading (a zip's own size fields can lie): zip bombs, encrypted entries, nested archives and
path tricks are refused and listed, never extracted.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator

from readiness.core.files import cannot_read, kind_of, kind_of_zh, read_regular, require_regular
from readiness.core.i18n import Text

if TYPE_CHECKING:
    from readiness.core.i18n import Text

MAX_REPORT_BYTES = 8 * 1024 * 1024
MAX_ARCHIVE_TOTAL = 4 * 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed/compressed beyond this is a bomb, not a report


@dataclass(frozen=True)
class Source:
    """Where one candidate report lives: a file, or a member of a zip."""

    path: str
    member: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else self.path


@dataclass(frozen=True)
class Rejected:
    """An input that is not a usable report, and why, in both languages (worded where it is refused)."""

    path: str
    reason: Text


def unusable(exc: BaseException) -> Text:
    """An input that broke in a way nothing foresaw: the error's own words, framed in both languages."""
    raw = f"{type(exc).__name__}: {exc}"
    return Text(f"unusable: {raw}", f"无法使用：{raw}")


ABSOLUTE = Text("an absolute path inside the archive", "压缩包内的绝对路径")
CLIMBS = Text("a path that climbs out of the archive (..)", "跳出压缩包的路径（..）")
ENCRYPTED = Text("encrypted", "已加密")
NESTED = Text("a nested archive: unpack it first", "压缩包中的压缩包：请先解压")
TOO_LARGE = Text(f"larger than {MAX_REPORT_BYTES // 2**20} MiB: not a report",
                 f"大于 {MAX_REPORT_BYTES // 2**20} MiB：不是报告文件")
BOMB = Text("compressed more than any report could be (a zip bomb?)", "压缩比远超任何报告（压缩炸弹？）")
TOO_MUCH = Text("the archive unpacks to more than 4 GiB: the rest is refused", "压缩包解压后超过 4 GiB：其余内容不予读取")


def _unsafe_member(name: str) -> Text | None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return ABSOLUTE
    if ".." in p.parts:
        return CLIMBS
    return None


def scan_zip(path: str) -> Iterator[Source | Rejected]:
    try:
        require_regular(path)  # a FIFO named *.zip would block the open below
        with zipfile.ZipFile(path) as zf:
            total = 0
            for info in zf.infolist():
                if info.is_dir():
                    continue
                label = f"{path}!{info.filename}"
                why = _unsafe_member(info.filename)
                if why:
                    yield Rejected(label, why)
                    continue
                if info.flag_bits & 0x1:
                    yield Rejected(label, ENCRYPTED)
                    continue
                lower = info.filename.lower()
                if lower.endswith(".zip"):
                    yield Rejected(label, NESTED)
                    continue
                if not lower.endswith(".json"):
                    continue
                if info.file_size > MAX_REPORT_BYTES:
                    yield Rejected(label, TOO_LARGE)
                    continue
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                    yield Rejected(label, BOMB)
                    continue
                total += info.file_size
                if total > MAX_ARCHIVE_TOTAL:
                    yield Rejected(label, TOO_MUCH)
                    return
                yield Source(path, info.filename)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        yield Rejected(path, Text(f"not a readable zip archive ({exc})", "不是可读取的 zip 压缩包（已损坏或不完整）"))


def discover(paths: list[str]) -> Iterator[Source | Rejected]:
    """Every candidate report under the given paths, in a stable order."""
    for raw in paths:
        p = Path(raw)
        try:
            st = p.stat()
        except OSError as exc:
            yield Rejected(raw, cannot_read(exc))
            continue
        if not stat.S_ISDIR(st.st_mode) and not stat.S_ISREG(st.st_mode):
            yield Rejected(raw, Text(f"it is {kind_of(st.st_mode)}, not a report file",
                                     f"它是{kind_of_zh(st.st_mode)}，不是报告文件"))
            continue
        if stat.S_ISDIR(st.st_mode):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(root, name)
                    lower = name.lower()
                    if lower.endswith(".json"):
                        yield Source(full)
                    elif lower.endswith(".zip"):
                        yield from scan_zip(full)
        elif raw.lower().endswith(".zip") or zipfile.is_zipfile(p):
            yield from scan_zip(raw)
        else:
            yield Source(raw)


def read_source(src: Source, zips: dict[str, zipfile.ZipFile] | None = None) -> bytes:
    """The bytes of one candidate, never more than the limit (+1 to tell that it was exceeded)."""
    if src.member is None:
        return read_regular(src.path, MAX_REPORT_BYTES)  # a FIFO or a device is refused, never read
    cache = zips if zips is not None else {}
    zf = cache.get(src.path)
    if zf is None:
        zf = cache[src.path] = zipfile.ZipFile(src.path)
    with zf.open(src.member) as fh:
        return fh.read(MAX_REPORT_BYTES + 1)
