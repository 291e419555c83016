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
from pathlib import Path
from typing import Iterator

from readiness.core.files import os_reason
from readiness.core.i18n import Text, TextError
from readiness.core.times import now_iso

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
    """
    CREATE TABLE sender_docs (
        sender_id TEXT PRIMARY KEY,
        sent_s REAL NOT NULL,
        seq INTEGER NOT NULL,
        received_s REAL NOT NULL,
        client TEXT NOT NULL,
        summary TEXT NOT NULL,
        body BLOB NOT NULL
    );
    CREATE TABLE exam_ticks (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        client TEXT NOT NULL,
        item TEXT NOT NULL,
        start TEXT NOT NULL,
        done INTEGER NOT NULL
    );
    CREATE TABLE upstream (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        pending BLOB,
        pending_since TEXT,
        delivered_at TEXT,
        last_error TEXT,
        last_error_at TEXT
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(TextError):
    """The database cannot be used (newer than this tool, corrupt, unwritable); the reason in both
    languages, as the server's start and its refusals show it."""


# SQLite's own words (sqlite3_errstr's, stable across versions), said in Chinese; the English stays SQLite's.
_SQLITE_ZH = (("database is locked", "数据库被锁定（另一个程序正在写入）"),
              ("readonly database", "数据库是只读的（文件或其目录不可写）"),
              ("database or disk is full", "数据库或磁盘已满"),
              ("disk I/O error", "磁盘读写错误（磁盘或 U 盘可能有问题）"),
              ("unable to open database file", "无法打开数据库文件（目录不存在或不可写）"),
              ("malformed", "数据库文件已损坏"),
              ("not a database", "不是数据库文件（已损坏或被其他文件覆盖）"))


def store_reason(exc: BaseException) -> Text:
    """Why the database did not take something, in both languages: a StoreError's (any TextError's)
    reason, the system's (os_reason), SQLite's words with their meaning in Chinese, else the words
    as they are."""
    if isinstance(exc, TextError):
        return exc.reason
    if isinstance(exc, OSError):
        return os_reason(exc)
    raw = str(exc)
    return Text(raw, next((zh for en, zh in _SQLITE_ZH if en in raw), raw))


class StoreInUse(StoreError):
    """Another server holds the data folder: two servers on one folder each show only what they
    received, and their rehearsal rounds' numbers collide."""


class StoreDamaged(StoreError):
    """The database file is damaged (a bad sector, a copy cut short): kept as it is for recovery."""


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
            raise StoreInUse(Text(f"{folder}: the data folder is in use by another readiness server "
                                  f"({holder or 'unknown'}); stop that one, or start with another --data folder",
                                  f"{folder}：数据目录正被另一个 readiness 服务器使用（{holder or '未知'}）；"
                                  "请先停止它，或用另一个 --data 目录启动")) from None

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




