"""The server's SQLite store: schema versions, migrations, idempotency, kept secrets."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from readiness.site.store import DB_NAME, SCHEMA_VERSION, Store, StoreError


def test_a_new_store_is_at_the_current_schema_in_wal_mode(tmp_path):
    store = Store(tmp_path)
    try:
        assert store.version == SCHEMA_VERSION
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert store.integrity() == "ok"
    finally:
        store.close()


def test_the_same_report_is_stored_once(tmp_path):
    store = Store(tmp_path)
    try:
        a, new_a = store.add_report(b'{"x": 1}', "10.0.0.5")
        b, new_b = store.add_report(b'{"x": 1}', "10.0.0.6")
        c, new_c = store.add_report(b'{"x": 2}', "10.0.0.6")
        assert (new_a, new_b, new_c) == (True, False, True)
        assert a.id == b.id != c.id and b.client == "10.0.0.5"
        assert [r.body for r in store.reports()] == [b'{"x": 1}', b'{"x": 2}']
        assert [r.id for r in store.reports(after=a.id)] == [c.id]
    finally:
        store.close()


def test_secrets_are_generated_once_and_kept(tmp_path):
    store = Store(tmp_path)
    token, key = store.secret("submit_token"), store.secret("admin_key")
    store.close()
    again = Store(tmp_path)
    try:
        assert (again.secret("submit_token"), again.secret("admin_key")) == (token, key)
        assert token != key and len(token) >= 20
    finally:
        again.close()


def test_a_store_from_a_newer_tool_is_refused(tmp_path):
    Store(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer exam-readiness"):
        Store(tmp_path)


def test_not_a_database_is_a_clear_error(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=DB_NAME):
        Store(tmp_path)


def test_migrations_run_in_order_from_an_empty_file(tmp_path, monkeypatch):
    import readiness.site.store as store_mod

    first = store_mod.MIGRATIONS[:1]
    monkeypatch.setattr(store_mod, "MIGRATIONS", first)  # a database of the first release
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 1)
    old = store_mod.Store(tmp_path)
    old.add_report(b'{"kept": true}', "10.0.0.1")
    old.close()
    monkeypatch.undo()
    extra = store_mod.MIGRATIONS + ("ALTER TABLE reports ADD COLUMN note TEXT",)
    monkeypatch.setattr(store_mod, "MIGRATIONS", extra)
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", len(extra))
    store = store_mod.Store(tmp_path)
    try:
        assert store.version == len(extra)
        assert [r.body for r in store.reports()] == [b'{"kept": true}']
        store.save_round(1, "{}")  # the rehearsal table came with migration 2
        cols = [r[1] for r in store._db.execute("PRAGMA table_info(reports)")]
        assert "note" in cols
    finally:
        store.close()


def test_a_failed_migration_leaves_the_old_version(tmp_path, monkeypatch):
    import readiness.site.store as store_mod

    Store(tmp_path).close()
    bad = store_mod.MIGRATIONS + ("CREATE TABLE t (a INT); ALTER TABLE nowhere ADD COLUMN b INT",)
    monkeypatch.setattr(store_mod, "MIGRATIONS", bad)
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", len(bad))
    with pytest.raises(StoreError):
        store_mod.Store(tmp_path)
    monkeypatch.undo()
    store = Store(tmp_path)
    try:
        assert store.version == SCHEMA_VERSION
        assert store._db.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone() is None
    finally:
        store.close()


# -- one server per data folder; a folder that goes away; a database that cannot be written ----

def test_a_second_server_on_one_folder_is_refused_naming_the_first(tmp_path):
    from readiness.site.store import StoreInUse

    first = Store(tmp_path, exclusive=True)
    first.folder_lock.claim("process 4242 on LAPTOP, port 8765, since 2026-12-05T07:00:00+08:00")
    try:
        with pytest.raises(StoreInUse, match="in use by another readiness server .process 4242 on LAPTOP, port 8765"):
            Store(tmp_path, exclusive=True)
    finally:
        first.close()
    again = Store(tmp_path, exclusive=True)  # the first stopped: its lock went with it
    again.close()


def test_a_lock_left_by_a_killed_server_does_not_block_the_next(tmp_path):
    import subprocess
    import sys

    code = ("import sys, time; from pathlib import Path; from readiness.site.store import Store; "
            "s = Store(Path(sys.argv[1]), exclusive=True); s.folder_lock.claim('the killed one'); "
            "print('ready', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        from readiness.site.store import StoreInUse

        with pytest.raises(StoreInUse, match="the killed one"):
            Store(tmp_path, exclusive=True)
    finally:
        proc.kill()
        proc.wait(10)
    Store(tmp_path, exclusive=True).close()


@pytest.mark.skipif(os.name == "nt", reason="Windows refuses to delete or move a folder whose file is open")
def test_a_data_folder_moved_under_the_server_is_said_not_acknowledged(tmp_path):
    from readiness.site.store import StoreGone

    data = tmp_path / "data"
    store = Store(data)
    try:
        store.add_report(b'{"x": 1}', "10.0.0.5")
        data.rename(tmp_path / "moved")
        with pytest.raises(StoreGone, match="is gone"):
            store.add_report(b'{"x": 2}', "10.0.0.5")
        with pytest.raises(StoreGone):
            store.add_phone(b"{}", "10.0.0.5")
        assert store.add_report(b'{"x": 1}', "10.0.0.5")[1] is False  # already stored: nothing to write
    finally:
        store.close()


def _as_nobody(code: str, folder) -> "subprocess.CompletedProcess[str]":
    """Run code as an unprivileged user (root ignores file modes): setpriv, as util-linux has it."""
    import shutil
    import subprocess
    import sys

    prefix = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("as root without setpriv, a read-only file cannot be shown")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(prefix + [sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                          env=env, timeout=60)


@contextmanager
def _read_only_data(folder_mode: int = 0o555) -> Iterator[Path]:
    """A data folder with a database, its files read-only and the folder itself folder_mode, in a
    folder of its own (pytest's own folders are root's alone); put back and removed afterwards."""
    import shutil
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="readiness-ro-"))
    data = tmp_path / "data"
    Store(data).close()
    for p in [data, *data.iterdir()]:
        p.chmod(folder_mode if p.is_dir() else 0o444)
    tmp_path.chmod(0o755)
    try:
        yield data
    finally:
        for p in [data, *data.iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_a_read_only_database_is_said_at_start():
    with _read_only_data() as data:
        done = _as_nobody("import sys; from pathlib import Path; from readiness.site.store import Store, StoreError\n"
                          "try:\n    Store(Path(sys.argv[1]))\nexcept StoreError as e:\n    print('refused:', e)\n",
                          data)
    assert "refused:" in done.stdout and "readonly" in done.stdout.replace("read-only", "readonly"), done


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
@pytest.mark.parametrize("kind, lang, said", [
    ("file", "en", "error: {db}: attempt to write a readonly database"),
    ("file", "zh", "错误：{db}：数据库是只读的（文件或其目录不可写）"),
    ("folder", "en", "error: {data}: cannot use the data folder: Permission denied"),
    ("folder", "zh", "错误：{data}：无法使用数据目录：拒绝访问（权限不足）"),
])
def test_serve_on_a_read_only_database_says_so_in_the_language_asked(kind, lang, said):
    """A read-only database file (its folder writable) and a read-only folder (a write-protected
    stick): the start stops (exit 2) with the reason in the language asked, no data changed."""
    with _read_only_data(0o555 if kind == "folder" else 0o777) as data:
        before = (data / DB_NAME).read_bytes()
        done = _as_nobody("import sys; from readiness.cli import main\n"
                          "main(['serve', '--data', sys.argv[1], '--port', '0', '--host', '127.0.0.1', '--lang', "
                          f"'{lang}'])\n", data)
        assert (data / DB_NAME).read_bytes() == before
    assert done.returncode == 2, done
    assert done.stdout.strip() == said.format(db=data / DB_NAME, data=data), done
