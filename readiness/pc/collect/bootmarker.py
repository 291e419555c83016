"""The boot marker: proof that a change survives a restart, whatever undoes it.

Restore cards, cloud classrooms that re-image at each start and products without a documented
state leave no trace in Windows. What they cannot hide is that a file written in one boot is gone
in the next. So each `readiness check` (and `fix`, which collects the same facts) adds a stamp to
``%ProgramData%\\exam-readiness\\boot-marker.json`` (the folder `fix` keeps its backups in): an id,
when it was written and how long Windows had been up. The stamps found there are facts; the next
check after a restart judges them (readiness.core.rules.survived_restart), and the site compares
the id an earlier report wrote with the ids a later one read (rules.marker_lost). `fix --undo`
does not need the file; deleting it only forgets the evidence.
"""

from __future__ import annotations

import json
import math
import ntpath
import time
import uuid
from pathlib import Path
from typing import Any, Mapping

from readiness.pc.collect.system import native_path

MARKER_FILE = "boot-marker.json"
MARKER_SCHEMA = "readiness.boot-marker/1"
MAX_STAMPS = 32  # the runs remembered: enough for a week of checks between two reports the site sees
MAX_MARKER_BYTES = 64 * 1024


def marker_path(env: Mapping[str, str]) -> str | None:
    """Where the marker lives, as Windows names it; None without %ProgramData%."""
    root = env.get("ProgramData")
    return ntpath.join(root, "exam-readiness", MARKER_FILE) if root else None


def this_boot() -> dict[str, Any]:
    """A new stamp for this run: its id, the time now and Windows' uptime (GetTickCount64, which
    only a restart sets back; under Wine it is the host's uptime)."""
    from readiness.core.win32 import tick_count_s

    return {"id": uuid.uuid4().hex[:16], "written_at": round(time.time(), 3), "uptime_s": round(tick_count_s(), 3)}


def _stamp(item: Any) -> dict[str, Any] | None:
    """A stamp as read, or None for anything else (a file edited by hand, a newer layout)."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not 0 < len(item["id"]) <= 64:
        return None
    out: dict[str, Any] = {"id": item["id"]}
    for key in ("written_at", "uptime_s"):
        v = item.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            return None
        out[key] = float(v)
    return out


def read_stamps(path: Path) -> tuple[list[dict[str, Any]] | None, str | None]:
    """(the stamps in the marker, oldest first, or None when it could not be read; why not). No
    file is no stamps and no error: the first run, or a PC that lost the file."""
    from readiness.core.files import read_regular

    try:
        raw = read_regular(path, MAX_MARKER_BYTES)
    except FileNotFoundError:
        return [], None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    if len(raw) > MAX_MARKER_BYTES:
        return None, f"{path} is larger than {MAX_MARKER_BYTES // 1024} KiB: not a marker"
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, f"{path} is not a marker (no JSON)"
    stamps = doc.get("stamps") if isinstance(doc, dict) else None
    if not isinstance(stamps, list):
        return None, f"{path} is not a marker (no stamps)"
    return [s for s in map(_stamp, stamps[-MAX_STAMPS:]) if s is not None], None


def boot_marker(env: Mapping[str, str], now: dict[str, Any] | None = None) -> dict[str, Any]:
    """{path, stamps (as read, before this run's; null when unreadable), now (this run's stamp),
    written, error}: reads the marker, then adds this run's stamp. `now` is given by the tests (a restart cannot be made
    under Wine); None reads this boot from Windows."""
    where = marker_path(env)
    out: dict[str, Any] = {"path": where, "stamps": [], "now": None, "written": False, "error": None}
    if where is None:
        out["error"] = "no %ProgramData% folder to keep the marker in"
        return out
    path = Path(native_path(where))
    out["stamps"], out["error"] = read_stamps(path)
    try:
        out["now"] = now if now is not None else this_boot()
    except (OSError, AttributeError) as exc:
        out["error"] = f"cannot read this boot's uptime: {exc}"
        return out
    try:  # an unreadable marker is ours to replace; a folder or a FIFO in its place is refused
        from readiness.pc.output import atomic_write

        doc = {"schema": MARKER_SCHEMA, "about": "exam-readiness: proof that changes survive a restart (README, "
               "Frozen PCs); safe to delete", "stamps": ((out["stamps"] or []) + [out["now"]])[-MAX_STAMPS:]}
        atomic_write(path, json.dumps(doc, indent=1).encode("utf-8"))
        out["written"] = True
    except (OSError, ValueError) as exc:
        why = f"cannot write {where}: {getattr(exc, 'strerror', None) or exc}"
        out["error"] = f"{out['error']}; {why}" if out["error"] else why
    return out
