"""Names machines give themselves: bounded, and nothing invisible reaches a page or a report."""

from __future__ import annotations

import json

import pytest

from readiness.site.aggregate.build import aggregate
from readiness.core.names import MAX_NAME, shown
from readiness.reports import site_html, site_text
from tests.site.aggregate.reports import make_report, site_profile


@pytest.mark.parametrize("raw, seen", [
    ("PC-01", "PC-01"), ("LAB3\u202eEXE.1", "LAB3EXE.1"), ("NUL\x00HOST", "NULHOST"), ("\u200bZW\u2066", "ZW"),
    ("考场三-18", "考场三-18"), ("  spaced  ", "spaced"), ("\u202e", ""),
])
def test_shown(raw, seen):
    assert shown(raw) == seen


def test_a_report_with_an_endless_host_name_is_rejected_and_a_dirty_one_is_cleaned(tmp_path):
    prof = site_profile(tmp_path, seats=3)
    folder = tmp_path / "r"
    make_report(folder, "X" * (MAX_NAME + 1), prof, name="long.json")
    make_report(folder, "X" * MAX_NAME, prof, {"host.machine_id": "id-at-limit"}, name="at-limit.json")
    make_report(folder, "EVIL\u202eFDP.EXE\x00", prof, name="dirty.json")
    agg = aggregate([str(folder)])
    names = sorted(m.hostname for m in agg.sites[0].machines)
    assert names == ["EVILFDP.EXE", "X" * MAX_NAME]
    assert [r.path.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] for r in agg.rejected] == ["long.json"]
    assert f"longer than {MAX_NAME} characters" in agg.rejected[0].reason.en
    for text in (site_text.render(agg, "en"), site_html.render(agg), json.dumps([m.hostname for m in agg.sites[0].machines])):
        assert "\u202e" not in text and "\x00" not in text
    assert "<bdi>EVILFDP.EXE</bdi>" in site_html.render(agg)
