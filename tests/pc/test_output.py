import os
import stat
from pathlib import Path

import pytest

from readiness.pc.output import atomic_write, default_report_name, replace_retrying, save_report

POSIX_MODES = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions: Windows has only the read-only attribute")


@POSIX_MODES
def test_new_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "r.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644


@POSIX_MODES
def test_replaced_files_keep_their_permissions(tmp_path):
    path = tmp_path / "user.ini"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new" and stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    path.write_bytes(b"original")

    def boom(src, dst):
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"original" and os.listdir(tmp_path) == ["r.json"]


@pytest.mark.parametrize("host,name", [("LAB3-PC17", "LAB3-PC17"), ("考场/PC 1", "PC_1"), (None, "unknown-host"),
                                       ("..", "unknown-host")])
def test_report_names_are_safe(host, name):
    assert default_report_name(host).startswith(f"readiness-report-{name}-")


def test_save_falls_back_to_temp(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    saved, problem = save_report(b"{}", blocker / "r.json", "r.json")
    assert saved.read_bytes() == b"{}" and "cannot write" in problem.en and "无法写入" in problem.zh


def test_reports_do_not_land_in_system32(tmp_path):
    from readiness.pc.output import default_report_dir

    (tmp_path / "Desktop").mkdir()
    env = {"WINDIR": str(tmp_path / "Windows"), "USERPROFILE": str(tmp_path)}
    no_known_folder = lambda: str(tmp_path / "missing")  # noqa: E731
    assert default_report_dir(tmp_path / "Windows" / "System32", env, no_known_folder) == tmp_path / "Desktop"
    assert default_report_dir(tmp_path / "usb", env) == tmp_path / "usb"
    assert default_report_dir(Path("/somewhere"), {}) == Path("/somewhere")


def test_the_desktop_is_the_known_folder_and_windows_old_is_not_windows(tmp_path):
    """SHGetKnownFolderPath(FOLDERID_Desktop) names a OneDrive or redirected Desktop; a fake of it
    here, the real call in the Windows lane."""
    from readiness.pc.output import default_report_dir

    onedrive = tmp_path / "OneDrive" / "桌面"
    onedrive.mkdir(parents=True)
    (tmp_path / "Desktop").mkdir()
    env = {"SYSTEMROOT": "C:\\Windows", "USERPROFILE": str(tmp_path)}  # upper-case keys, as dict(os.environ) on Windows
    known = lambda: str(onedrive)  # noqa: E731
    assert default_report_dir(Path("C:\\Windows\\System32"), env, known) == onedrive
    assert default_report_dir(Path("c:/windows/syswow64"), env, known) == onedrive
    assert default_report_dir(Path("C:\\Windows.old\\Users"), env, known) == Path("C:\\Windows.old\\Users")

    def unknown():
        raise OSError("SHGetKnownFolderPath failed")

    assert default_report_dir(Path("C:\\Windows\\System32"), env, unknown) == tmp_path / "Desktop"


def _held(winerror):
    exc = PermissionError(13, "The process cannot access the file because it is being used by another process")
    exc.winerror = winerror  # as Windows sets it (only there does OSError take a winerror)
    return exc


def test_replace_retries_while_the_target_is_held(tmp_path, monkeypatch):
    """MoveFileExW fails with ERROR_SHARING_VIOLATION (32) or ERROR_ACCESS_DENIED (5) while another
    program holds the target without FILE_SHARE_DELETE (CreateFileW's documentation); the Windows
    lane holds a real file open."""
    src, dst = tmp_path / "new", tmp_path / "old"
    src.write_bytes(b"new")
    dst.write_bytes(b"old")
    real, failures, slept = os.replace, [_held(32), _held(5)], []

    def replace(a, b):
        if failures:
            raise failures.pop(0)
        real(a, b)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr("time.sleep", slept.append)
    replace_retrying(src, dst)
    assert dst.read_bytes() == b"new" and slept == [0.05, 0.1]


def test_replace_gives_up_and_raises_the_last_error(tmp_path, monkeypatch):
    calls = []

    def replace(a, b):
        calls.append(a)
        raise _held(32)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr("time.sleep", lambda s: None)
    with pytest.raises(PermissionError):
        replace_retrying(tmp_path / "a", tmp_path / "b", backoff=(0.01, 0.02))
    assert len(calls) == 3


def test_replace_does_not_retry_other_errors(tmp_path, monkeypatch):
    calls = []

    def replace(a, b):
        calls.append(a)
        raise PermissionError(13, "Permission denied")  # no winerror: POSIX, or not a sharing problem

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        replace_retrying(tmp_path / "a", tmp_path / "b")
    assert len(calls) == 1


def test_reports_under_the_default_name_never_replace_an_earlier_one(tmp_path, monkeypatch):
    """Two checks in one second (or two cloned PCs with one host name on a shared folder) keep both."""
    monkeypatch.chdir(tmp_path)
    first, _ = save_report(b'{"run": 1}', None, "readiness-report-PC-20261127-080000.json")
    second, _ = save_report(b'{"run": 2}', None, "readiness-report-PC-20261127-080000.json")
    assert first != second and second.name == "readiness-report-PC-20261127-080000-2.json"
    assert first.read_bytes() == b'{"run": 1}' and second.read_bytes() == b'{"run": 2}'
    chosen, _ = save_report(b'{"run": 3}', tmp_path / "mine.json", "ignored.json")
    again, _ = save_report(b'{"run": 4}', tmp_path / "mine.json", "ignored.json")
    assert chosen == again and again.read_bytes() == b'{"run": 4}'  # a file the user named is replaced


def test_user_ini_is_replaced_keeping_its_metadata_on_windows(tmp_path, monkeypatch):
    """ReplaceFileW, not MoveFileExW, when the file exists: Microsoft's documentation says the
    replacement keeps the replaced file's ACL, attributes, alternate streams and creation time (an
    installer's "Users: Modify" grant on user.ini survives the fix). Wine 8's ReplaceFileW does not
    keep them (seen: a hidden attribute is lost), so the call is checked here through a fake that
    follows that documentation; a refusal falls back to os.replace."""
    import sys

    from readiness.pc import output

    from readiness.core import win32

    calls: list[tuple[str, str]] = []

    def replace_file(replaced: str, replacement: str) -> None:
        calls.append((replaced, replacement))
        os.replace(replacement, replaced)  # the fake moves the bytes; the metadata is the OS's part

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(win32, "replace_file", replace_file)
    target = tmp_path / "user.ini"
    target.write_bytes(b"[OpenGL]\nLevel=2\n")
    output.atomic_write(target, b"[OpenGL]\nLevel=0\n", keep_metadata=True)
    assert target.read_bytes() == b"[OpenGL]\nLevel=0\n" and calls and calls[0][0] == str(target)
    output.atomic_write(tmp_path / "new.ini", b"x", keep_metadata=True)  # nothing to keep: a plain replace
    assert len(calls) == 1

    def refused(replaced: str, replacement: str) -> None:
        raise OSError(22, "The request is not supported", replaced, 1176)  # ERROR_UNABLE_TO_MOVE_REPLACEMENT

    monkeypatch.setattr(win32, "replace_file", refused)
    output.atomic_write(target, b"[OpenGL]\nLevel=1\n", keep_metadata=True)
    assert target.read_bytes() == b"[OpenGL]\nLevel=1\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
