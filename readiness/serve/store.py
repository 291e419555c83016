"""The server's database: one SQLite file in the data folder (stdlib sqlite3, WAL, a busy timeout).

Every report is kept verbatim (its bytes), keyed by its SHA-256, so the same report sent twice is
stored once and any report can be judged again. The schema carries a version (PRAGMA
user_version) and is brought up to date by the migrations below, in order, one transaction each.
Commits are synchronous=FULL: a report acknowledged with 201 survives a killed server and a
power cut.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

DB_NAME = "readiness-server.sqlite3"
LOCK_NAME = "readiness-server.lock"
LOCK_OFFSET = 1 << 20  # the byte locked on Windows, past the owner's line, so that others can read that line

# Each entry brings the schema from version i to i + 1. Append, never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        received_at TEXT NOT NULL,
        client TEXT NOT NULL,
        body BLOB NOT NULL
    );
    CREATE TABLE phones (
        id INTEGER PRIMARY KEY,
        received_at TEXT NOT NULL,
        client TEXT NOT NULL,
        body BLOB NOT NULL
    );
    """,
    """
    CREATE TABLE rehearsals (id INTEGER PRIMARY KEY, updated_at TEXT NOT NULL, body TEXT NOT NULL);
    """,
    """
    CREATE TABLE hidden_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        client TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('hide', 'show')),
        machine_id TEXT NOT NULL,
        hostname TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The database cannot be used (newer than this tool, corrupt, unwritable)."""


class StoreInUse(StoreError):
    """Another server holds the data folder: two servers on one folder each show only what they
    received, and their rehearsal rounds' numbers collide."""


class StoreGone(StoreError):
    """The data folder was deleted or moved under the running server: a report written now would
    be gone at the next start, so it is not acknowledged (503: the PC keeps it in its outbox)."""


