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

from readiness.core.files import kind_of, read_regular, require_regular

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
    path: str
    reason: str  # English: the contract programs read (readiness.site/1's rejected[].reason)
    said: "Text | None" = None  # the same reason in both languages, where it was worded so

    @property
    def text(self) -> "Text":
        from readiness.core.i18n import Text

        return self.said or Text(self.reason, self.reason)


def _unsafe_member(name: str) -> str | None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path inside the archive"
    if ".." in p.parts:
        return "a path that climbs out of the archive (..)"
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
                    yield Rejected(label, "encrypted")
                    continue
                lower = info.filename.lower()
                if lower.endswith(".zip"):
                    yield Rejected(label, "a nested archive: unpack it first")
                    continue
                if not lower.endswith(".json"):
                    continue
                if info.file_size > MAX_REPORT_BYTES:
                    yield Rejected(label, f"larger than {MAX_REPORT_BYTES // 2**20} MiB: not a report")
                    continue
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                    yield Rejected(label, "compressed more than any report could be (a zip bomb?)")
                    continue
                total += info.file_size
                if total > MAX_ARCHIVE_TOTAL:
                    yield Rejected(label, "the archive unpacks to more than 4 GiB: the rest is refused")
                    return
                yield Source(path, info.filename)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        yield Rejected(path, f"not a readable zip archive ({exc})")


def discover(paths: list[str]) -> Iterator[Source | Rejected]:
    """Every candidate report under the given paths, in a stable order."""
    for raw in paths:
        p = Path(raw)
        try:
            st = p.stat()
        except OSError as exc:
            yield Rejected(raw, f"cannot read: {exc.strerror or exc}")
            continue
        if not stat.S_ISDIR(st.st_mode) and not stat.S_ISREG(st.st_mode):
            yield Rejected(raw, f"it is {kind_of(st.st_mode)}, not a report file")
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
