"""`readiness aggregate` over site documents: a branch rolls up the sites that sent files (a site
server's site.json download) into the branch table, by the branch server's own rules. Real files:
written by the real site renderer over real reports, and downloaded from a real site server."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from readiness.site.aggregate.build import aggregate
from readiness.cli import main
from readiness.core.profile import Profile
from readiness.reports import site_json
from tests.site.aggregate.reports import make_report, site_profile

TOKENS = {"1101": "token-for-site-1101-abcdef", "1102": "token-for-site-1102-abcdef",
          "1199": "token-for-site-1199-abcdef"}


def site_file(tmp: Path, site_id: str, seats: int, bad: int = 0, ago_s: float = 0.0, name: str | None = None) -> Path:
    """A site's site.json as `aggregate --format json` writes it, `seats` PCs of which `bad` lack memory."""
    folder = tmp / f"pcs-{site_id}-{ago_s:g}"
    prof = site_profile(tmp, site_id=site_id, seats=seats)
    for i in range(seats):
        changes = {"memory.installed_bytes": 2 * 2**30, "memory.usable_bytes": 2 * 2**30} if i < bad else None
        make_report(folder, f"PC{i:02d}", prof, changes)
    agg = aggregate([str(folder)], workers=1)
    when = datetime.now(timezone.utc) - timedelta(seconds=ago_s)
    agg = dataclasses.replace(agg, generated_at=when.isoformat(timespec="seconds"))
    out = tmp / "docs" / (name or f"site-{site_id}-{ago_s:g}.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(site_json.render(agg), encoding="utf-8")
    return out


def branch_profile(tmp: Path, starts: list[str] | None = None) -> Path:
    path = tmp / "branch.toml"
    sites = "".join(f'"{k}" = "{v}"\n' for k, v in TOKENS.items())
    path.write_text(f'[branch]\nid = "11"\nname = "北京分部"\n\n[branch.sites]\n{sites}\n'
                    f"[exam]\nstarts_at = {json.dumps(starts or [])}\n", encoding="utf-8")
    return path


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")

    def invoke(*args: str):
        return CliRunner().invoke(main, ["aggregate", *args])

    return invoke


def test_ready_sites_give_the_branch_table_and_exit_0(tmp_path, run):
    site_file(tmp_path, "1101", 2)
    site_file(tmp_path, "1102", 1)
    result = run(str(tmp_path / "docs"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Branch -- READY" and lines[1].startswith("  Sites 2: ready 2")
    assert any(" 1101 海淀学习中心" in line for line in lines) and any(" 1102 " in line for line in lines)


def test_a_site_not_ready_exits_1_and_comes_first(tmp_path, run):
    site_file(tmp_path, "1101", 2)
    site_file(tmp_path, "1102", 3, bad=1)
    result = run(str(tmp_path / "docs"), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "readiness.branch/1" and doc["status"] == "fail"
    assert [s["id"] for s in doc["sites"]] == ["1102", "1101"]  # the site to act on first
    assert doc["sites"][0]["reports"] == 3 and doc["sites"][0]["missing"] == 0
    assert all(s["last_seen"] for s in doc["sites"])


def test_the_profiles_sites_never_heard_from_are_rows_and_exit_3(tmp_path, run):
    site_file(tmp_path, "1101", 2)
    site_file(tmp_path, "1102", 1)
    prof = branch_profile(tmp_path)
    result = run(str(tmp_path / "docs"), "--profile", str(prof), "--format", "json")
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    assert (doc["id"], doc["name"]) == ("11", "北京分部") and doc["silent"] == 1
    never = [s for s in doc["sites"] if s["id"] == "1199"]
    assert never == [doc["sites"][0]] and never[0]["last_seen"] is None and never[0]["status"] is None


def test_the_profiles_exam_is_the_fallback_timeline_and_escalates(tmp_path, run):
    site_file(tmp_path, "1101", 2)
    site_file(tmp_path, "1102", 3, bad=1)
    soon = (datetime.now(timezone.utc) + timedelta(minutes=3)).isoformat(timespec="seconds")
    result = run(str(tmp_path / "docs"), "--profile", str(branch_profile(tmp_path, [soon])), "--format", "json")
    doc = json.loads(result.stdout)
    rows = {s["id"]: s for s in doc["sites"]}
    assert rows["1102"]["escalate"] is True and rows["1101"]["escalate"] is False  # not ready 3 minutes before
    assert rows["1102"]["next_exam_at"] is not None and doc["sites"][0]["id"] == "1102"
    assert result.exit_code == 1  # not ready (rules.overall: a fail outranks 1199 never heard from)


def test_the_newer_document_of_a_site_counts_whatever_the_order(tmp_path, run):
    newer = site_file(tmp_path, "1101", 2, ago_s=30)
    older = site_file(tmp_path, "1101", 2, bad=2, ago_s=90)
    for order in ([newer, older], [older, newer]):
        result = run(*map(str, order), "--format", "json")
        doc = json.loads(result.stdout)
        assert [s["status"] for s in doc["sites"]] == ["pass"] and result.exit_code == 0
    result = run(str(older), "--format", "json")
    assert result.exit_code == 1


def test_a_file_is_a_snapshot_never_silent_whatever_its_age(tmp_path, run):
    """A file promised no heartbeat: an hour-old site.json (the preparation day's, on a stick) says
    what it said then, with its time; it is not "silent" the way a server that stopped sending is."""
    site_file(tmp_path, "1101", 2, ago_s=3600)
    result = run(str(tmp_path / "docs"), "--format", "json")
    row = json.loads(result.stdout)["sites"][0]
    assert result.exit_code == 0 and row["stale"] is False and row["last_seen"] is not None


def test_mixing_pc_reports_and_site_documents_is_a_usage_error(tmp_path, run, monkeypatch):
    site_file(tmp_path, "1101", 1)
    make_report(tmp_path / "pcs", "PC99", site_profile(tmp_path))
    result = run(str(tmp_path / "docs"), str(tmp_path / "pcs"))
    assert result.exit_code == 2 and "PC reports and site documents given together" in result.output
    monkeypatch.setenv("READINESS_LANG", "zh")
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "docs"), str(tmp_path / "pcs")])
    assert result.exit_code == 2 and "同时给出了考试机报告和考点文档" in result.output


def test_the_files_are_the_branch_tables(tmp_path, run):
    import openpyxl

    site_file(tmp_path, "1101", 2)
    site_file(tmp_path, "1102", 3, bad=1)
    out = tmp_path / "out"
    result = run(str(tmp_path / "docs"), "--html", str(out / "b.html"), "--csv", str(out / "b.csv"),
                 "--xlsx", str(out / "b.xlsx"))
    assert result.exit_code == 1, result.output
    assert (out / "b.csv").read_bytes().startswith(b"\xef\xbb\xbfsite_id,site_name,kind,status")
    assert 'data-site="1102"' in (out / "b.html").read_text(encoding="utf-8")
    rows = list(openpyxl.load_workbook(out / "b.xlsx", read_only=True)["Sites"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["1102", "1101"]


def test_a_branchs_own_table_rolls_up_at_headquarters(tmp_path, run):
    site_file(tmp_path, "1101", 2)
    result = run(str(tmp_path / "docs"), "--profile", str(branch_profile(tmp_path)), "--format", "json")
    hq = tmp_path / "hq"
    hq.mkdir()
    (hq / "branch-11.json").write_text(result.stdout, encoding="utf-8")
    up = run(str(hq), "--format", "json")
    doc = json.loads(up.stdout)
    assert [(s["id"], s["kind"], s["status"]) for s in doc["sites"]] == [("11", "branch", "error")]
    assert doc["sites"][0]["unheard"] == 2 and up.exit_code == 3


def test_an_unusable_document_is_rejected_and_said(tmp_path, run):
    site_file(tmp_path, "1101", 2)
    (tmp_path / "docs" / "empty.json").write_text(json.dumps({"schema": "readiness.site/1", "generated_at":
                                                              "2026-12-05T08:00:00+08:00", "sites": []}))
    result = run(str(tmp_path / "docs"))
    assert result.exit_code == 0, result.output
    assert "empty.json: not a usable site document" in result.stderr


def test_a_real_site_servers_download(tmp_path, run):
    from tests.serve.server import running

    prof = site_profile(tmp_path, site_id="1101", seats=2)
    with running(tmp_path / "data", _profile(prof)) as srv:
        for host in ("PC01", "PC02"):
            r = requests.post(srv.url + "/api/reports", data=make_report(tmp_path / "r", host, prof).read_bytes(),
                              headers=srv.submit_headers(), timeout=10)
            assert r.status_code == 201, r.text
        got = requests.get(srv.url + "/download/site.json", headers=srv.manager_headers(), timeout=10)
        assert got.status_code == 200
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "site.json").write_bytes(got.content)
    result = run(str(tmp_path / "dl"), "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert [(s["id"], s["reports"], s["missing"]) for s in doc["sites"]] == [("1101", 2, 0)]


def _profile(path: Path) -> Profile:
    from readiness.core.loading import load_checks_and_profile

    return load_checks_and_profile(path)[1]
