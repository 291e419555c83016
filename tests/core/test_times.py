"""One rule for an instant without a zone (readiness.core.times), held at every door: it is no
instant. A profile's exam start without an offset is refused; a report whose checked_at has none
counts as a run of unknown time, older than any dated run of that PC (it was read as UTC before)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from readiness.core.profile import ProfileError, build_profile
from readiness.core.settings import CORE_SETTINGS
from readiness.core.times import (exam_zone, file_stamp, fixed_zone, in_zone, iso, now_iso, offset_minutes, parse_instant,
                                   when, zone_label, zone_of)
from readiness.site.aggregate.build import aggregate
from tests.site.aggregate.reports import T0, make_report, site_profile

NAIVE = "2026-12-05T08:30:00"


@pytest.mark.parametrize("text, seconds", [
    ("2026-12-05T08:30:00+08:00", 1796430600), ("2026-12-05T00:30:00Z", 1796430600),
    ("2026-12-05T00:30:00z", 1796430600), (" 2026-12-05T00:30:00+00:00 ", 1796430600),
    (NAIVE, None), ("2026-12-05", None), ("1999-12-31T23:59:59+00:00", None),  # under the range
    ("2000-01-01T00:00:00+00:00", 946684800),  # at it
    ("2201-01-01T00:00:00+00:00", None), ("0001-01-01T00:00:00+14:00", None), (1796430600, None),
])
def test_parse_instant(text, seconds):
    found = parse_instant(text)
    assert (None if found is None else int(found.timestamp())) == seconds


def test_what_this_tool_writes_carries_its_offset_and_reads_back():
    assert parse_instant(now_iso()) is not None and parse_instant(iso(1796430600)).timestamp() == 1796430600
    assert iso(None) is None
    assert file_stamp(datetime(2026, 11, 27, 10, 15, 0)) == "20261127-101500"
    assert iso(1796430600, fixed_zone(8 * 3600)) == "2026-12-05T08:30:00+08:00"
    assert now_iso(datetime(2026, 12, 7, 7, 23, tzinfo=timezone.utc), fixed_zone(-3 * 3600)) == "2026-12-07T04:23:00-03:00"


BEIJING, SAO_PAULO, NEWFOUNDLAND = fixed_zone(8 * 3600), fixed_zone(-3 * 3600), fixed_zone(-(3 * 3600 + 1800))


# The one display rule: year-month-day, 24 h, the zone said; in the zone given, whatever the zone the
# time was written in (a PC set to UTC, to another zone) and whatever this computer's.
@pytest.mark.parametrize("value, zone, seconds, shown", [
    ("2026-12-07T15:23:05+08:00", BEIJING, False, "2026-12-07 15:23 UTC+08:00"),
    ("2026-12-07T15:23:05+08:00", BEIJING, True, "2026-12-07 15:23:05 UTC+08:00"),
    ("2026-12-07T07:23:05Z", BEIJING, False, "2026-12-07 15:23 UTC+08:00"),  # a PC report written in UTC
    ("2026-12-07T02:23:05-05:00", BEIJING, False, "2026-12-07 15:23 UTC+08:00"),  # ... in New York's
    # midnight in the site's zone: under, at, over (the date turns with the site's, not UTC's)
    ("2026-12-07T15:59:59Z", BEIJING, True, "2026-12-07 23:59:59 UTC+08:00"),
    ("2026-12-07T16:00:00Z", BEIJING, True, "2026-12-08 00:00:00 UTC+08:00"),
    ("2026-12-07T16:00:01Z", BEIJING, True, "2026-12-08 00:00:01 UTC+08:00"),
    # a negative zone: the date runs behind UTC's; a half-hour one keeps its minutes
    ("2026-12-08T02:59:00Z", SAO_PAULO, False, "2026-12-07 23:59 UTC-03:00"),
    ("2026-12-08T03:00:00Z", SAO_PAULO, False, "2026-12-08 00:00 UTC-03:00"),
    ("2026-12-08T03:00:00Z", NEWFOUNDLAND, False, "2026-12-07 23:30 UTC-03:30"),
    ("2026-01-02T03:04:05+00:00", timezone.utc, True, "2026-01-02 03:04:05 UTC+00:00"),
    (1796430600, BEIJING, False, "2026-12-05 08:30 UTC+08:00"),  # Unix seconds (a round's start)
    (datetime(2026, 12, 5, 0, 30, tzinfo=timezone.utc), BEIJING, False, "2026-12-05 08:30 UTC+08:00"),
    (NAIVE, BEIJING, False, ""), (datetime(2026, 12, 5, 8, 30), BEIJING, False, ""),  # no zone: never guessed
    (None, BEIJING, False, ""), ("", BEIJING, False, ""), ("07/12/2026 15:23", BEIJING, False, ""),
    (float("nan"), BEIJING, False, ""), (1e20, BEIJING, False, ""), (True, BEIJING, False, ""),
])
def test_a_time_reads_one_way_in_the_zone_given(value, zone, seconds, shown):
    assert when(value, zone, seconds) == shown


@pytest.mark.parametrize("zone, label, minutes", [
    (BEIJING, "UTC+08:00", 480), (SAO_PAULO, "UTC-03:00", -180), (NEWFOUNDLAND, "UTC-03:30", -210),
    (timezone.utc, "UTC+00:00", 0), (fixed_zone(14 * 3600), "UTC+14:00", 840), (fixed_zone(-12 * 3600), "UTC-12:00", -720),
])
def test_a_zone_is_said_one_way_and_given_to_the_pages_in_minutes(zone, label, minutes):
    assert zone_label(zone) == label and offset_minutes(zone) == minutes


@pytest.mark.parametrize("overrides, label", [
    ({}, "UTC+08:00"),  # the plan's (clock.utc_offset's default)
    ({"exam.starts_at": ["2026-12-05T08:30:00-03:00"]}, "UTC-03:00"),  # the exam's own offset
    ({"exam.starts_at": ["2026-12-05T08:30:00+05:30", "2026-12-06T08:30:00+08:00"]}, "UTC+05:30"),  # the first
    ({"clock.utc_offset": "+09:00"}, "UTC+09:00"),  # no start: the profile's zone
    ({"clock.utc_offset": "+09:00", "exam.starts_at": ["2026-12-05T08:30:00+08:00"]}, "UTC+08:00"),
])
def test_the_sites_zone_is_the_exams(make_profile, overrides, label):
    assert zone_label(exam_zone(make_profile(**overrides))) == label


def test_a_time_in_the_site_zone_and_the_zone_a_document_was_written_in():
    assert in_zone("2026-12-07T07:23:00Z", BEIJING) == datetime(2026, 12, 7, 15, 23, tzinfo=BEIJING)
    assert zone_of("2026-12-07T04:23:00-03:00") == SAO_PAULO and zone_of(NAIVE) is None


def test_the_profile_door_refuses_a_start_without_its_zone():
    with pytest.raises(ProfileError) as caught:
        build_profile({"exam": {"starts_at": [NAIVE]}}, CORE_SETTINGS)
    assert "offset" in caught.value.reason.en and "带时区" in caught.value.reason.zh


def test_the_aggregate_door_counts_a_run_without_its_zone_as_of_unknown_time(tmp_path):
    prof = site_profile(tmp_path, seats=1)
    dated = make_report(tmp_path / "r", "PC-01", prof, name="a-dated.json")
    naive = make_report(tmp_path / "r", "PC-01", prof, {"fonts.msyh": []}, name="b-naive.json")
    doc = json.loads(naive.read_text(encoding="utf-8"))
    later = T0.astimezone(timezone.utc) + timedelta(hours=1)  # later than the dated run, were it read as UTC
    doc["checked_at"] = later.replace(tzinfo=None).isoformat(timespec="seconds")
    naive.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    site = aggregate([str(tmp_path / "r")]).sites[0]
    (machine,) = site.machines
    assert machine.source.endswith("a-dated.json") and machine.status != "fail"
