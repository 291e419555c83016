"""The process scan that guards fix: it never raises, compares names as Windows does, names the blocker."""

import os

import psutil
import pytest

from readiness.pc.fix.actions import ChangeSet, EditFile, MoveAside, preconditions, process_name, running_processes
from readiness.core.i18n import Text


class FakeProc:
    def __init__(self, pid, name):
        self.pid, self._name = pid, name

    def name(self):
        if isinstance(self._name, BaseException):
            raise self._name
        return self._name


def test_one_unreadable_process_is_skipped(monkeypatch):
    """psutil on Windows raises a bare OSError when NtQuerySystemInformation refuses (seen under
    Wine: WinError 87), besides its own AccessDenied and NoSuchProcess."""
    procs = [FakeProc(4, OSError(22, "[WinError 87] The parameter is incorrect")),
             FakeProc(8, psutil.AccessDenied(8)), FakeProc(12, psutil.NoSuchProcess(12)),
             FakeProc(16, "ExamClient.exe"), FakeProc(20, "")]
    monkeypatch.setattr("os.name", "posix")  # the psutil path (Windows asks a Toolhelp snapshot first)
    monkeypatch.setattr(psutil, "process_iter", lambda *a, **k: iter(procs))
    assert running_processes() == ["ExamClient.exe (PID 16)"]


def test_no_process_list_at_all_is_not_an_error(monkeypatch):
    def broken(*a, **k):
        raise OSError("no process list")

    monkeypatch.setattr("os.name", "posix")
    monkeypatch.setattr(psutil, "process_iter", broken)
    assert running_processes() == []


def _plan(tmp_path):
    return ChangeSet(actions=[EditFile(tmp_path / "user.ini", "opengl-level", Text("x", "x"), before=None,
                                          after=b"[OpenGL]\nLevel=0\n")])


def test_the_blocker_is_named_and_matched_without_case(tmp_path):
    problems = preconditions(_plan(tmp_path), lambda: ["explorer.exe (PID 1)", "EXAMCLIENT.EXE (PID 4242)"],
                             "ExamClient.exe")
    assert len(problems) == 1 and "EXAMCLIENT.EXE (PID 4242)" in problems[0].en


def test_a_failing_scan_does_not_stop_fix(tmp_path):
    def scan():
        raise RuntimeError("psutil broke")

    assert preconditions(_plan(tmp_path), scan, "ExamClient.exe") == []


def test_process_name():
    assert process_name("a b.exe (PID 3)") == "a b.exe" and process_name("plain.exe") == "plain.exe"


# Both file changes (an edit, a move aside) are one kind of change: the same preconditions, the same words.

def _changes(path):
    what = Text("change it", "修改它")
    return [EditFile(path, "opengl-level", what, before=None, after=b"[OpenGL]\nLevel=0\n"),
            MoveAside(path, "opengl-level", what)]


@pytest.mark.parametrize("index", [0, 1], ids=["edit", "move"])
def test_each_file_change_waits_for_the_client_to_close(tmp_path, index):
    path = tmp_path / "D3DCompiler_47.dll"
    path.write_bytes(b"MZ")
    change = _changes(path)[index]
    assert change.describe() == Text("change it", "修改它")
    problems = preconditions(ChangeSet(actions=[change]), lambda: ["ExamClient.exe (PID 7)"], "ExamClient.exe")
    assert [p.en for p in problems] == ["The exam client is running (ExamClient.exe (PID 7)): close it, then run fix again."]


@pytest.mark.parametrize("index", [0, 1], ids=["edit", "move"])
@pytest.mark.parametrize("kind", ["read-only", "locked"])
def test_each_file_change_is_refused_on_a_file_it_cannot_replace(tmp_path, monkeypatch, index, kind):
    path = tmp_path / "user.ini"
    path.write_bytes(b"[OpenGL]\nLevel=2\n")
    if kind == "read-only":
        path.chmod(0o444)  # the mode is read, not tried: root is refused too
        en, zh = f"{path} is read-only", f"{path} 是只读文件"
    elif os.name == "nt":
        pytest.skip("on Windows the lock is asked of the system (tests/windows/test_win32_real.py)")
    else:  # another program holds it (a lock POSIX cannot make for root): the open is refused as it would be
        real_open = open

        def refusing(name, mode="r", *args, **kwargs):
            if os.fspath(name) == str(path) and "+" in mode:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(name, mode, *args, **kwargs)

        monkeypatch.setattr("builtins.open", refusing)
        en, zh = f"{path} is locked or not writable (Permission denied)", f"{path} 被占用或无法写入（Permission denied）"
    problems = preconditions(ChangeSet(actions=[_changes(path)[index]]), lambda: [], "ExamClient.exe")
    assert problems == [Text(f"Cannot change {path}: {en}.", f"无法修改 {path}：{zh}。")]
