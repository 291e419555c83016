"""A lone surrogate ("\\ud800" escaped in the JSON) is valid JSON but no text: it is refused at
every door (check --facts, aggregate, the site server), with the reason, before it is stored or
breaks a writer after it."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner

from readiness.site.aggregate.build import aggregate
from readiness.cli import main
from readiness.core.facts import SnapshotError, decode_json_bytes, lone_surrogate
from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.server import TOKEN, running

SURROGATE = "SURR\\ud800"  # as it stands in the file: a backslash escape


def _with_bad_hostname(path) -> bytes:
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    host = doc["facts"]["host"]["hostname"] if "facts" in doc else doc["host"]["hostname"]
    return text.replace(json.dumps(host), f'"{SURROGATE}"').encode("utf-8")


@pytest.mark.parametrize("raw, where", [
    (b'{"a": "x\\ud800"}', "a"),
    (b'{"a": ["ok", "\\udfff"]}', "a[1]"),
    (b'{"a\\udc00": 1}', "a\\udc00"),
    (b'{"a": {"b": "\\ud800\\ud800"}}', "a.b"),
])
def test_the_door_names_where(raw, where):
    with pytest.raises(SnapshotError, match="lone surrogate") as caught:
        decode_json_bytes(raw, "pc.json")
    assert f": {where} holds" in str(caught.value)


def test_a_surrogate_pair_is_text_and_passes():
    assert decode_json_bytes(b'{"a": "\\ud83d\\ude00", "n": 123456789012345678901234567890}', "x")["a"] == "😀"
    assert lone_surrogate({"a": ["b", {"c": "d"}]}) is None


def test_check_facts_refuses_it_with_exit_2(tmp_path):
    report = make_report(tmp_path, "PC01", site_profile(tmp_path))
    bad = tmp_path / "bad.json"
    bad.write_bytes(_with_bad_hostname(report))
    result = CliRunner().invoke(main, ["check", "--facts", str(bad), "--lang", "en", "--output", str(tmp_path / "o.json")])
    assert result.exit_code == 2, result.output
    assert "lone surrogate" in result.output and "Traceback" not in result.output


def test_aggregate_lists_it_as_rejected_and_counts_the_rest(tmp_path):
    prof = site_profile(tmp_path, seats=2)
    good = make_report(tmp_path / "r", "PC01", prof)
    bad = make_report(tmp_path / "r", "PC02", prof)
    bad.write_bytes(_with_bad_hostname(bad))
    agg = aggregate([str(tmp_path / "r")])
    assert [m.hostname for m in agg.sites[0].machines] == ["PC01"]
    assert len(agg.rejected) == 1 and "lone surrogate" in agg.rejected[0].reason.en
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "r"), "--lang", "en"])
    assert result.exit_code == 0 and "Traceback" not in result.output and good.name not in result.output


def test_the_site_server_answers_400_and_stores_nothing(tmp_path, profile):
    report = make_report(tmp_path, "PC01", site_profile(tmp_path))
    with running(tmp_path / "data", profile) as srv:
        r = requests.post(srv.url + "/api/reports", data=_with_bad_hostname(report), timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        assert r.status_code == 400 and "lone surrogate" in r.json()["error"]
        assert srv.store.count_reports() == 0
        assert requests.get(srv.url + "/api/state", headers=srv.manager_headers(), timeout=10).status_code == 200
