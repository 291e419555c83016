"""Only regular files are read or replaced: FIFOs, devices and folders are refused without
hanging, and a symlink is written through to its target."""

import os
import stat
import threading

import pytest

from readiness.core.files import NotRegularFile, cannot_read, read_regular, write_target
from readiness.core.i18n import Text
from readiness.pc.output import atomic_write

posix_only = pytest.mark.skipif(os.name == "nt", reason="FIFOs and /dev nodes are POSIX")


@pytest.fixture
def device(tmp_path):
    """A private character device (a copy of /dev/null's numbers): a test that wrongly replaced it
    must never take the machine's own /dev/null or /dev/full with it."""
    if not hasattr(os, "mknod"):
        pytest.skip("POSIX device nodes")
    path = tmp_path / "null-device"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


@posix_only
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    done = []
    worker = threading.Thread(target=lambda: done.append(pytest.raises(NotRegularFile, read_regular, fifo, 100)),
                              daemon=True)
    worker.start()
    worker.join(5)
    assert done, "reading a FIFO blocked"


@posix_only
def test_a_device_is_refused(device):
    for path in ("/dev/zero", device):  # reading /dev/zero is harmless; writes go to the private node only
        with pytest.raises(NotRegularFile) as info:
            read_regular(path, 100)
        assert "character device" in info.value.strerror


def test_a_regular_file_is_read_up_to_one_byte_past_the_limit(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 1000)
    assert len(read_regular(path, 10)) == 11 and read_regular(path, 5000) == b"x" * 1000


@posix_only
@pytest.mark.parametrize("make", ["fifo", "dir"])
def test_atomic_write_refuses_what_is_not_a_regular_file(tmp_path, make):
    target = tmp_path / "out.json"
    os.mkfifo(target) if make == "fifo" else target.mkdir()
    with pytest.raises(NotRegularFile):
        atomic_write(target, b"{}")
    mode = target.lstat().st_mode
    assert stat.S_ISFIFO(mode) if make == "fifo" else stat.S_ISDIR(mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


@posix_only
def test_a_device_node_is_never_replaced(device):
    with pytest.raises(NotRegularFile):
        atomic_write(device, b"{}")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@posix_only
def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "data" / "real.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert write_target(link) == real


@posix_only
def test_a_chain_of_symlinks_reaches_the_final_target(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    (tmp_path / "a").symlink_to(real)
    (tmp_path / "b").symlink_to(tmp_path / "a")
    atomic_write(tmp_path / "b", b"new")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink() and real.read_bytes() == b"new"


@posix_only
def test_a_loop_of_symlinks_is_refused_and_kept(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(NotRegularFile):
        atomic_write(tmp_path / "a", b"{}")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


@posix_only
def test_a_symlink_to_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "out.json").symlink_to(fifo)
    with pytest.raises(NotRegularFile):
        atomic_write(tmp_path / "out.json", b"{}")


def _windows_error(winerror: int, errno_: int, words: str) -> OSError:
    exc = OSError(errno_, words)
    exc.winerror = winerror  # what Windows' CPython sets beside errno (a sharing violation is EACCES too)
    return exc


@pytest.mark.parametrize("exc,en,zh", [
    (FileNotFoundError(2, "No such file or directory"), "cannot read: No such file or directory", "无法读取：文件不存在"),
    (PermissionError(13, "Permission denied"), "cannot read: Permission denied", "无法读取：拒绝访问（权限不足）"),
    (_windows_error(32, 13, "The process cannot access the file because it is being used by another process"),
     "cannot read: The process cannot access the file because it is being used by another process",
     "无法读取：文件正被另一个程序使用"),
    (_windows_error(5, 13, "Access is denied"), "cannot read: Access is denied", "无法读取：拒绝访问"),
    (OSError(5, "Input/output error"), "cannot read: Input/output error", "无法读取：输入/输出错误（磁盘或 U 盘可能已损坏）"),
    (OSError(9999, "Something new"), "cannot read: Something new", "无法读取：Something new"),  # unknown: as said
    ("[Errno 13] Permission denied", "cannot read: [Errno 13] Permission denied",  # a bare text (old snapshots)
     "无法读取：[Errno 13] Permission denied"),
])
def test_cannot_read_says_the_os_words_and_their_meaning_in_chinese(exc, en, zh):
    assert cannot_read(exc) == Text(en, zh)


def test_cannot_read_names_the_files_role_when_asked(tmp_path):
    said = cannot_read(NotRegularFile(tmp_path, os.stat(tmp_path).st_mode), Text("the profile", "配置文件"))
    assert said == Text("cannot read the profile: it is a folder, not a regular file", "无法读取配置文件：它是文件夹，不是普通文件")
