"""A whole collection on a Windows-like tree (fake registry, real files), judged end to end."""

import json
import os
import shutil

import pytest

from readiness.pc.collect import collect_facts
from readiness.pc.collect.system import CURRENT_VERSION, FONTS_KEY, PosixSystem, WindowsSystem
from readiness.pc.collect.winapi import DRIVE_FIXED, HKLM
from readiness.core.facts import FACTS_SCHEMA
from readiness.core.model import Status
from readiness.core.judging import judge_machine
from tests.pc.collect.test_windows import WIN10, FakeRegistry, FakeWin32
from tests.helpers import PE_FIXTURES, write_ttc


class AllFixed(dict):
    def get(self, key, default=None):
        return DRIVE_FIXED


def windows_tree(tmp_path):
    windir = tmp_path / "Windows"
    (windir / "Fonts").mkdir(parents=True)
    write_ttc(windir / "Fonts" / "msyh.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    client = tmp_path / "PF86" / "ExamClient"
    client.mkdir(parents=True)
    shutil.copy(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
    (client / "user.ini").write_bytes(b"\xef\xbb\xbf[OpenGL]\r\nLevel = 0\r\n")
    env = {"WINDIR": str(windir), "PROGRAMFILES(X86)": str(tmp_path / "PF86"),  # upper-case, as dict(os.environ)
           "LOCALAPPDATA": str(tmp_path / "Local"), "SYSTEMDRIVE": "/"}
    registry = FakeRegistry({(HKLM, CURRENT_VERSION, "64"): WIN10,
                             (HKLM, FONTS_KEY, "64"): {"Microsoft YaHei & Microsoft YaHei UI (TrueType)": "msyh.ttc"}})
    return WindowsSystem(registry, FakeWin32(drives=AllFixed()), env)


def test_collect_then_judge_a_ready_pc(tmp_path, profile, loaded):
    facts = collect_facts(profile.values, system=windows_tree(tmp_path), offline=True, include_cpu=False)
    assert facts["schema"] == FACTS_SCHEMA
    assert facts["client"]["version"] == "1.2.1-0"
    assert facts["client"]["user_ini"]["encoding"] == "utf-8-sig"
    assert facts["fonts"]["msyh"][0]["family"] == "Microsoft YaHei"
    assert facts["not_collected"] == {"network": {"en": "offline (--offline)", "zh": "离线运行（--offline），未采集网络信息"}}
    json.dumps(facts)  # the snapshot is plain JSON
    report = judge_machine(facts, profile, loaded)
    by_id = {r.id: r.status for r in report.results}
    assert by_id["os"] is by_id["memory"] is by_id["client-version"] is by_id["font-msyh"] is Status.PASS
    assert by_id["opengl-level"] is Status.PASS


def test_a_copied_but_unregistered_font_is_a_warning(tmp_path, profile, loaded):
    system = windows_tree(tmp_path)
    del system.reg.keys[(HKLM, FONTS_KEY.lower(), "64")]
    facts = collect_facts(profile.values, system=system, offline=True, include_cpu=False)
    assert facts["fonts"]["msyh"][0]["registered"] is False
    result = next(r for r in judge_machine(facts, profile, loaded).results if r.id == "font-msyh")
    assert result.status is Status.WARN and "registered" in result.message.en


def test_a_broken_collector_leaves_one_null_with_its_reason(tmp_path, profile):
    system = windows_tree(tmp_path)

    def broken():
        raise RuntimeError("registry on fire")

    system.os_info = broken
    facts = collect_facts(profile.values, system=system, offline=True, include_cpu=False)
    assert facts["os"] is None and "registry on fire" in facts["errors"]["os"]["en"] and "registry on fire" in facts["errors"]["os"]["zh"]
    assert facts["client"]["version"] == "1.2.1-0"


@pytest.mark.skipif(os.name == "nt", reason="the POSIX collector on a POSIX machine")
def test_collects_on_this_linux_machine(profile):
    facts = collect_facts(profile.values, system=PosixSystem(), offline=True, include_cpu=True)
    assert facts["os"]["system"] == "Linux"
    assert facts["memory"]["usable_bytes"] > 0 and facts["memory"]["installed_bytes"] is None
    assert "Windows only" in facts["errors"]["memory.installed_bytes"]["en"]
    assert any(d["kind"] == "fixed" for d in facts["disks"])
    assert facts["not_collected"] == {"network": {"en": "offline (--offline)", "zh": "离线运行（--offline），未采集网络信息"}}


def test_the_cpu_model_comes_from_proc_cpuinfo_without_py_cpuinfo(tmp_path):
    from readiness.pc.collect.system import proc_cpuinfo_model

    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 85\n"
                   "model name\t: Intel(R) Core(TM) i5-10400 CPU @ 2.90GHz\n\nprocessor\t: 1\n"
                   "model name\t: Intel(R) Core(TM) i5-10400 CPU @ 2.90GHz\n")
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B\n")
    assert proc_cpuinfo_model(str(x86)) == "Intel(R) Core(TM) i5-10400 CPU @ 2.90GHz"
    assert proc_cpuinfo_model(str(arm)) == "Raspberry Pi 4 Model B"
    assert proc_cpuinfo_model(str(tmp_path / "missing")) is None


def test_py_cpuinfo_is_bounded_by_a_timeout():
    import threading
    import time

    from readiness.pc.collect.system import cpuinfo_brand

    release = threading.Event()

    def slow():
        release.wait(10)
        return {"brand_raw": "too late"}

    t0 = time.monotonic()
    assert cpuinfo_brand(0.2, slow) is None
    assert time.monotonic() - t0 < 2
    release.set()
    assert cpuinfo_brand(5, lambda: {"brand_raw": "Some CPU"}) == "Some CPU"
    assert cpuinfo_brand(5, lambda: 1 / 0) is None


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="Linux's /proc/cpuinfo")
def test_check_offline_on_linux_does_not_start_py_cpuinfo(monkeypatch):
    import sys

    from readiness.pc.collect.system import PosixSystem

    monkeypatch.setitem(sys.modules, "cpuinfo", None)  # importing it would fail
    assert PosixSystem().cpu_model()
