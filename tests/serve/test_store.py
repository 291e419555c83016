"""The server's SQLite store: schema versions, migrations, idempotency, kept secrets."""

from __future__ import annotations

import sqlite3

import pytest

from readiness.serve.store import DB_NAME, SCHEMA_VERSION, Store, StoreError


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
    import readiness.serve.store as store_mod

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
    import readiness.serve.store as store_mod

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
