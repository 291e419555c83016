"""Collecting the drives: kind, bus and volume per drive; quiet about empty card readers."""

import os
import sys
from collections import namedtuple

import psutil
import pytest

from readiness.pc.collect import collect_disks
from readiness.pc.collect.system import PosixSystem, WindowsSystem
from readiness.pc.collect.winapi import DRIVE_CDROM, DRIVE_FIXED, DRIVE_REMOVABLE
from tests.pc.collect.test_windows import WIN10, FakeRegistry, FakeWin32
from readiness.pc.collect.system import CURRENT_VERSION
from readiness.pc.collect.winapi import HKLM

Part = namedtuple("Part", "device mountpoint fstype opts")
Usage = namedtuple("Usage", "total used free percent")


def not_ready(path):
    # psutil.disk_usage on a card reader without a card: GetDiskFreeSpaceExW fails with
    # ERROR_NOT_READY (21, "The device is not ready")
    raise OSError(22, "The device is not ready")


@pytest.fixture
def windows_drives(monkeypatch):
    parts = [Part("C:\\", "C:\\", "NTFS", "rw,fixed"), Part("D:\\", "D:\\", "NTFS", "rw,fixed"),
             Part("E:\\", "E:\\", "exFAT", "rw,fixed"), Part("F:\\", "F:\\", "", "removable"),
             Part("G:\\", "G:\\", "", "cdrom")]
    sizes = {"C:\\": 150 * 10**9, "D:\\": 150 * 10**9, "E:\\": 2000 * 10**9}
    monkeypatch.setattr(psutil, "disk_partitions", lambda all=False: parts)
    monkeypatch.setattr(psutil, "disk_usage", lambda p: Usage(sizes[p], 0, sizes[p], 0.0) if p in sizes else not_ready(p))
    drives = {"C:\\": (DRIVE_FIXED, 17, "\\\\?\\Volume{c}\\"), "D:\\": (DRIVE_FIXED, 17, "\\\\?\\Volume{c}\\"),
              "E:\\": (DRIVE_FIXED, 7, "\\\\?\\Volume{e}\\"), "F:\\": (DRIVE_REMOVABLE, 7, "\\\\?\\Volume{f}\\"),
              "G:\\": (DRIVE_CDROM, 2, None)}
    return WindowsSystem(FakeRegistry({(HKLM, CURRENT_VERSION, "64"): WIN10}), FakeWin32(drives=drives),
                         {"SYSTEMDRIVE": "C:", "PROCESSOR_ARCHITECTURE": "AMD64"})


def test_usb_disk_reporting_fixed_is_recorded_with_its_bus(windows_drives):
    errors = {}
    disks = {d["mountpoint"]: d for d in collect_disks(windows_drives, errors)}
    assert disks["E:\\"]["kind"] == "fixed" and disks["E:\\"]["bus"] == "usb"
    assert disks["C:\\"]["bus"] == "nvme" and disks["C:\\"]["system"] is True
    assert disks["C:\\"]["volume"] == disks["D:\\"]["volume"]  # one volume, two letters
    assert disks["F:\\"]["total_bytes"] is None and disks["G:\\"]["volume"] is None
    assert errors == {}  # the empty card reader and the empty optical drive are not errors


def test_the_disk_check_counts_the_internal_volume_once(windows_drives, profile, loaded):
    from readiness.core.model import Status
    from tests.checks.judge import judge_one
    from tests.helpers import with_facts

    disks = collect_disks(windows_drives, {})
    result = judge_one(loaded, "disk", with_facts({"disks": disks}), profile)
    # 150 GB counted once (not 300), the 2 TB USB disk not at all
    assert result.status is Status.FAIL and result.observed.en == "150 GB on fixed disks (C:\\ 150 GB)"


