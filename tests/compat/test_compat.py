"""Every set in tests/compat/<version>/ (documents exactly as that version wrote them, made by
scripts/make_compat_corpus.py, never edited) read with today's code: what that version said is
what today says. A snapshot that was READY stays READY, a report's verdict and exit code stay,
the site's counts and verdict stay (stored and re-judged, in `aggregate` and at today's site
server), its site document reads at today's branch, and its phone checks are judged alike. Checks
that came later skip what the older version did not collect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


HERE = Path(__file__).parent
SETS = sorted(p for p in HERE.iterdir() if (p / "manifest.json").is_file())


def _manifest(s: Path) -> dict:
    return json.loads((s / "manifest.json").read_text(encoding="utf-8"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _documents(kind: str) -> list:
    out = []
    for s in SETS:
        for name, entry in _manifest(s)["files"].items():
            if entry["kind"] == kind:
                out.append(pytest.param(s, name, id=f"{s.name}:{name}"))
    return out


@pytest.fixture
def site_profile(tmp_path):
    def write(s: Path) -> Path:
        path = tmp_path / f"site-{s.name}.toml"
        path.write_text(_manifest(s)["site_profile"], encoding="utf-8")
        return path

    return write


def test_the_first_release_is_in_the_corpus():
    assert [s.name for s in SETS][:1] == ["0.1.0"]
    m = _manifest(HERE / "0.1.0")
    assert m["commit"].startswith("7a060de") and m["made_by"] == "scripts/make_compat_corpus.py"
    kinds = {e["kind"] for e in m["files"].values()}
    assert kinds == {"facts", "report", "site", "phones"}  # 0.1.0 had no branch: the manifest says so
    assert "branch" in m


@pytest.mark.parametrize("s, name", _documents("report"))
def test_each_report_judged_today_as_that_version_judged_it(run, site_profile, tmp_path, s, name):
    old = _load(s / name)
    code = _manifest(s)["files"][name]["exit_code"]
    for given in (s / name, s / "facts" / Path(name).name):  # the report, and the facts it was made from
        out = tmp_path / "today.json"
        result = run("check", "--facts", given, "--profile", site_profile(s), "--format", "json", "--output", out)
        assert result.exit_code == code, result.output
        today = _load(out)
        assert today["summary"]["status"] == old["summary"]["status"]
        before = {r["id"]: r["status"] for r in old["results"]}
        now = {r["id"]: r for r in today["results"]}
        assert {k: now[k]["status"] for k in before} == before
        for cid in sorted(set(now) - set(before)):  # checks that came later
            r = now[cid]
            assert r["status"] == "skip", (cid, r["message"]["en"])


def test_ready_stays_ready_and_the_new_checks_say_why_they_skipped(run, site_profile, tmp_path):
    s = HERE / "0.1.0"
    pinned = {"ready": (0, "pass"), "ready-online": (0, "pass"), "not-ready": (1, "fail"),
              "memory-4gib": (1, "fail"), "client-1.2.0": (1, "fail"), "font-missing": (1, "fail"),
              "memory-unreadable": (3, "error"), "windows-11": (3, "error")}
    for name, (code, status) in pinned.items():
        out = tmp_path / f"{name}.json"
        result = run("check", "--facts", s / "facts" / f"{name}.json", "--profile", site_profile(s), "--format",
                     "json", "--output", out)
        assert (result.exit_code, _load(out)["summary"]["status"]) == (code, status), name
    online = {r["id"]: r for r in _load(tmp_path / "ready-online.json")["results"]}
    for cid in ("restore", "clock"):
        assert online[cid]["status"] == "skip"
        assert "not collected by readiness 0.1.0 (this check came in 0.2.0)" in online[cid]["message"]["en"]
        assert "readiness 0.1.0 未采集此项" in online[cid]["message"]["zh"]
        assert online[cid]["details"] == {"collected_by": "0.1.0", "since": "0.2.0"}


def _site_figures(doc: dict) -> tuple:
    return (doc["status"], doc["counts"],
            [(x["site"]["id"], x["status"], x["counts"], x["reports"], x["missing"]) for x in doc["sites"]],
            {m["hostname"]: m["status"] for x in doc["sites"] for m in x["machines"]})


@pytest.mark.parametrize("s", SETS, ids=[s.name for s in SETS])
def test_the_site_counts_as_that_version_counted(run, site_profile, s):
    old = _load(s / "site.json")
    code = _manifest(s)["files"]["site.json"]["exit_code"]
    stored = run("aggregate", s / "reports", "--format", "json")
    assert stored.exit_code == code
    assert _site_figures(json.loads(stored.output)) == _site_figures(old)
    rejudged = run("aggregate", s / "reports", "--profile", site_profile(s), "--format", "json")
    assert rejudged.exit_code == code
    again = json.loads(rejudged.output)
    assert (again["status"], again["counts"]) == (old["status"], old["counts"])


@pytest.mark.parametrize("s", SETS, ids=[s.name for s in SETS])
def test_todays_site_server_fed_the_corpus(tmp_path, profile, s):
    import requests

    from tests.serve.server import running

    old = _load(s / "site.json")
    with running(tmp_path / "data", profile) as srv:
        for report in sorted((s / "reports").glob("*.json")):
            r = requests.post(srv.url + "/api/reports", data=report.read_bytes(), headers=srv.submit_headers(),
                              timeout=30)
            assert r.status_code == 201, (report.name, r.text)
            assert r.json()["status"] == _load(report)["summary"]["status"]
        doc = requests.get(srv.url + "/api/site", headers=srv.manager_headers(), timeout=30).json()
    assert (doc["status"], doc["counts"]) == (old["status"], old["counts"])
    assert {m["hostname"]: m["status"] for x in doc["sites"] for m in x["machines"]} == \
        {m["hostname"]: m["status"] for x in old["sites"] for m in x["machines"]}


@pytest.mark.parametrize("s", SETS, ids=[s.name for s in SETS])
def test_the_site_document_reads_at_todays_branch(run, s):
    from readiness.branch.chain import read_file

    old = _load(s / "site.json")
    rows = read_file(old)
    assert [(r.id, r.status, r.reports) for r in rows] == [(x["site"]["id"], x["status"], x["reports"])
                                                           for x in old["sites"]]
    table = run("aggregate", s / "site.json", "--format", "json")
    assert table.exit_code in (0, 1, 3) and json.loads(table.output)["schema"] == "readiness.branch/1"
    if (s / "branch.json").exists():
        branch = _load(s / "branch.json")
        today = json.loads(table.output)
        assert [(r["id"], r["status"]) for r in today["sites"]] == [(r["id"], r["status"]) for r in branch["sites"]]
        assert table.exit_code == _manifest(s)["files"]["branch.json"]["exit_code"]


@pytest.mark.parametrize("s", SETS, ids=[s.name for s in SETS])
def test_phone_checks_judged_today_as_that_version_judged_them(site_profile, s):
    from readiness.core.loading import load_checks_and_profile
    from readiness.site.phones import PhoneCheck, judge_phone

    _, rules = load_checks_and_profile(site_profile(s))
    for posted in _load(s / "phones.json")["posted"]:
        assert posted["status_code"] == 201
        today = judge_phone(PhoneCheck.read(posted["sent"]), rules).to_dict()  # every one taken then is read today
        assert today["status"] == posted["answer"]["status"]
        assert {r["id"]: r["status"] for r in today["results"]} == \
            {r["id"]: r["status"] for r in posted["answer"]["results"]}


def test_no_check_came_in_a_version_later_than_this_one() -> None:
    """A check's `since` later than the tool's own version would make a current snapshot that lacks
    its facts read as an older one's (SKIP) instead of a damaged one (error): bump with the release."""
    from readiness import __version__
    from readiness.core.loading import load_checks_and_profile
    from readiness.core.versions import parse_version

    loaded = load_checks_and_profile(None)[0]
    later = {c.id: c.since for c in loaded.checks if c.since and parse_version(c.since) > parse_version(__version__)}
    assert later == {}