class FolderLock:
    """An exclusive lock on the data folder for as long as the server runs, with the holder named
    in the lock file. The operating system drops the lock when the process ends, also after
    kill -9, so a stale file never blocks a start."""

    def __init__(self, folder: Path) -> None:
        import os

        self.path = folder / LOCK_NAME
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # never truncated before it is ours
        try:
            self._lock()
        except OSError:
            holder = self.holder()
            os.close(self._fd)
            raise StoreInUse(f"{folder}: the data folder is in use by another readiness server ({holder or 'unknown'});"
                             " stop that one, or start with another --data folder") from None

    def _lock(self) -> None:
        import os

        if sys.platform == "win32":  # LockFileEx through msvcrt: a byte past the owner's line stays readable
            import msvcrt

            os.lseek(self._fd, LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(self._fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def holder(self) -> str:
        try:
            with open(self.path, "rb") as fh:
                return fh.read(512).split(b"\n")[0].decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def claim(self, who: str) -> None:
        """Write who holds the folder (process, address, since when) for the next one to read."""
        import os

        line = (who.replace("\n", " ") + "\n").encode("utf-8")
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, line)
        if sys.platform != "win32":
            os.ftruncate(self._fd, len(line))

    def release(self) -> None:
        import os

        try:
            os.close(self._fd)  # closing drops the lock
        except OSError:
            pass


@dataclass(frozen=True)
class StoredReport:
    id: int
    received_at: str
    client: str
    body: bytes


@dataclass(frozen=True)
class StoredPhone:
    id: int
    received_at: str
    client: str
    body: bytes


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Store:
    """One connection shared by the server's threads behind a lock (writes are serial in SQLite
    anyway); every write is its own committed transaction."""

    def __init__(self, data_dir: Path, exclusive: bool = False) -> None:
        """exclusive: lock the folder for this process (the server); a second one is refused."""
        import os

        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self._lock = threading.Lock()
        self.folder_lock = FolderLock(data_dir) if exclusive else None
        try:
            self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 10000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path}: the database cannot use WAL mode (got {mode})")
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)", (now_iso(),))
        except sqlite3.DatabaseError as exc:  # a read-only file or folder says so now, not at the first report
            self._release()
            raise StoreError(f"{self.path}: {exc}") from None
        except BaseException:
            self._release()
            raise
        st = os.stat(self.path)
        self._identity = (st.st_dev, st.st_ino)

    def _release(self) -> None:
        if self.folder_lock is not None:
            self.folder_lock.release()

    def _still_there(self) -> None:
        """Before a write: the file this connection writes is still the one at its path."""
        import os

        try:
            st = os.stat(self.path)
        except OSError:
            raise StoreGone(f"{self.path} is gone (the data folder was deleted or moved); restart the server") from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise StoreGone(f"{self.path} was replaced under the running server; restart it")

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._lock:
            current = self.version
            if current > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by a newer exam-readiness (schema {current}, this one knows "
                                 f"{SCHEMA_VERSION}); upgrade, or start with another --data folder")
            for number in range(current, SCHEMA_VERSION):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(MIGRATIONS[number]):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number + 1}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self._release()

    # -- secrets -------------------------------------------------------------------------------
    def secret(self, name: str) -> str:
        """A value generated once and kept (the submit token, the manager's key)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
            if row:
                return str(row[0])
            value = secrets.token_urlsafe(18)
            self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (name, value))
            return value

    # -- reports -------------------------------------------------------------------------------
    def add_report(self, body: bytes, client: str) -> tuple[StoredReport, bool]:
        """(the stored report, True if new); the same bytes twice are stored once."""
        key = digest(body)
        with self._lock:
            row = self._db.execute("SELECT id, received_at, client FROM reports WHERE digest = ?", (key,)).fetchone()
            if row:
                return StoredReport(row[0], row[1], row[2], body), False
            self._still_there()
            when = now_iso()
            cur = self._db.execute("INSERT INTO reports (digest, received_at, client, body) VALUES (?, ?, ?, ?)",
                                   (key, when, client, body))
            return StoredReport(int(cur.lastrowid or 0), when, client, body), True

    def reports(self, after: int = 0) -> Iterator[StoredReport]:
        with self._lock:
            rows = self._db.execute("SELECT id, received_at, client, body FROM reports WHERE id > ? ORDER BY id",
                                    (after,)).fetchall()
        for r in rows:
            yield StoredReport(r[0], r[1], r[2], bytes(r[3]))

    def report(self, report_id: int) -> StoredReport | None:
        if not 0 < report_id < 2**63:  # SQLite's integers: a larger id names no report (and would raise)
            return None
        with self._lock:
            r = self._db.execute("SELECT id, received_at, client, body FROM reports WHERE id = ?",
                                 (report_id,)).fetchone()
        return StoredReport(r[0], r[1], r[2], bytes(r[3])) if r else None

    def count_reports(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM reports").fetchone()[0])

    # -- phones --------------------------------------------------------------------------------
    def add_phone(self, body: bytes, client: str) -> StoredPhone:
        when = now_iso()
        with self._lock:
            self._still_there()
            cur = self._db.execute("INSERT INTO phones (received_at, client, body) VALUES (?, ?, ?)", (when, client, body))
        return StoredPhone(int(cur.lastrowid or 0), when, client, body)

    def phones(self) -> list[StoredPhone]:
        with self._lock:
            rows = self._db.execute("SELECT id, received_at, client, body FROM phones ORDER BY id").fetchall()
        return [StoredPhone(r[0], r[1], r[2], bytes(r[3])) for r in rows]

    # -- machines the manager hid (a PC re-imaged under a new id, a stale entry) --------------------
    def log_hidden(self, action: str, machine_id: str, hostname: str, client: str) -> None:
        """Append one hide or show: the log is the record (who, when), and undoing is a "show"."""
        with self._lock:
            self._still_there()
            self._db.execute("INSERT INTO hidden_log (at, client, action, machine_id, hostname) VALUES (?, ?, ?, ?, ?)",
                             (now_iso(), client, action, machine_id, hostname))

    def hidden(self) -> dict[tuple[str, str], str]:
        """(machine id, host name in lower case) -> when it was hidden, for those whose last action hides."""
        with self._lock:
            rows = self._db.execute("SELECT at, action, machine_id, hostname FROM hidden_log ORDER BY id").fetchall()
        out: dict[tuple[str, str], str] = {}
        for at, action, mid, host in rows:
            key = (str(mid), str(host).lower())
            if action == "hide":
                out[key] = str(at)
            else:
                out.pop(key, None)
        return out

    # -- rehearsal rounds ----------------------------------------------------------------------
    def save_round(self, round_id: int, body: str) -> None:
        with self._lock:
            self._still_there()
            self._db.execute("INSERT OR REPLACE INTO rehearsals (id, updated_at, body) VALUES (?, ?, ?)",
                             (round_id, now_iso(), body))

    def rounds(self) -> list[tuple[int, str]]:
        with self._lock:
            return [(int(r[0]), str(r[1])) for r in self._db.execute("SELECT id, body FROM rehearsals ORDER BY id")]

    def integrity(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
