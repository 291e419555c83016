"""The fix journal: what each run changed, where, and the original bytes, so --undo can restore.

One folder per run under the backup folder; ``journal.json`` is rewritten (atomically) before
and after every change, so even an interrupted run can be undone.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from readiness.core.files import read_regular
from readiness.core.times import now_iso
from readiness.pc.output import atomic_write

JOURNAL_SCHEMA = "readiness.fix-journal/1"
JOURNAL_FILE = "journal.json"
MAX_JOURNAL_BYTES = 4 * 1024 * 1024
# The states of a change that undo restores: a "failed" one may have landed part-way (a font's
# file written, then its registry value refused), so it is undone like the rest.
UNDOABLE = ("applied", "pending", "failed")


def default_backup_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if os.name == "nt":  # pragma: no cover - needs Windows
        return Path(env.get("ProgramData", r"C:\ProgramData")) / "exam-readiness" / "backups"
    state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "exam-readiness" / "backups"


class Journal:
    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data

    @classmethod
    def start(cls, root: Path) -> "Journal":
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        folder = root / stamp
        folder.mkdir(parents=True, exist_ok=False)
        journal = cls(folder, {"schema": JOURNAL_SCHEMA, "started_at": now_iso(), "state": "applying", "changes": []})
        journal.save()
        return journal

    @classmethod
    def load(cls, folder: Path) -> "Journal":
        raw = read_regular(folder / JOURNAL_FILE, MAX_JOURNAL_BYTES)  # never blocks on a FIFO
        if len(raw) > MAX_JOURNAL_BYTES:
            raise ValueError("journal too large")
        return cls(folder, json.loads(raw.decode("utf-8")))

    @classmethod
    def latest(cls, root: Path) -> "Journal | None":
        """The newest run that changed something, or may have (a failed change), and was not
        undone yet."""
        if not root.is_dir():
            return None
        for folder in sorted((p for p in root.iterdir() if (p / JOURNAL_FILE).is_file()), reverse=True):
            try:
                journal = cls.load(folder)
            except (OSError, ValueError):
                continue
            if journal.data.get("state") != "undone" and any(
                    c.get("state") in UNDOABLE for c in journal.data.get("changes", [])):
                return journal
        return None

    def save(self) -> None:
        atomic_write(self.folder / JOURNAL_FILE,
                     json.dumps(self.data, ensure_ascii=False, indent=2).encode("utf-8"))

    def add(self, change: dict[str, Any]) -> dict[str, Any]:
        change.setdefault("state", "pending")
        self.data["changes"].append(change)
        self.save()
        return change

    def backup_path(self, name: str) -> Path:
        return self.folder / f"{len(self.data['changes']) + 1:03d}-{name}"

    def finish(self, state: str) -> None:
        self.data["state"] = state
        self.data["finished_at"] = now_iso()
        self.save()
