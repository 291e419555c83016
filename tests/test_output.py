import os
import stat

import pytest

from readiness.output import atomic_write, default_report_name, save_report


def test_new_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "r.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644


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
    assert saved.read_bytes() == b"{}" and "cannot write" in problem


def test_reports_do_not_land_in_system32(tmp_path):
    from pathlib import Path

    from readiness.output import default_report_dir

    (tmp_path / "Desktop").mkdir()
    env = {"WINDIR": str(tmp_path / "Windows"), "USERPROFILE": str(tmp_path)}
    assert default_report_dir(tmp_path / "Windows" / "System32", env) == tmp_path / "Desktop"
    assert default_report_dir(tmp_path / "usb", env) == tmp_path / "usb"
    assert default_report_dir(Path("/somewhere"), {}) == Path("/somewhere")
