"""A site's times on every page and in every file (issue 28, item 11): one unambiguous form
(2026-11-24 09:00 UTC+08:00, never 24/11 or 11/24), in the site's zone, the exam's: not the zone the
PC wrote its report in (a PC set to UTC), nor this computer's. The CSV writes the form, the workbook
real Excel dates whose heading names the zone."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from readiness.reports import site_csv, site_html, site_json, site_text, site_xlsx
from readiness.site.aggregate.build import aggregate
from tests.site.aggregate.reports import T0, make_report, site_profile


def _with_exam(folder, start: str):
    prof = site_profile(folder, seats=2)
    prof.write_text(prof.read_text(encoding="utf-8") + f'\n[exam]\nstarts_at = ["{start}"]\n', encoding="utf-8")
    return prof


def _pc_in_utc(path):
    """The report as a PC whose zone is UTC writes it: the same instant, another offset."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["checked_at"] = T0.astimezone(timezone.utc).isoformat(timespec="seconds")  # 2026-11-24T01:00:00+00:00
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def local_zone_far_away(monkeypatch):
    """This computer in a zone that is neither the site's nor UTC (a laptop set wrong)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset: not on Windows")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("start, shown, zone", [
    ("2026-12-05T08:30:00+08:00", "2026-11-24 09:00:00 UTC+08:00", "UTC+08:00"),  # the plan's zone
    ("2026-12-05T08:30:00-03:00", "2026-11-23 22:00:00 UTC-03:00", "UTC-03:00"),  # a negative one: the day before
])
def test_every_file_of_a_site_says_its_times_in_the_exams_zone(tmp_path, local_zone_far_away, start, shown, zone):
    prof = _with_exam(tmp_path, start)
    reports = tmp_path / "reports"
    make_report(reports, "PC01", prof)
    _pc_in_utc(make_report(reports, "PC02", prof))  # a PC in another zone: read in the site's
    agg = aggregate([str(reports)], str(prof))
    assert agg.generated_at.endswith(zone[3:])  # the site's document states its zone: its level above reads it
    csv = site_csv.render(agg)
    assert csv.count(shown) == 2 and "T01:00" not in csv and "+00:00" not in csv
    page = site_html.render(agg, "en")
    assert agg.generated_at[:10] in page and zone in page  # the page's date and time, with the zone said
    sheet = __import__("openpyxl").load_workbook(io.BytesIO(site_xlsx.render(agg)))["Machines"]
    head = [c.value for c in sheet[1]]
    col = head.index(f"checked_at ({zone})") + 1
    local = datetime.fromisoformat(shown.replace(" UTC", "")).replace(tzinfo=None)
    for row in (2, 3):
        cell = sheet.cell(row, col)
        assert cell.value == local and cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm:ss"
    assert json.loads(site_json.render(agg))["generated_at"] == agg.generated_at


def test_the_built_in_profile_shows_the_plans_zone_whatever_this_computers(tmp_path, local_zone_far_away):
    prof = site_profile(tmp_path, seats=1)
    _pc_in_utc(make_report(tmp_path / "r", "PC01", prof))
    agg = aggregate([str(tmp_path / "r")])  # the reports' own verdicts, the built-in profile: +08:00
    assert agg.generated_at.endswith("+08:00")
    assert "2026-11-24 09:00:00 UTC+08:00" in site_csv.render(agg)


def test_a_report_without_a_zone_is_shown_as_it_is_never_guessed(tmp_path):
    prof = site_profile(tmp_path, seats=1)
    path = make_report(tmp_path / "r", "PC01", prof)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["checked_at"] = "2026-11-24T09:00:00"
    path.write_text(json.dumps(doc), encoding="utf-8")
    agg = aggregate([str(tmp_path / "r")])
    assert ",2026-11-24T09:00:00," in site_csv.render(agg)
    sheet = __import__("openpyxl").load_workbook(io.BytesIO(site_xlsx.render(agg)))["Machines"]
    assert sheet.cell(2, 6).value == "2026-11-24T09:00:00"  # text: not a date in any zone


def test_the_zone_a_site_writes_in_is_not_this_computers(tmp_path, local_zone_far_away):
    assert datetime.now().astimezone().utcoffset() in (timedelta(hours=-8), timedelta(hours=-7))
    agg = aggregate([str(tmp_path)])  # nothing at all: still the plan's zone
    assert agg.generated_at.endswith("+08:00")
