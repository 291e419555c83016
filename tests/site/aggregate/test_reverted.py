"""A check that passed in an earlier report of a machine and fails again in its newest one: the
sign of a frozen PC (restore card, Deep Freeze, a cloud classroom) that loses fixes at restart."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from readiness.site.aggregate.build import aggregate
from readiness.core.times import fixed_zone
from readiness.site.aggregate.reverted import EarlierRun, Reverted, find_reverted, reverted_text
from readiness.core.i18n import Text
from readiness.reports import site_json
from tests.site.aggregate.reports import make_report, site_profile

BEIJING = fixed_zone(8 * 3600)

NO_FONT = {"fonts.msyh": []}
T = datetime(2026, 11, 28, 9, 20, tzinfo=timezone(timedelta(hours=8)))


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


@pytest.mark.parametrize("history, now, reverted", [
    ([("a:pass",)], ("a:fail",), ["a"]),
    ([("a:pass",)], ("a:warn",), ["a"]),
    ([("a:pass",)], ("a:error",), []),         # could not decide: no evidence a change was lost
    ([("a:pass",)], ("a:pass",), []),
    ([("a:fail",)], ("a:fail",), []),          # never passed
    ([("a:skip",)], ("a:fail",), []),          # not collected, then collected and failing: never passed
    ([("a:pass",), ("a:skip",)], ("a:fail",), ["a"]),  # a skip in between hides nothing
    ([("a:pass",), ("a:error",)], ("a:fail",), ["a"]),  # nor does an error (could not decide) in between
    ([("a:pass",), ("a:error",)], ("a:warn",), ["a"]),
    ([("a:pass",), ("a:fail",)], ("a:fail",), ["a"]),  # still the pass before
    ([("a:pass", "b:pass")], ("a:fail", "b:pass"), ["a"]),
])
def test_find_reverted_table(history, now, reverted):
    earlier = [EarlierRun(at(i), at(i).isoformat(), checks) for i, checks in enumerate(history)]
    found = find_reverted(at(len(history)), now, earlier)
    assert [r.check for r in found] == reverted


# The boot marker: the stamp an earlier run left, gone from what the later run read
@pytest.mark.parametrize("wrote, read, lost", [
    (["s1"], ("s1",), False),             # still there
    (["s1"], ("s0", "s1"), False),
    (["s1"], (), True),                   # gone
    (["s1"], ("s0",), True),              # an older marker back: the image was restored
    (["s1"], None, False),                # this run could not read it (or an older tool): no evidence
    ([None], (), False),                  # the earlier run left none (it could not write)
    (["s0", "s1"], ("s1",), False),       # the newest earlier stamp counts
    (["s1", "s0"], ("s1",), True),        # (in time order, not list order: s0 is the newer run here)
])
def test_a_lost_boot_marker_joins_reverted(wrote, read, lost):
    earlier = [EarlierRun(at(i), at(i).isoformat(), ("restore:pass",), w) for i, w in enumerate(wrote)]
    found = find_reverted(at(len(wrote)), ("restore:pass",), earlier, read)
    assert [(r.check, r.status) for r in found] == ([("restore", "lost")] if lost else [])


def test_a_lost_marker_is_said_in_both_languages():
    r = find_reverted(at(2), ("restore:pass",), [EarlierRun(at(1), "2026-11-28T09:21:00+08:00", (), "s1")], ())[0]
    text = reverted_text(r, Text("Restore protection", "还原保护"), BEIJING)
    assert "marker the check left on 2026-11-28 09:21 UTC+08:00" in text.en and "is gone" in text.en and "master image" in text.en
    assert "2026-11-28 09:21 UTC+08:00 留下的标记" in text.zh and "母盘" in text.zh


def test_a_restore_check_that_reverted_is_named_once():
    earlier = [EarlierRun(at(1), "a", ("restore:pass",), "s1")]
    assert [(r.check, r.status) for r in find_reverted(at(2), ("restore:warn",), earlier, ())] == [("restore", "warn")]


def test_a_lost_marker_over_a_folder_of_reports(tmp_path):
    prof = site_profile(tmp_path, seats=1)
    reports = tmp_path / "reports"

    def marker(stamps, now_id):
        return {"path": r"C:\ProgramData\exam-readiness\boot-marker.json", "written": True, "error": None,
                "stamps": [{"id": i, "written_at": 1.0, "uptime_s": 1.0} for i in stamps],
                "now": {"id": now_id, "written_at": 2.0, "uptime_s": 2.0}}
    make_report(reports, "PC01", prof, {"restore.boot_marker": marker([], "s1")}, minutes=0, name="1.json")
    make_report(reports, "PC01", prof, {"restore.boot_marker": marker(["s1"], "s2")}, minutes=60, name="2.json")
    make_report(reports, "PC01", prof, {"restore.boot_marker": marker(["s1"], "s3")}, minutes=120, name="3.json")  # s2 gone
    for rejudge in (None, str(prof)):
        agg = aggregate([str(reports)], rejudge, workers=1)
        (m,) = agg.sites[0].machines
        assert [(r.check, r.status) for r in m.reverted] == [("restore", "lost")]
        assert m.reverted[0].passed_at.startswith("2026-11-24T10:00")  # the run that left s2


def test_a_pass_at_the_same_time_or_later_is_no_before():
    earlier = [EarlierRun(at(5), at(5).isoformat(), ("a:pass",)), EarlierRun(at(9), at(9).isoformat(), ("a:pass",))]
    assert find_reverted(at(5), ("a:fail",), earlier) == ()
    assert find_reverted(at(6), ("a:fail",), earlier) == (Reverted("a", at(5).isoformat(), "fail"),)


def test_the_newest_earlier_pass_is_named():
    earlier = [EarlierRun(at(1), "first", ("a:pass",)), EarlierRun(at(3), "second", ("a:pass",)),
               EarlierRun(at(2), "between", ("a:fail",))]
    assert find_reverted(at(4), ("a:fail",), earlier)[0].passed_at == "second"


def test_words_say_what_happened_and_what_to_do():
    r = Reverted("font-msyh", "2026-11-28T09:20:00+08:00", "fail")
    text = reverted_text(r, Text("MSYH font", "MSYH 字体"), BEIJING)
    assert "MSYH font passed on 2026-11-28 09:20 UTC+08:00 and fails now" in text.en and "master image" in text.en
    assert "2026-11-28 09:20 UTC+08:00 曾通过" in text.zh and "母盘" in text.zh
    clock = reverted_text(Reverted("clock", "2026-11-28T09:20:00+08:00", "warn"), Text("Clock", "时钟"), BEIJING)
    assert "CMOS battery" in clock.en and "电池" in clock.zh


def test_the_time_it_passed_is_said_in_the_sites_zone_whatever_zone_the_pc_wrote_it_in():
    """A PC set to UTC wrote 01:20Z: the site (UTC+08:00) reads 09:20 with its zone, not 01:20."""
    utc_pc = reverted_text(Reverted("font-msyh", "2026-11-28T01:20:00Z", "fail"), Text("MSYH font", "MSYH 字体"), BEIJING)
    assert "passed on 2026-11-28 09:20 UTC+08:00" in utc_pc.en
    odd = reverted_text(Reverted("font-msyh", "not a time", "fail"), Text("MSYH font", "MSYH 字体"), BEIJING)
    assert "passed on not a time" in odd.en  # not an instant: shown as it is, never guessed


def _three_runs(folder: Path, profile: Path, host: str, id_: str | None = None) -> None:
    changes = {"host.machine_id": id_} if id_ else {}
    make_report(folder, host, profile, dict(NO_FONT, **changes), minutes=0, name=f"{host}-1.json")   # fails
    make_report(folder, host, profile, dict(changes), minutes=60, name=f"{host}-2.json")             # fixed
    make_report(folder, host, profile, dict(NO_FONT, **changes), minutes=24 * 60, name=f"{host}-3.json")  # lost


def test_fail_pass_fail_is_named_by_aggregate_over_a_folder(tmp_path):
    prof = site_profile(tmp_path, seats=3)
    reports = tmp_path / "reports"
    _three_runs(reports, prof, "PC01")
    make_report(reports, "PC02", prof, NO_FONT, minutes=0, name="PC02-1.json")  # another machine: never passed
    make_report(reports, "PC03", prof, {}, minutes=0, name="PC03-1.json")        # and one that passes
    for rejudge in (None, str(prof)):
        agg = aggregate([str(reports)], rejudge)
        machines = {m.hostname: m for m in agg.sites[0].machines}
        assert [r.check for r in machines["PC01"].reverted] == ["font-msyh"]
        assert machines["PC01"].reverted[0].passed_at.startswith("2026-11-24T10:00")
        assert machines["PC02"].reverted == () and machines["PC03"].reverted == ()
        doc = json.loads(site_json.render(agg))
        rows = {m["hostname"]: m for m in doc["sites"][0]["machines"]}
        assert rows["PC01"]["reverted"] == ["font-msyh"] and rows["PC02"]["reverted"] == []


def test_reports_of_different_machines_never_mix(tmp_path):
    """PC01 passed, PC02 fails: PC02 did not revert. Clones sending one machine id are apart too."""
    prof = site_profile(tmp_path, seats=4)
    reports = tmp_path / "reports"
    make_report(reports, "PC01", prof, {}, minutes=0, name="a.json")
    make_report(reports, "PC02", prof, NO_FONT, minutes=60, name="b.json")
    make_report(reports, "LAB-A", prof, {"host.machine_id": "same-image"}, minutes=0, name="c.json")
    make_report(reports, "LAB-B", prof, dict(NO_FONT, **{"host.machine_id": "same-image"}), minutes=60, name="d.json")
    agg = aggregate([str(reports)])
    assert all(m.reverted == () for m in agg.sites[0].machines), [(m.hostname, m.reverted) for m in agg.sites[0].machines]


def test_a_clone_keeps_its_own_history(tmp_path):
    """Host A of a cloned image passes then fails; host B appears later: A's history moves with it."""
    prof = site_profile(tmp_path, seats=2)
    reports = tmp_path / "reports"
    make_report(reports, "LAB-A", prof, {"host.machine_id": "img"}, minutes=0, name="1.json")
    make_report(reports, "LAB-A", prof, dict(NO_FONT, **{"host.machine_id": "img"}), minutes=60, name="2.json")
    make_report(reports, "LAB-B", prof, dict(NO_FONT, **{"host.machine_id": "img"}), minutes=120, name="3.json")
    agg = aggregate([str(reports)], workers=1)
    machines = {m.hostname: m for m in agg.sites[0].machines}
    assert [r.check for r in machines["LAB-A"].reverted] == ["font-msyh"]
    assert machines["LAB-B"].reverted == ()


def test_every_site_output_says_it(tmp_path):
    from readiness.reports import site_csv, site_html, site_text, site_xlsx

    prof = site_profile(tmp_path, seats=1)
    reports = tmp_path / "reports"
    _three_runs(reports, prof, "PC01")
    agg = aggregate([str(reports)])
    en, zh = site_text.render(agg, "en"), site_text.render(agg, "zh")
    assert "MSYH font passed on 2026-11-24 10:00 UTC+08:00 and fails now" in en and "master image" in en
    assert "曾通过" in zh and "母盘" in zh
    html = site_html.render(agg)
    assert "passed on 2026-11-24 10:00 UTC+08:00 and fails now" in html and "母盘" in html
    csv = site_csv.render(agg)
    assert "MSYH font (2026-11-24 10:00 UTC+08:00)" in csv
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(site_xlsx.render(agg)))["Machines"]
    head = [c.value for c in sheet[1]]
    assert sheet.cell(2, head.index("reverted") + 1).value == "MSYH font (2026-11-24 10:00 UTC+08:00)"
