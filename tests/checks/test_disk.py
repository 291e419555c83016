import pytest

from readiness.checks.disk import drive_of
from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts

GB = 10**9


def disk(mp, total, free=100 * GB, kind="fixed", system=False, bus=None, volume=None):
    return {"mountpoint": mp, "kind": kind, "total_bytes": total, "free_bytes": free, "system": system,
            "bus": bus, "volume": volume}


CASES = [
    ([disk("C:\\", 256 * GB, system=True)], Status.PASS),
    ([disk("C:\\", 200 * GB, system=True)], Status.PASS),
    ([disk("C:\\", 196 * GB, system=True)], Status.PASS),  # 2% for system partitions
    ([disk("C:\\", 195 * GB, system=True)], Status.FAIL),
    ([disk("C:\\", 128 * GB, system=True)], Status.FAIL),
    ([disk("C:\\", 120 * GB, system=True), disk("D:\\", 100 * GB)], Status.PASS),  # the sum counts
    ([disk("C:\\", 128 * GB, system=True), disk("E:\\", 500 * GB, kind="removable")], Status.FAIL),
    ([disk("C:\\", 128 * GB, system=True), disk("Z:\\", 2000 * GB, kind="network")], Status.FAIL),
    ([disk("C:\\", 256 * GB, free=9 * GB, system=True)], Status.WARN),
    ([disk("C:\\", 256 * GB, free=10 * GB, system=True)], Status.PASS),
    ([disk("E:\\", 64 * GB, kind="removable")], Status.ERROR),
    ([], Status.ERROR),
    ([disk("C:\\", None, system=True)], Status.ERROR),
    ([disk("C:\\", 128 * GB, system=True), disk("D:\\", None)], Status.ERROR),  # unknown could change it
    ([disk("C:\\", 256 * GB, system=True), disk("D:\\", None)], Status.PASS),
    ([{"mountpoint": "C:\\", "kind": "fixed", "total_bytes": "256GB"}], Status.ERROR),
    (["C:\\"], Status.ERROR),
    (None, Status.ERROR),
    # a USB disk reports DRIVE_FIXED (GetDriveTypeW's documentation); its bus tells
    ([disk("C:\\", 128 * GB, system=True, bus="nvme"), disk("E:\\", 1000 * GB, bus="usb")], Status.FAIL),
    ([disk("C:\\", 128 * GB, system=True, bus="sata"), disk("E:\\", 128 * GB, bus="sd")], Status.FAIL),
    ([disk("C:\\", 128 * GB, system=True, bus="sata"), disk("D:\\", 128 * GB, bus="sata")], Status.PASS),
    ([disk("E:\\", 500 * GB, bus="usb")], Status.ERROR),  # no internal disk at all
    # one volume under two letters / a device mounted twice (bind mount) counts once
    ([disk("C:\\", 128 * GB, system=True, volume="V1"), disk("D:\\", 128 * GB, volume="V1")], Status.FAIL),
    ([disk("/", 128 * GB, system=True, volume="dev:2049"), disk("/srv", 128 * GB, volume="dev:2049")], Status.FAIL),
    ([disk("/", 128 * GB, system=True, volume="dev:2049"), disk("/srv", 128 * GB, volume="dev:2065")], Status.PASS),
    ([disk("C:\\", 128 * GB, system=True, bus=7)], Status.ERROR),  # a bus that is not a name
    ([disk("C:\\", -256 * GB, system=True)], Status.ERROR),  # implausible, not small
    ([disk("C:\\", 128 * GB, system=True), disk("D:\\", -100 * GB)], Status.ERROR),
    ([disk("C:\\", 256 * GB, free=-1, system=True)], Status.ERROR),
    ([disk("C:\\", 256 * GB, free=300 * GB, system=True)], Status.ERROR),  # more free than there is
]


@pytest.mark.parametrize("disks,status", CASES)
def test_disk_rule(loaded, profile, disks, status):
    assert judge_one(loaded, "disk", with_facts({"disks": disks}), profile).status is status


def test_free_space_is_judged_on_the_clients_drive(loaded, profile):
    disks = [disk("C:\\", 120 * GB, free=50 * GB, system=True), disk("D:\\", 120 * GB, free=2 * GB)]
    on_c = with_facts({"disks": disks, "client.install_dir": "C:\\Program Files (x86)\\ExamClient"})
    on_d = with_facts({"disks": disks, "client.install_dir": "d:\\ExamClient"})
    assert judge_one(loaded, "disk", on_c, profile).status is Status.PASS
    result = judge_one(loaded, "disk", on_d, profile)
    assert result.status is Status.WARN and "D:\\" in result.message.en


@pytest.mark.parametrize("path,expected", [
    ("C:\\Program Files\\X", "C:\\"), ("c:\\x", "C:\\"), ("D:\\Exam\\Client", "D:\\Exam"),
    ("D:\\Examination", "D:\\"), ("/home/u/client", "/home"), ("/opt/client", "/"), ("F:\\x", None),
])
def test_drive_of(path, expected):
    disks = [{"mountpoint": m} for m in ("C:\\", "D:\\", "D:\\Exam", "/", "/home")]
    found = drive_of(path, [d for d in disks if (":" in d["mountpoint"]) == (":" in path)])
    assert (found["mountpoint"] if found else None) == expected
