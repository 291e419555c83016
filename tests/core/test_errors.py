"""One bilingual error root (issue 24 item 5): every error the tool words is a TextError whose
`reason` is a Text, aggregate's rejected-file reasons included; a ProfileError carries the keys it
names and where the file sets them, so nothing reads its words back."""

from __future__ import annotations

import re
import zipfile

import pytest
from click.testing import CliRunner

from readiness.cli import main
from readiness.core.i18n import Text, TextError

CJK_ONLY = re.compile(r"[A-Za-z]{4,}")  # an English word of four letters or more


def _classes():
    from readiness.core.facts import FactUnavailable, NotCollected, SnapshotError
    from readiness.core.profile import ProfileError
    from readiness.core.refusals import Invalid, Refused
    from readiness.pc.collect.fonts import FontError
    from readiness.pc.console import OutputClosed
    from readiness.pc.net.errors import NetFailure
    from readiness.pc.userini import IniError
    from readiness.site.aggregate.machines import BadReport

    return [
        Refused(Text("no", "不")), Invalid("plain"), SnapshotError("f.json", Text("empty", "空")),
        ProfileError(Text("bad", "坏")), FontError(Text("not a font", "不是字体")), NetFailure(Text("refused", "拒绝"), "raw"),
        IniError(Text("bad ini", "坏")), OutputClosed("Broken pipe", 32), BadReport(Text("site is 1", "site 为 1")),
        FactUnavailable("memory.installed_bytes", "a plugin's plain words"), NotCollected("network", Text("offline", "离线")),
    ]


@pytest.mark.parametrize("error", _classes(), ids=lambda e: type(e).__name__)
def test_every_worded_error_is_a_text_error_with_a_text_reason(error):
    assert isinstance(error, TextError) and isinstance(error.reason, Text)
    assert error.reason.en and error.reason.zh


def test_a_facts_error_still_says_its_path():
    from readiness.core.facts import FactUnavailable

    error = FactUnavailable("memory.installed_bytes", Text("not a number", "不是数字"))
    assert str(error) == "memory.installed_bytes: not a number" and error.reason.zh == "不是数字"


def test_refused_has_one_reason_not_a_second_text():
    from readiness.core.refusals import Refused

    refused = Refused(Text("the round is under way", "本轮正在进行"))
    assert refused.reason.zh == "本轮正在进行" and str(refused) == "the round is under way"
    assert not hasattr(refused, "text")


def test_a_snapshot_error_says_where_and_what_in_both_languages(tmp_path):
    from readiness.core.facts import SnapshotError, load_snapshot

    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(empty)
    assert caught.value.reason == Text(f"{empty}: the file is empty", f"{empty}：文件是空的")
    assert caught.value.problem.zh == "文件是空的"


def test_check_facts_refusal_in_chinese_carries_no_english(tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--facts", str(bad), "--lang", "zh"])
    assert result.exit_code == 2
    said = result.output.replace(str(bad), "").replace("JSON", "")
    assert "不是有效的" in said and "第 1 行" in said and not CJK_ONLY.search(said), said


def _hostile_inputs(folder):
    folder.mkdir()
    (folder / "empty.json").write_bytes(b"")
    (folder / "other.json").write_text("[1, 2]", encoding="utf-8")
    (folder / "noschema.json").write_text("{}", encoding="utf-8")
    (folder / "site.json").write_text('{"schema": "readiness.report/1", "site": 5, "results": []}', encoding="utf-8")
    with zipfile.ZipFile(folder / "stick.zip", "w") as zf:
        zf.writestr("inner.zip", b"PK")
        zf.writestr("../escape.json", b"{}")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not really")


def test_aggregates_rejected_files_are_said_in_chinese(tmp_path, monkeypatch):
    _hostile_inputs(tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "in"), "--lang", "zh"])
    assert result.exit_code == 3, result.output  # no usable report: undetermined
    lines = [line for line in result.output.splitlines() if str(tmp_path) in line]
    assert len(lines) == 7, result.output
    for line in lines:
        reason = line.rsplit(":", 1)[-1] if "：" not in line else line.split(str(tmp_path))[-1]
        words = CJK_ONLY.findall(reason.replace("JSON", "").replace("readiness", "").replace("schema", ""))
        assert not [w for w in words if w not in ("json", "empty", "other", "noschema", "site", "stick",
                                                 "inner", "escape", "broken")], line


def test_the_site_document_keeps_the_english_reason_and_adds_both_languages(tmp_path):
    from readiness.reports.site_json import to_dict
    from readiness.site.aggregate.build import aggregate

    _hostile_inputs(tmp_path / "in")
    doc = to_dict(aggregate([str(tmp_path / "in")]))
    for item in doc["rejected"]:
        assert isinstance(item["reason"], str) and item["reason"] == item["reason_text"]["en"]
        assert item["reason_text"]["zh"] and item["reason_text"]["zh"] != item["reason_text"]["en"]


def test_a_profile_error_carries_its_keys_and_their_lines(tmp_path):
    from readiness.core.profile import ProfileError, load_profile
    from readiness.core.settings import CORE_SETTINGS

    path = tmp_path / "site.toml"
    path.write_text('# a site\n[site]\nid = "1101"\nseats = "fifty"\n\n[network]\n"timeout_s" = -1\nbogus = 1\n',
                    encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path, CORE_SETTINGS)
    assert set(caught.value.keys) == {"site.seats", "network.timeout_s", "network.bogus"}
    assert dict(caught.value.lines) == {"site.seats": 4, "network.timeout_s": 7, "network.bogus": 8}
