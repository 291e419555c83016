import pytest

from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts

CASES = [
    ({}, Status.PASS, "set as the plan"),
    ({"client.user_ini.opengl_level": " 0 "}, Status.PASS, "set as the plan"),
    ({"client.user_ini.opengl_level": "2"}, Status.WARN, "is 2"),
    ({"client.user_ini.opengl_level": ""}, Status.WARN, "is"),
    ({"client.user_ini.opengl_level": None}, Status.WARN, "no [OpenGL] Level"),
    ({"client.user_ini.found": False, "client.user_ini.opengl_level": None}, Status.WARN, "does not exist"),
    ({"client.user_ini.encoding": "utf-16", "client.user_ini.opengl_level": "0"}, Status.WARN, "UTF-16"),
    ({"client.user_ini.error": "is a folder, not a file", "client.user_ini.opengl_level": None}, Status.ERROR,
     "is a folder"),
    ({"client.user_ini.error": "cannot read: Permission denied"}, Status.ERROR, "Permission denied"),
    ({"client.install_dir": None}, Status.SKIP, "not installed"),
    ({"client.user_ini": None}, Status.ERROR, "client.user_ini"),
    ({"client": None}, Status.ERROR, "client"),
    ({"client.user_ini.opengl_level": 0}, Status.ERROR, "expected a string"),
]


@pytest.mark.parametrize("changes,status,words", CASES)
def test_opengl_rule(loaded, profile, changes, status, words):
    result = judge_one(loaded, "opengl-level", with_facts(changes), profile)
    assert result.status is status, result.message.en
    assert words in result.message.en
    if status is Status.WARN:
        assert "Level=0" in result.remedy.en and "_o__configure_narrow_argv" in result.remedy.en


@pytest.mark.parametrize("present,words", [(True, "D3DCompiler_47.dll is beside"), (False, "no D3DCompiler_47.dll")])
def test_reports_d3dcompiler(loaded, profile, present, words):
    result = judge_one(loaded, "opengl-level", with_facts({"client.d3dcompiler_47": present}), profile)
    assert words in result.observed.en
    assert result.details["d3dcompiler_47"] is present


@pytest.mark.parametrize("store_level,status", [("2", Status.WARN), (None, Status.WARN), ("0", Status.PASS)])
def test_virtual_store_copy_is_the_one_the_client_reads(loaded, profile, store_level, status):
    store = {"path": "C:\\Users\\u\\AppData\\Local\\VirtualStore\\Program Files (x86)\\ExamClient\\user.ini",
             "found": True, "opengl_level": store_level, "encoding": "utf-8", "error": None}
    result = judge_one(loaded, "opengl-level", with_facts({"client.user_ini_virtual_store": store}), profile)
    assert result.status is status
    if status is Status.WARN:
        assert "VirtualStore" in result.message.en and "VirtualStore" in result.remedy.en
