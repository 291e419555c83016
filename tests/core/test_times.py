"""One rule for an instant without a zone (readiness.core.times), held at every door: it is no
instant. A profile's exam start without an offset is refused; a report whose checked_at has none
counts as a run of unknown time, older than any dated run of that PC (it was read as UTC before)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from readiness.core.profile import ProfileError, build_profile
from readiness.core.settings import CORE_SETTINGS
from readiness.core.times import file_stamp, iso, now_iso, parse_instant, short_time
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
    assert short_time("2026-11-28T09:20:00+08:00") == "11-28 09:20" and short_time(NAIVE) == NAIVE


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
