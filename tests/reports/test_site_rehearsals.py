"""The site server's exports carry the rehearsal rounds; `aggregate`'s outputs (no rounds given)
stay exactly as they were. The renderers take the rounds as data."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from readiness.site.aggregate.build import aggregate
from readiness.reports import site_html, site_json
from tests.site.aggregate.reports import make_report, site_profile

from tests.reports.golden import GOLDEN, matches_golden
START = 1_795_740_000.0  # 2026-11-27 00:40 UTC, 08:40 in Beijing (the report's zone)

ROUNDS = [
    {"id": 1, "state": "done", "start_at": START, "url": None, "paper_bytes": 20_000_000, "deadline_s": 240.0,
     "stopped": False, "expected": 3, "joined": 3, "finished": 3, "failed": 0, "unfinished": [], "late": ["PC09"],
     "p50_s": 41.25, "p95_s": 63.5, "max_s": 63.5, "plan_s": 80, "throughput_mbps": 7.56, "slowest": ["PC03"],
     "seats": [{"hostname": h, "status": "finished", "start_s": 0.01, "finish_s": t, "bytes": 20_000_000,
                "mbps": 4.0, "samples_mbps": [], "error": None} for h, t in (("PC01", 30.0), ("PC02", 41.25),
                                                                            ("PC03", 63.5))]},
    {"id": 2, "state": "done", "start_at": START + 600, "url": "http://cdn.example/paper.bin",
     "paper_bytes": 20_000_000, "deadline_s": 240.0, "stopped": True, "expected": 3, "joined": 3, "finished": 1,
     "failed": 1, "unfinished": ["PC<b>03</b>"], "late": [], "p50_s": 95.0, "p95_s": 95.0, "max_s": 95.0, "plan_s": 80,
     "throughput_mbps": 1.68, "slowest": ["PC01"],
     "seats": [{"hostname": "PC01", "status": "finished", "finish_s": 95.0},
               {"hostname": "PC02", "status": "failed", "error": "reset"},
               {"hostname": "PC<b>03</b>", "status": "unfinished"}]},
    {"id": 3, "state": "done", "interrupted": True, "start_at": START + 1200, "expected": 2, "finished": 0,
     "failed": 0, "unfinished": ["PC01", "PC02"], "late": [], "p50_s": None, "p95_s": None, "max_s": None,
     "plan_s": 80, "throughput_mbps": None, "seats": []},
]


@pytest.fixture
def agg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    prof = site_profile(tmp_path, seats=4)
    make_report(Path("reports"), "PC01", prof)
    make_report(Path("reports"), "PC02", prof, {"memory.installed_bytes": 4 * 2**30})
    Path("reports/junk.json").write_text("{oops")
    return dataclasses.replace(aggregate(["reports"], workers=1), generated_at="2026-11-27T13:30:00+08:00")


def _section(page: str) -> str:
    import re

    found = re.findall(r'<section class="rehearsals">.*?</section>', page, re.S)
    assert len(found) == 1
    return found[0]


def test_without_rounds_the_outputs_are_aggregates(agg):
    plain = site_json.render(agg)
    assert "rehearsals" not in json.loads(plain)
    assert "".join(site_json.render_chunks(agg)) == plain and site_json.to_dict(agg).keys() == json.loads(plain).keys()
    assert "开考演练" not in site_html.render(agg) and "Exam-start rehearsals" not in site_html.render(agg)


def test_json_gets_each_round_and_nothing_else_changes(agg):
    plain = site_json.render(agg)
    doc = json.loads(site_json.render(agg, rehearsals=ROUNDS))
    assert doc.pop("rehearsals") == ROUNDS
    assert doc == json.loads(plain)
    assert site_json.to_dict(agg, rehearsals=ROUNDS)["rehearsals"] == ROUNDS
    assert json.loads(site_json.render(agg, rehearsals=[]))["rehearsals"] == []


def test_html_section_golden_and_nothing_else_changes(agg):
    plain = site_html.render(agg)
    page = site_html.render(agg, rehearsals=ROUNDS)
    section = _section(page)
    assert page.replace(section, "", 1) == plain  # the section is all that is added
    assert page.index(section) < page.index("junk.json")  # before the rejected inputs, after the sites
    golden = GOLDEN / "site-rehearsals.html"
    matches_golden(golden, section + "\n")


def test_html_section_reads_as_the_plan(agg):
    section = _section(site_html.render(agg, rehearsals=ROUNDS))
    rows = section.split("<tr>")[2:]
    assert len(rows) == 3
    assert "2026-11-27 08:40" in rows[0] and "3 / 3" in rows[0] and "41.2 / 63.5 / 63.5" in rows[0]
    assert "全部在 80 秒内" in rows[0] and "7.6" in rows[0] and "PC09" in rows[0]
    assert "未全部在 80 秒内" in rows[1] and "已中止" in rows[1] and "PC02" in rows[1]  # failed, by name
    assert "PC&lt;b&gt;03&lt;/b&gt;" in rows[1] and "<b>03" not in section  # seat labels come from PCs: text
    assert "- / - / -" in rows[2] and "演练中服务器停止" in rows[2] and "PC01, PC02" in rows[2]


def test_no_round_is_said(agg):
    assert "No round was run" in _section(site_html.render(agg, rehearsals=[]))


@pytest.mark.parametrize("rounds", [
    [{}], [None, 5, "x"], [{"id": "<script>", "start_at": "soon", "max_s": "long", "plan_s": None, "seats": "all"}],
    [{"start_at": float("nan"), "p50_s": float("inf"), "finished": True, "unfinished": "PC01", "late": {"a": 1}}],
    [{"start_at": 1e300, "max_s": -5, "seats": [None, {"status": "failed"}], "stopped": "yes"}],
    [dict(ROUNDS[0], unfinished=[f"PC{i:03d}" for i in range(500)])],
])
def test_a_stored_round_read_back_broken_is_dashes_not_a_crash(agg, rounds):
    section = _section(site_html.render(agg, rehearsals=rounds))
    assert "<script" not in section and section.count("<tr>") == 1 + sum(isinstance(r, dict) for r in rounds)
    assert "… +480" in section or "PC499" not in section  # long lists are counted, not all printed


def test_the_rounds_are_above_the_managers_signature(agg):
    """What the manager signs is the page above the line: the rounds are part of it."""
    page = site_html.render(agg, rehearsals=ROUNDS)
    assert len(agg.sites) == 1
    assert page.index("开考演练") < page.index('class="sign"')
    assert page.count('class="sign"') == 1
