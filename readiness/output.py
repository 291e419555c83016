"""Writing report files so that none is lost: atomic, and in a temp folder when the chosen one is
read-only (a write-protected USB stick)."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file beside path, then replace: a crash never leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
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


def save_report(data: bytes, chosen: Path | None, default_name: str) -> tuple[Path, str | None]:
    """(where it was saved, why not where asked) – falls back to the temp folder."""
    target = chosen if chosen is not None else Path.cwd() / default_name
    try:
        atomic_write(target, data)
        return target.resolve(), None
    except OSError as exc:
        problem = f"cannot write {target}: {exc.strerror or exc}"
    fallback = Path(tempfile.gettempdir()) / (target.name if chosen is not None else default_name)
    atomic_write(fallback, data)
    return fallback, problem
