import json

import pytest

from readiness.core.facts import Facts, FactUnavailable, NotCollected, SnapshotError, load_snapshot
from tests.helpers import EXAMPLES, ready_facts


def test_typed_access():
    f = Facts(ready_facts())
    assert f.get("os.build", int) == 19045
    assert f.get("os.nothing", int) is None
    assert f.get("memory.usable_bytes", float) == 8418135982
    with pytest.raises(FactUnavailable, match="expected a string"):
        f.get("os.build", str)
    with pytest.raises(FactUnavailable, match="expected an object"):
        f.get("os.build.deeper", int)


def test_require_gives_the_recorded_reason():
    f = Facts({"memory": {"installed_bytes": None}, "errors": {"memory": "psutil failed"}})
    with pytest.raises(FactUnavailable, match="psutil failed"):
        f.require("memory.installed_bytes", int)
    with pytest.raises(FactUnavailable, match="not in the snapshot"):
        Facts({}).require("os.build", int)


def test_not_collected_sections_skip():
    f = Facts({"not_collected": {"network": "offline"}})
    with pytest.raises(NotCollected, match="offline"):
        f.get("network.bandwidth.download_mbps", float)


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"{not json", "not valid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ("{\"注释\": \"中文\"}".encode("gbk"), "not UTF-8"),
    (b"\xff\xfe{\x00}\x00", "UTF-16"),
    (b"[1, 2]", "JSON object"),
    (b"{\"os\": {}}", "no \"schema\""),
    (b"{\"schema\": \"readiness.facts/2\"}", "newer"),
    (b"{\"schema\": \"readiness.report/2\"}", "newer"),
    (b"{\"schema\": \"readiness.site/1\"}", "not a facts snapshot"),
    (b"{\"schema\": \"readiness.report/1\", \"facts\": 3}", "JSON object"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply|not valid JSON"),
])
def test_bad_snapshot_files_are_refused_with_a_reason(tmp_path, content, words):
    path = tmp_path / "facts.json"
    path.write_bytes(content)
    with pytest.raises(SnapshotError, match=words):
        load_snapshot(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SnapshotError, match="cannot read"):
        load_snapshot(tmp_path / "nope.json")
    with pytest.raises(SnapshotError, match="folder"):
        load_snapshot(tmp_path)


def test_bom_and_reports_are_accepted(tmp_path):
    raw = (EXAMPLES / "ready-pc.json").read_bytes()
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + raw)
    assert load_snapshot(tmp_path / "bom.json")["host"]["hostname"] == "LAB3-PC17"
    report = {"schema": "readiness.report/1", "facts": json.loads(raw), "results": []}
    (tmp_path / "report.json").write_text(json.dumps(report))
    assert load_snapshot(tmp_path / "report.json")["host"]["hostname"] == "LAB3-PC17"
