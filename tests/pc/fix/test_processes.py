"""The process scan that guards fix: it never raises, compares names as Windows does, names the blocker."""


import psutil

from readiness.pc.fix.actions import EditFile, ChangeSet, preconditions, process_name, running_processes
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
    return ChangeSet(actions=[EditFile(tmp_path / "user.ini", None, b"[OpenGL]\nLevel=0\n", "opengl-level", Text("x", "x"))])


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
