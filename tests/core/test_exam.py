"""The exam day's timeline: starts with their offset, the deadlines counted back from the start."""

from __future__ import annotations

import pytest

from readiness.core import rules
from readiness.core.exam import SiteFacts, Timeline, deadline_state, exam_section
from readiness.core.times import iso, parse_instant
from readiness.core.profile import build_profile, ProfileError
from readiness.core.settings import CORE_SETTINGS


@pytest.mark.parametrize("text, ok", [
    ("2026-12-05T08:30:00+08:00", True), ("2026-12-05T00:30:00Z", True), ("2026-12-05 08:30:00+08:00", True),
    ("2026-12-05T08:30:00", False),  # no offset: a different moment on a PC in another zone
    ("2026-12-05", False), ("tomorrow", False), ("", False), (None, False), (1764895800, False),
    ("2026-13-05T08:30:00+08:00", False), ("9" * 100, False),
])
def test_a_start_needs_its_offset(text, ok):
    assert (parse_instant(text) is not None) is ok


def test_the_profile_refuses_a_start_without_an_offset():
    with pytest.raises(ProfileError, match="offset"):
        build_profile({"exam": {"starts_at": ["2026-12-05T08:30:00"]}}, CORE_SETTINGS)
    p = build_profile({"exam": {"starts_at": ["2026-12-05T14:00:00+08:00", "2026-12-05T08:30:00+08:00"]}}, CORE_SETTINGS)
    assert Timeline.from_profile(p).starts_s == (parse_instant("2026-12-05T08:30:00+08:00").timestamp(),
                                                 parse_instant("2026-12-05T14:00:00+08:00").timestamp())


@pytest.mark.parametrize("done, now, due, state", [
    (True, 200, 100, "done"), (False, 99.9, 100, "open"), (False, 100, 100, "overdue"),
    (None, 99.9, 100, "unknown"), (None, 100, 100, "overdue"), (False, 5, None, "open"),
])
def test_deadline_states(done, now, due, state):
    assert deadline_state(done, now, due) == state


START = 1_800_000_000.0


def facts(**given):
    base = dict(ready=True, seats_reported=True, phones_checked=True, ips_registered=True, rehearsal_done=True)
    base.update(given)
    return SiteFacts(**base)


def test_invigilators_are_due_48_hours_before_and_the_rest_at_the_escalation_moment():
    t = Timeline((START,), 300.0)
    before_48h = START - rules.INVIGILATORS_BEFORE_S
    ahead = exam_section(t, facts(seats_reported=False, ips_registered=None), before_48h - 1)
    states = {d["id"]: d["state"] for d in ahead["deadlines"]}
    assert states == {"invigilators": "open", "seats_reported": "open", "phones_checked": "done",
                      "ips_registered": "unknown", "rehearsal_done": "done"}
    late = exam_section(t, facts(seats_reported=False, ips_registered=None), before_48h)
    assert {d["id"]: d["state"] for d in late["deadlines"]}["invigilators"] == "overdue"
    at_window = exam_section(t, facts(seats_reported=False, ips_registered=None, invigilators_at="x"), START - 300)
    states = {d["id"]: d["state"] for d in at_window["deadlines"]}
    assert states["seats_reported"] == "overdue" and states["ips_registered"] == "overdue"
    assert states["invigilators"] == "done"
    assert next(d for d in at_window["deadlines"] if d["id"] == "invigilators")["done_at"] == "x"
    assert at_window["next_start"] == iso(START) and at_window["seconds_to_start"] == 300.0


def test_the_sites_own_escalation_flag():
    t = Timeline((START,), 300.0)
    assert exam_section(t, facts(ready=False), START - 300)["escalate"] is True
    assert exam_section(t, facts(ready=False), START - 301)["escalate"] is False
    assert exam_section(t, facts(ready=True), START - 10)["escalate"] is False
    assert exam_section(Timeline(()), facts(ready=False), START)["next_start"] is None


def test_every_deadline_is_worded_in_both_languages():
    section = exam_section(Timeline((START,)), facts(), START - 10)
    for d in section["deadlines"]:
        assert d["title"]["en"] and d["title"]["zh"] and d["title"]["en"] != d["title"]["zh"]
        assert d["state_text"]["en"] != d["state_text"]["zh"]