def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Store:
    """One connection shared by the server's threads behind a lock (writes are serial in SQLite
    anyway); every write is its own committed transaction."""

    def __init__(self, data_dir: Path, exclusive: bool = False) -> None:
        """exclusive: lock the folder for this process (the server); a second one is refused."""
        import os

        self.path = data_dir / DB_NAME
        self._lock = threading.Lock()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self.folder_lock = FolderLock(data_dir) if exclusive else None
        except OSError as exc:  # a read-only medium, a file where the folder should be
            why = os_reason(exc)
            raise StoreError(Text(f"{data_dir}: cannot use the data folder: {why.en}",
                                  f"{data_dir}：无法使用数据目录：{why.zh}")) from None
        try:
            self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 10000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(Text(f"{self.path}: the database cannot use WAL mode (got {mode})",
                                      f"{self.path}：数据库无法使用 WAL 模式（实际为 {mode}）"))
            self._db.execute("PRAGMA synchronous = FULL")
            if exclusive:  # the server: a damaged page anywhere is said at start, not at the first look there
                found = str(self._db.execute("PRAGMA quick_check").fetchone()[0])
                if found != "ok":
                    raise StoreDamaged(Text(f"{self.path}: quick_check: {found[:200]}",
                                            f"{self.path}：完整性检查（quick_check）未通过：{found[:200]}"))
            self._migrate()
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)", (now_iso(),))
        except StoreDamaged:
            self._release()
            raise
        except sqlite3.DatabaseError as exc:  # a read-only file or folder says so now, not at the first report
            self._release()
            why = store_reason(exc)
            kind = StoreDamaged if "malformed" in str(exc) or "not a database" in str(exc) else StoreError
            raise kind(Text(f"{self.path}: {why.en}", f"{self.path}：{why.zh}")) from None
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
            raise StoreGone(Text(f"{self.path} is gone (the data folder was deleted or moved); restart the server",
                                 f"{self.path} 已不存在（数据目录被删除或移动）；请重启服务器")) from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise StoreGone(Text(f"{self.path} was replaced under the running server; restart it",
                                 f"{self.path} 在服务器运行期间被替换；请重启服务器"))

    def check(self) -> None:
        """Raises StoreGone when the data folder was deleted or moved under the server."""
        with self._lock:
            self._still_there()

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._lock:
            current = self.version
            if current > SCHEMA_VERSION:
                raise StoreError(Text(f"{self.path}: written by a newer exam-readiness (schema {current}, this one "
                                      f"knows {SCHEMA_VERSION}); upgrade, or start with another --data folder",
                                      f"{self.path}：由更新版本的 exam-readiness 写入（数据库结构 {current}，本版本只认识 "
                                      f"{SCHEMA_VERSION}）；请升级，或用另一个 --data 目录启动"))
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

    # -- a branch: the latest document of each site (or, at headquarters, of each branch) -----------
    def put_sender_doc(self, sender_id: str, sent_s: float, seq: int, received_s: float, client: str,
                       summary: str, body: bytes) -> None:
        """A sender's latest document (body: zlib-compressed) in place of its previous one. Which
        one is newer is decided before, once (branch.Received.newer_than, under the branch's lock)."""
        with self._lock:
            self._still_there()
            self._db.execute(
                "INSERT INTO sender_docs (sender_id, sent_s, seq, received_s, client, summary, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender_id) DO UPDATE SET sent_s = excluded.sent_s, "
                "seq = excluded.seq, received_s = excluded.received_s, client = excluded.client, "
                "summary = excluded.summary, body = excluded.body",
                (sender_id, sent_s, seq, received_s, client, summary, body))

    def sender_docs(self) -> list[tuple[str, float, str]]:
        """(sender id, received at, summary JSON) of every sender, for the branch's view at start."""
        with self._lock:
            rows = self._db.execute("SELECT sender_id, received_s, summary FROM sender_docs").fetchall()
        return [(str(r[0]), float(r[1]), str(r[2])) for r in rows]

    def sender_doc(self, sender_id: str) -> bytes | None:
        """A sender's latest document (zlib-compressed, as stored)."""
        with self._lock:
            row = self._db.execute("SELECT body FROM sender_docs WHERE sender_id = ?", (sender_id,)).fetchone()
        return bytes(row[0]) if row else None

    # -- the exam timeline: what the manager ticks (invigilators assigned), logged ------------------
    def log_tick(self, item: str, start: str, done: bool, client: str) -> str:
        when = now_iso()
        with self._lock:
            self._still_there()
            self._db.execute("INSERT INTO exam_ticks (at, client, item, start, done) VALUES (?, ?, ?, ?, ?)",
                             (when, client, item, start, int(done)))
        return when

    def ticks(self) -> dict[tuple[str, str], str]:
        """(item, start) -> when it was ticked, for those whose last action ticks it."""
        with self._lock:
            rows = self._db.execute("SELECT at, item, start, done FROM exam_ticks ORDER BY id").fetchall()
        out: dict[tuple[str, str], str] = {}
        for at, item, start, done in rows:
            if done:
                out[(str(item), str(start))] = str(at)
            else:
                out.pop((str(item), str(start)), None)
        return out

    # -- sending up the chain: the outbox of one document, and how the last attempt went -------------
    def upstream_state(self) -> dict[str, object]:
        with self._lock:
            row = self._db.execute("SELECT seq, pending IS NOT NULL, pending_since, delivered_at, last_error, "
                                   "last_error_at FROM upstream WHERE id = 1").fetchone()
        if row is None:
            return {"seq": 0, "pending": False, "pending_since": None, "delivered_at": None, "last_error": None,
                    "last_error_at": None}
        return {"seq": int(row[0]), "pending": bool(row[1]), "pending_since": row[2], "delivered_at": row[3],
                "last_error": row[4], "last_error_at": row[5]}

    def next_upstream_seq(self) -> int:
        with self._lock:
            self._db.execute("INSERT INTO upstream (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = seq + 1")
            return int(self._db.execute("SELECT seq FROM upstream WHERE id = 1").fetchone()[0])

    def keep_pending(self, body: bytes, error: str | None) -> None:
        """The latest document not yet delivered replaces any older one (only the newest matters)."""
        when = now_iso()
        with self._lock:
            self._still_there()
            self._db.execute("INSERT INTO upstream (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
            self._db.execute("UPDATE upstream SET pending = ?, pending_since = coalesce(pending_since, ?), "
                             "last_error = ?, last_error_at = CASE WHEN ? IS NULL THEN last_error_at ELSE ? END "
                             "WHERE id = 1", (body, when, error, error, when))

    def pending_upstream(self) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT pending FROM upstream WHERE id = 1").fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def delivered(self, body: bytes) -> None:
        """Sent and acknowledged: the outbox is empty unless a newer document is already waiting."""
        with self._lock:
            self._still_there()
            self._db.execute("UPDATE upstream SET pending = CASE WHEN pending = ? THEN NULL ELSE pending END, "
                             "pending_since = CASE WHEN pending = ? THEN NULL ELSE pending_since END, "
                             "delivered_at = ?, last_error = NULL WHERE id = 1", (body, body, now_iso()))

    def integrity(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
