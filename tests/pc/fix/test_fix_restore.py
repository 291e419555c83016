"""`readiness fix` on a protected PC says so before it applies anything."""

import json
import shutil

import pytest
from click.testing import CliRunner

from readiness.cli import main
from tests.helpers import PE_FIXTURES


def fix_output(tmp_path, monkeypatch, state):
    monkeypatch.setenv("READINESS_LANG", "en")
    monkeypatch.setattr("readiness.pc.collect.collect_restore", lambda system: {"looked_for": ["deep-freeze"], "found": [
        {"product": "deep-freeze", "name": "Faronics Deep Freeze (冰点还原)", "marker": "HKLM\\...\\DeepFrz",
         "start": 1, "state": None},
        {"product": "deep-freeze", "name": "Faronics Deep Freeze (冰点还原)", "marker": r"C:\Windows\SysWOW64\DFC.exe",
         "start": None, "state": state}]})
    client = tmp_path / "ExamClient"
    client.mkdir()
    shutil.copy(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
    (client / "user.ini").write_bytes(b"[OpenGL]\r\nLevel=2\r\n")
    profile = tmp_path / "site.toml"
    profile.write_text(f'[client]\ninstall_dir = {json.dumps(str(client))}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", "--profile", str(profile), "--backup-dir", str(tmp_path / "b"), "--dry-run"],
                                catch_exceptions=False)
    return result.output


def test_fix_warns_first_that_changes_are_lost_at_restart(tmp_path, monkeypatch):
    out = fix_output(tmp_path, monkeypatch, "frozen")
    assert "Protection is on (Faronics Deep Freeze (冰点还原))" in out and "master image" in out
    assert out.index("Protection is on") < out.index("Planned changes")


def test_fix_says_a_state_it_could_not_read_may_lose_the_change(tmp_path, monkeypatch):
    out = fix_output(tmp_path, monkeypatch, None)
    assert "whether it protects this PC now could not be read" in out and "Protection is on" not in out
    assert out.index("could not be read") < out.index("Planned changes")


@pytest.mark.parametrize("state", ["thawed"])
def test_fix_on_a_thawed_pc_says_nothing_of_protection(tmp_path, monkeypatch, state):
    out = fix_output(tmp_path, monkeypatch, state)
    assert "Protection is on" not in out and "could not be read" not in out
