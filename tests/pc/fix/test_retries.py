"""fix and undo wait briefly for a file that antivirus or the indexer holds, as the report's replace
does (output.retry_while_held).

The fake follows Windows: a file another process holds open without FILE_SHARE_DELETE cannot be
deleted or moved while it is open; DeleteFileW and MoveFileExW then fail with
ERROR_SHARING_VIOLATION (32), which Python raises as PermissionError with winerror 32.
"""

import os
import shutil
from pathlib import Path

import pytest

from readiness.pc import output
from readiness.pc.fix import actions
from readiness.pc.fix.actions import apply, preconditions, propose_changes, undo
from readiness.pc.fix.journal import Journal

SETTINGS = {"client.opengl_level": "0", "fonts.families": ["Microsoft YaHei"]}


def held(times, real):
    """real, failing the first `times` calls as a file held open does on Windows."""
    calls = []

    def op(*args, **kwargs):
        calls.append(args)
        if len(calls) <= times:
            exc = PermissionError(13, "The process cannot access the file because it is being used by another process")
            exc.winerror = 32
            raise exc
        return real(*args, **kwargs)

    op.calls = calls
    return op


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(output, "REPLACE_BACKOFF_S", (0.0, 0.0, 0.0))


def client(tmp_path):
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "user.ini").write_bytes(b"[OpenGL]\r\nLevel=2\r\n")
    (folder / "D3DCompiler_47.dll").write_bytes(b"MZ")
    return folder, {"client": {"install_dir": str(folder), "user_ini": {"path": str(folder / "user.ini")}}}


def test_the_write_probe_waits_for_its_file_and_leaves_none(tmp_path, monkeypatch):
    folder, facts = client(tmp_path)
    monkeypatch.setattr(os, "unlink", held(2, os.unlink))
    changes = propose_changes(facts, SETTINGS)
    assert preconditions(changes, lambda: [], "ExamClient.exe") == []
    assert not [p for p in os.listdir(folder) if p.startswith(".readiness-probe-")]
    assert len(os.unlink.calls) == 3


def test_a_probe_held_throughout_still_means_writable(tmp_path, monkeypatch):
    folder, facts = client(tmp_path)
    monkeypatch.setattr(os, "unlink", held(99, os.unlink))
    assert actions._writable_folder(folder) is None  # the probe was written: the folder is writable


def test_moving_aside_and_back_wait_for_the_dll(tmp_path, monkeypatch):
    folder, facts = client(tmp_path)
    dll = folder / "D3DCompiler_47.dll"
    changes = propose_changes(facts, SETTINGS, white_screen=True)
    journal = Journal.start(tmp_path / "b")
    monkeypatch.setattr(shutil, "move", held(1, shutil.move))
    apply(changes, journal)
    assert not dll.exists()
    monkeypatch.setattr(shutil, "move", held(2, shutil.move))
    assert undo(journal) == []
    assert dll.read_bytes() == b"MZ"


def test_undo_of_a_created_file_waits_for_it(tmp_path, monkeypatch):
    folder = tmp_path / "client"
    folder.mkdir()
    facts = {"client": {"install_dir": str(folder), "user_ini": {"path": str(folder / "user.ini")}}}
    journal = Journal.start(tmp_path / "b")
    apply(propose_changes(facts, SETTINGS), journal)
    assert (folder / "user.ini").exists()
    monkeypatch.setattr(Path, "unlink", held(2, Path.unlink))
    assert undo(journal) == []
    assert not (folder / "user.ini").exists()