def test_a_subst_letter_and_a_volume_without_a_guid_count_once(monkeypatch, profile, loaded):
    """A 128 GB PC with `subst S: C:\\` and a data volume under two letters that has no volume GUID
    name. What Windows answers, by its documentation: GetDriveTypeW says DRIVE_FIXED for the subst
    letter and GetVolumeNameForVolumeMountPointW fails on it (ERROR_INVALID_PARAMETER), while
    QueryDosDeviceW("S:") gives "\\??\\C:\\"; GetVolumeInformationW gives one serial per volume."""
    from readiness.core.model import Status
    from tests.checks.judge import judge_one
    from tests.helpers import with_facts

    parts = [Part(r, r, "NTFS", "rw,fixed") for r in ("C:\\", "S:\\", "D:\\", "E:\\")]
    sizes = {"C:\\": 100 * 10**9, "S:\\": 100 * 10**9, "D:\\": 28 * 10**9, "E:\\": 28 * 10**9}
    monkeypatch.setattr(psutil, "disk_partitions", lambda all=False: parts)
    monkeypatch.setattr(psutil, "disk_usage", lambda p: Usage(sizes[p], 0, sizes[p], 0.0))
    drives = {"C:\\": (DRIVE_FIXED, 11, "\\\\?\\Volume{c}\\"), "S:\\": (DRIVE_FIXED, 11, None),
              "D:\\": (DRIVE_FIXED, 11, None), "E:\\": (DRIVE_FIXED, 11, None)}
    win32 = FakeWin32(drives=drives, dos={"S:": "\\??\\C:\\"},
                      serials={"C:\\": 0x1234ABCD, "S:\\": 0x1234ABCD, "D:\\": 0x0BADF00D, "E:\\": 0x0BADF00D})
    system = WindowsSystem(FakeRegistry({(HKLM, CURRENT_VERSION, "64"): WIN10}), win32, {"SYSTEMDRIVE": "C:"})
    disks = collect_disks(system, {})
    assert [d["mountpoint"] for d in disks] == ["C:\\", "D:\\", "E:\\"]  # S: is C: again
    assert disks[1]["volume"] == disks[2]["volume"] == "serial:0BADF00D"
    result = judge_one(loaded, "disk", with_facts({"disks": disks}), profile)
    assert result.status is Status.FAIL and result.observed.en == "128 GB on fixed disks (C:\\ 100 GB, D:\\ 28 GB)"


def test_a_drive_alias_is_only_a_letter_mapped_to_a_path():
    win32 = FakeWin32(dos={"S:": "\\??\\C:\\exam", "N:": "\\Device\\LanmanRedirector\\;N:0\\srv\\share"})
    system = WindowsSystem(FakeRegistry({}), win32, {})
    assert system.drive_alias("S:\\") == "C:\\exam"
    assert system.drive_alias("C:\\") is None and system.drive_alias("N:\\") is None
    assert system.drive_alias("C:\\mnt\\data\\") is None  # a folder mount point is a volume's own


def test_a_fixed_disk_that_cannot_be_read_is_still_an_error(windows_drives, monkeypatch):
    monkeypatch.setattr(psutil, "disk_usage", not_ready)
    errors = {}
    collect_disks(windows_drives, errors)
    assert set(errors) == {"disks.C:\\", "disks.D:\\", "disks.E:\\"}


def _visible_mounts():
    """(mount point, "major:minor") from /proc/self/mountinfo, the kernel's own list (not os.stat,
    which the collector uses): the last mount on a point is the one seen there."""
    seen = {}
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")  # \040 for a space
            seen[point] = fields[2]
    return seen


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's mount table (/proc/self/mountinfo)")
def test_posix_volume_is_the_same_exactly_for_the_same_device():
    """Mount points of one device (a bind mount, an overmounted folder) share a volume id; two
    devices never do. The kernel's mount table is the judge."""
    s = PosixSystem()
    ids, devices = {}, {}
    for point, device in _visible_mounts().items():
        if not os.path.isdir(point):
            continue
        try:
            ids[point] = s.volume_id(point)
        except OSError:
            continue
        devices[point] = device
    assert len(set(devices.values())) >= 2, "this machine shows fewer than two mounted devices"
    points = sorted(ids)
    for i, a in enumerate(points):
        assert ids[a].startswith("dev:")
        for b in points[i + 1:]:
            assert (ids[a] == ids[b]) == (devices[a] == devices[b]), (a, devices[a], ids[a], b, devices[b], ids[b])


def test_posix_volume_follows_the_device_not_the_path(monkeypatch):
    """Two mount points of one device (a bind mount) and a second device, as os.stat sees them."""
    real_stat = os.stat
    devs = {"/srv/exam": 2049, "/mnt/bound": 2049, "/media/usb": 2065}
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: os.stat_result((0o40755, 1, devs[p], 1, 0, 0, 0, 0, 0, 0))
                        if p in devs else real_stat(p, *a, **k))
    s = PosixSystem()
    assert s.volume_id("/srv/exam") == s.volume_id("/mnt/bound") != s.volume_id("/media/usb")
