"""Many versions in the field, both directions: a newer PC's report (a check and fields this version
does not know) is kept as the PC judged it, in `aggregate` (stored and re-judged) and at the site
server; a new major schema is refused with the advice to update; the versions in use and the PCs an
older readiness checked are named in readiness.site/1, the text, the site page and the dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.site.aggregate.reports import make_report, site_profile

COMPAT = Path(__file__).parents[2] / "compat" / "0.1.0" / "reports"
USB = {"id": "usb-ports", "status": "fail", "title": {"en": "USB ports", "zh": "USB 端口"},
       "observed": {"en": "2 ports blocked", "zh": "2 个端口被禁用"}, "expected": {"en": "-", "zh": "-"},
       "message": {"en": "blocked", "zh": "被禁用"}, "remedy": {"en": "Unblock them", "zh": "请解除禁用"},
       "details": {"ports": [1, 2]}, "severity_v2": 7}


def _newer(folder: Path, profile: Path, host: str = "NEWER-PC", version: str = "0.9.0") -> Path:
    """A report of a newer minor version: an unknown check that fails, unknown fields everywhere."""
    path = make_report(folder, host, profile)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["tool"]["version"] = version
    doc["facts"]["tool"]["version"] = version
    doc["results"].append(USB)
    doc["summary"] = {"status": "fail", "counts": {}, "new_figure": 1}
    doc["facts"]["usb"] = {"ports": 4, "blocked": [1, 2]}
    doc["signed_by"] = {"key": "abc"}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("rejudge", [False, True])
def test_a_newer_pcs_fail_stays_a_fail_in_aggregate(run, tmp_path, rejudge):
    profile = site_profile(tmp_path, seats=1)
    _newer(tmp_path / "in", profile)
    args = ["aggregate", tmp_path / "in", "--format", "json"] + (["--profile", profile] if rejudge else [])
    result = run(*args)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    site = doc["sites"][0]
    assert site["status"] == "fail" and site["counts"]["fail"] == 1
    assert site["checks"]["usb-ports"]["fail"] == 1 and site["titles"]["usb-ports"] == USB["title"]
    assert site["machines"][0]["problems"] == [{"check": "usb-ports", "status": "fail", "observed": USB["observed"]}]
    assert site["machines"][0]["tool_version"] == "0.9.0" and site["tool_versions"] == {"0.9.0": 1}
    assert site["remedies"]["usb-ports"] == USB["remedy"]
    text = run(*[a for a in args if a not in ("--format", "json")])
    assert "USB ports" in text.output and "Checked by readiness: 0.9.0 x1" in text.output


@pytest.mark.parametrize("schema", ["readiness.report/2", "readiness.report/10"])
def test_a_new_major_report_is_refused_with_the_advice_to_update(run, tmp_path, schema):
    profile = site_profile(tmp_path, seats=1)
    path = _newer(tmp_path / "in", profile, version="2.0.0")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["schema"] = schema
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run("aggregate", tmp_path / "in", "--format", "json")
    assert result.exit_code == 3
    reason = json.loads(result.output)["rejected"][0]["reason"]
    assert reason == f"{schema} is newer than this readiness reads (readiness.report/1): update exam-readiness " \
                     "(readiness 2.0.0 or later)"
    checked = run("check", "--facts", path)
    assert checked.exit_code == 2 and "readiness 2.0.0 or later" in checked.output


@pytest.mark.parametrize("version", ["x" * 100_000, "NaN", None, 7, float("nan"), {"v": 1}, "0.1.0\u202e", ""])
def test_a_version_that_is_no_version_is_unknown_never_repeated(run, tmp_path, version):
    profile = site_profile(tmp_path, seats=1)
    path = make_report(tmp_path / "in", "ODD-PC", profile)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["tool"]["version"] = version
    doc["facts"]["tool"] = {"version": version}
    path.write_text(json.dumps(doc).replace("NaN", "null") if version != "NaN" else json.dumps(doc),
                    encoding="utf-8")
    result = run("aggregate", tmp_path / "in", "--format", "json")
    site = json.loads(result.output)["sites"][0]
    assert site["machines"][0]["tool_version"] is None and site["tool_versions"] == {"?": 1}
    assert len(result.output) < 50_000


def test_versions_in_use_and_the_pcs_an_older_readiness_checked(run, tmp_path):
    """The 0.1.0 corpus beside a PC of today: the PCs of 0.1.0 did not look for restore or clock."""
    folder = tmp_path / "in"
    folder.mkdir()
    for report in COMPAT.glob("*.json"):
        doc = json.loads(report.read_text(encoding="utf-8"))
        if doc["facts"]["host"]["hostname"] in ("PC-READY", "PC-NOT-READY"):
            (folder / report.name).write_bytes(report.read_bytes())
    profile = site_profile(tmp_path, seats=3)
    today = make_report(folder, "TODAY-PC", profile)
    doc = json.loads(today.read_text(encoding="utf-8"))
    doc["tool"]["version"] = "0.10.0"
    today.write_text(json.dumps(doc), encoding="utf-8")
    result = run("aggregate", folder, "--format", "json")
    site = json.loads(result.output)["sites"][0]
    assert list(site["tool_versions"].items()) == [("0.1.0", 2), ("0.10.0", 1)]  # by number: 0.10.0 is newer
    assert site["behind"] == [{
        "version": "0.1.0", "machines": 2, "hostnames": ["PC-NOT-READY", "PC-READY"], "checks": ["clock", "restore"],
        "message": {"en": "2 PCs were checked by readiness 0.1.0, which did not look for: Clock, Restore protection: "
                          "check them again with the current readiness.exe.",
                    "zh": "2 台考试机由 readiness 0.1.0 检查，该版本未检查：系统时间、还原保护。"
                          "请用当前版本的 readiness.exe 重新检查。"}}]
    by_host = {m["hostname"]: m["tool_version"] for m in site["machines"]}
    assert by_host == {"PC-READY": "0.1.0", "PC-NOT-READY": "0.1.0", "TODAY-PC": "0.10.0"}
    text = run("aggregate", folder).output
    assert "Checked by readiness: 0.1.0 x2, 0.10.0 x1" in text
    assert "2 PCs were checked by readiness 0.1.0, which did not look for: Clock, Restore protection" in text
    zh = run("aggregate", folder, "--lang", "zh").output
    assert "2 台考试机由 readiness 0.1.0 检查，该版本未检查：系统时间、还原保护" in zh
    page = tmp_path / "site.html"
    run("aggregate", folder, "--html", page)
    html = page.read_text(encoding="utf-8")
    assert "0.1.0 x2, 0.10.0 x1" in html and "该版本未检查：系统时间、还原保护" in html
    # re-judged, the same PCs say so through the checks that skipped for age (their clock skips because
    # they were checked offline, which any version would have: not for age)
    rejudged = json.loads(run("aggregate", folder, "--profile", profile, "--format", "json").output)["sites"][0]
    assert [(b["version"], b["machines"], b["checks"]) for b in rejudged["behind"]] == [("0.1.0", 2, ["restore"])]


def test_the_site_server_keeps_a_newer_pcs_fail_and_names_the_versions(tmp_path, profile):
    from tests.serve.server import running

    site = site_profile(tmp_path, seats=2)
    newer = _newer(tmp_path / "in", site)
    old = next(p for p in COMPAT.glob("*.json") if p.name == "ready.json")
    with running(tmp_path / "data", profile) as srv:
        for body in (newer.read_bytes(), old.read_bytes()):
            r = requests.post(srv.url + "/api/reports", data=body, headers=srv.submit_headers(), timeout=30)
            assert r.status_code == 201, r.text
        assert r.json()["status"] == "pass"
        doc = requests.get(srv.url + "/api/site", headers=srv.manager_headers(), timeout=30).json()
        state = requests.get(srv.url + "/api/state", headers=srv.manager_headers(), timeout=30).json()
        report2 = json.loads(newer.read_text(encoding="utf-8"))
        report2["schema"] = "readiness.report/2"
        refused = requests.post(srv.url + "/api/reports", data=json.dumps(report2), headers=srv.submit_headers(),
                                timeout=30)
    assert doc["tool"]["version"] and doc["schema"] == "readiness.site/1"
    machines = {m["hostname"]: m for m in doc["sites"][0]["machines"]}
    assert machines["NEWER-PC"]["status"] == "fail" and machines["NEWER-PC"]["tool_version"] == "0.9.0"
    assert doc["sites"][0]["tool_versions"] == {"0.1.0": 1, "0.9.0": 1}
    s = state["sites"][0]
    assert s["titles"]["usb-ports"] == USB["title"] and s["tool_versions"] == {"0.1.0": 1, "0.9.0": 1}
    assert [(b["version"], b["machines"], b["checks"]) for b in s["behind"]] == [("0.1.0", 1, ["clock", "restore"])]
    assert "hostnames" not in s["behind"][0]  # named in the site document, not at every poll
    assert [b["hostnames"] for b in doc["sites"][0]["behind"]] == [["PC-READY"]]
    assert refused.status_code == 400
    assert refused.json()["error"] == "this server reads readiness.report/1: update the site server " \
                                      "(readiness 0.9.0 or later)"
    assert refused.json()["error_text"]["zh"] == "本服务器只能读取 readiness.report/1：请更新考点服务器（readiness 0.9.0 或更新版本）"


def test_a_rejudging_site_server_keeps_the_newer_pcs_own_verdict(tmp_path, profile):
    from tests.serve.server import running

    site = site_profile(tmp_path, seats=1)
    newer = _newer(tmp_path / "in", site)
    with running(tmp_path / "data", profile, profile_path=str(site)) as srv:
        r = requests.post(srv.url + "/api/reports", data=newer.read_bytes(), headers=srv.submit_headers(), timeout=30)
        assert r.status_code == 201 and r.json()["status"] == "fail"
        doc = requests.get(srv.url + "/api/site", headers=srv.manager_headers(), timeout=30).json()
    assert doc["mode"] == "rejudged" and doc["sites"][0]["checks"]["usb-ports"]["fail"] == 1
