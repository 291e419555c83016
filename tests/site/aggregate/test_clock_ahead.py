"""A report dated in the future (a PC clock set to 2091) never pins its seat: the site server goes
by the receive time, aggregate by the run's own time only when it is possible, and the site says
which PC's clock is ahead."""

from __future__ import annotations

import json

import requests

from readiness.site.aggregate.build import aggregate
from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.server import TOKEN, running


def _dated(path, when: str) -> bytes:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["checked_at"] = when
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path.read_bytes()


def test_aggregate_does_not_let_a_future_report_win(tmp_path):
    prof = site_profile(tmp_path, seats=1)
    future = make_report(tmp_path / "r", "PC-01", prof, name="a-future.json")
    _dated(future, "2091-01-01T09:00:00+08:00")
    make_report(tmp_path / "r", "PC-01", prof, {"fonts.msyh": []}, minutes=30, name="b-today.json")
    site = aggregate([str(tmp_path / "r")]).sites[0]
    (m,) = site.machines
    assert m.status == "fail" and m.source.endswith("b-today.json")
    (ahead,) = [f for f in site.findings if "clock" in f.what.en]
    assert "PC-01 (2091-01-01T09:00:00+08:00)" in ahead.what.en and "时钟超前" in ahead.what.zh


def test_a_clock_a_few_minutes_ahead_is_believed(tmp_path):
    from datetime import datetime, timedelta, timezone

    prof = site_profile(tmp_path, seats=1)
    soon = (datetime.now(timezone.utc) + timedelta(minutes=3)).isoformat(timespec="seconds")
    path = make_report(tmp_path / "r", "PC-01", prof, name="a.json")
    _dated(path, soon)
    make_report(tmp_path / "r", "PC-01", prof, {"fonts.msyh": []}, minutes=0, name="b.json")
    site = aggregate([str(tmp_path / "r")]).sites[0]
    assert site.machines[0].source.endswith("a.json") and not [f for f in site.findings if "clock" in f.what.en]


def test_the_server_goes_by_arrival_for_a_report_from_the_future(tmp_path, profile):
    prof = site_profile(tmp_path, seats=1)
    future = _dated(make_report(tmp_path / "r", "PC-01", prof, name="a.json"), "2091-01-01T09:00:00+08:00")
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    today = _dated(make_report(tmp_path / "r", "PC-01", prof, {"fonts.msyh": []}, name="b.json"), now)
    with running(tmp_path / "data", profile) as srv:
        for body in (future, today):
            r = requests.post(srv.url + "/api/reports", data=body, timeout=10,
                              headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
            assert r.status_code == 201
        state = requests.get(srv.url + "/api/state", headers=srv.manager_headers(), timeout=10).json()
    (seat,) = state["sites"][0]["seats"]
    assert seat["status"] == "fail"  # today's failing report, not the 2091 pass
    assert any("2091" in f["message"]["en"] and "clock" in f["message"]["en"] for f in state["sites"][0]["findings"])
