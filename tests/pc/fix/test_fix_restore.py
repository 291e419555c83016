"""`readiness fix` on a protected PC says so before it applies anything."""

import json
import shutil

from click.testing import CliRunner

from readiness.cli import main
from tests.helpers import PE_FIXTURES


def test_fix_warns_first_that_changes_are_lost_at_restart(tmp_path, monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")
    monkeypatch.setattr("readiness.pc.collect.collect_restore", lambda system: {"looked_for": ["deep-freeze"], "found": [
        {"product": "deep-freeze", "name": "Faronics Deep Freeze (冰点还原)", "marker": "HKLM\\...\\DeepFrz",
         "start": 1, "state": None}]})
    client = tmp_path / "ExamClient"
    client.mkdir()
    shutil.copy(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
    (client / "user.ini").write_bytes(b"[OpenGL]\r\nLevel=2\r\n")
    profile = tmp_path / "site.toml"
    profile.write_text(f'[client]\ninstall_dir = {json.dumps(str(client))}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", "--profile", str(profile), "--backup-dir", str(tmp_path / "b"), "--dry-run"],
                                catch_exceptions=False)
    out = result.output
    assert "Protection is on (Faronics Deep Freeze (冰点还原))" in out and "master image" in out
    assert out.index("Protection is on") < out.index("Planned changes")
