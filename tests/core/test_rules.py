"""The plan's rules, each pinned by its edges: just under, at, just over.

A rule changed slightly (the disk floor 200 -> 199, the tolerance 2.0 -> 2.4 %, the listening rate
5 -> 4.8 Mbit/s a seat) must fail a row here, not only a golden text. The rules are applied through
the checks that use them and through the site's aggregate, so a PC and its site are held to one
answer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from readiness.core import rules
from readiness.pc.fix.inifix import set_opengl_level
from readiness.core.model import Status, Tally
from tests.site.aggregate.reports import make_report, network, site_profile
from tests.checks.judge import judge_one
from tests.helpers import ROOT, with_facts

GB, GIB = 10**9, 2**30
P, W, F, E, S = Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP


# --- verdicts: precedence and exit codes ---------------------------------------------------------

@pytest.mark.parametrize("statuses, verdict, code", [
    ([], P, 0),
    ([P, S], P, 0),
    ([S], P, 0),
    ([P, W], W, 0),
    ([W, E], E, 3),
    ([P, E, W], E, 3),
    ([E, F], F, 1),
    ([W, F, P], F, 1),
    (["fail", "warn"], F, 1),  # plain values, as machine summaries carry them
    ({"error", "pass"}, E, 3),
])
def test_precedence_and_exit_codes(statuses, verdict, code):
    assert rules.overall(statuses) is verdict
    assert rules.exit_code(verdict) == code
    assert Tally.from_statuses(Status(s) for s in statuses).status is verdict
    assert Tally.from_statuses(Status(s) for s in statuses).exit_code == code


def test_severity_sorts_worst_first_and_unknown_last():
    assert sorted(["pass", "warn", "skip", "fail", "error", "bogus"], key=rules.severity) == \
        ["fail", "error", "warn", "pass", "skip", "bogus"]


# --- downlink -------------------------------------------------------------------------------------

@pytest.mark.parametrize("measured, verdict", [
    (100.0, P), (100.01, P), (99.99, W),    # the requirement itself
    (90.0, W), (89.99, F),                  # 10 % below warns, further fails
    (0.0, F),
])
def test_downlink_status_edges(measured, verdict):
    assert rules.downlink_status(measured, 100.0, 10.0) is verdict


@pytest.mark.parametrize("seats, listening, required", [
    (50, False, 100.0),     # the plan: 100 Mbit/s per 50 seats
    (100, True, 500.0),     # 500 per 100 in listening exams
    (1, True, 5.0), (1, False, 2.0),
])
def test_seat_rates_are_the_plans(profile, seats, listening, required):
    assert rules.required_mbps(profile, seats, listening) == required


# The whole chain at the edges, PC and site: 100 listening seats need 500 Mbit/s; 10 % below warns.
LISTENING_EDGES = [(500.0, P), (499.9, W), (450.0, W), (449.9, F)]


@pytest.mark.parametrize("mbps, verdict", LISTENING_EDGES)
def test_listening_rate_on_the_pc(loaded, make_profile, mbps, verdict):
    prof = make_profile(site__seats=100, site__listening=True)
    facts = with_facts({"not_collected": {}, "network": network(mbps)})
    assert judge_one(loaded, "bandwidth", facts, prof).status is verdict


@pytest.mark.parametrize("mbps, verdict", LISTENING_EDGES)
def test_listening_rate_at_the_site(tmp_path, mbps, verdict):
    from readiness.site.aggregate.build import aggregate

    prof = tmp_path / "site.toml"
    prof.write_text('[site]\nid = "1101"\nseats = 100\nlistening = true\npublic_ips = ["203.0.113.7"]\n',
                    encoding="utf-8")
    make_report(tmp_path / "r", "PC01", prof, net=network(mbps))
    site = aggregate([str(tmp_path / "r")], str(prof)).sites[0]
    downlink = [p for p in site.findings if "Downlink" in p.what.en]
    assert (downlink[0].status if downlink else P) is verdict


def test_paper_load_time():
    assert rules.PLAN_LOAD_S == 80
    assert rules.load_seconds(50, 20, 100) == 80.0  # 50 seats x 20 MB x 8 / 100 Mbit/s


# --- registered public IPs: one comparison for the PC and the site -------------------------------

@pytest.mark.parametrize("registered, seen, unregistered", [
    (["2001:DB8::1"], ["2001:db8::1"], []),
    (["2001:db8:0:0::1"], ["2001:db8::1"], []),
    ([" 203.0.113.7 "], ["203.0.113.7"], []),
    (["203.0.113.7"], ["203.0.113.8"], ["203.0.113.8"]),
    (["203.0.113.7"], ["203.0.113.8", "203.0.113.8", "203.0.113.7"], ["203.0.113.8"]),
    (["::ffff:203.0.113.7"], ["203.0.113.7"], []),  # an IPv4 address spelled as IPv6 is that address (issue 28)
    (["203.0.113.7"], ["::ffff:203.0.113.7", "::ffff:203.0.113.8"], ["203.0.113.8"]),
    ([], ["203.0.113.7"], ["203.0.113.7"]),
])
def test_unregistered_ips(registered, seen, unregistered):
    assert rules.unregistered_ips(seen, registered) == unregistered


@pytest.mark.parametrize("registered, egress, verdict", [
    ("2001:DB8::1", "2001:db8::1", P),
    ("2001:db8::1", "2001:DB8:0::1", P),
    ("2001:db8::1", "2001:db8::2", F),
])
def test_pc_and_site_agree_on_registration(tmp_path, loaded, registered, egress, verdict):
    from readiness.site.aggregate.build import aggregate
    from readiness.core.loading import load_checks_and_profile

    prof = site_profile(tmp_path, seats=1, ips=(registered,))
    _, p = load_checks_and_profile(prof)
    facts = with_facts({"not_collected": {}, "network": network(120.0, ip=egress)})
    assert judge_one(loaded, "public-ip", facts, p).status is verdict
    make_report(tmp_path / "r", "PC01", prof, net=network(120.0, ip=egress))
    for rejudge in (None, str(prof)):
        site = aggregate([str(tmp_path / "r")], rejudge).sites[0]
        egress_problems = [p for p in site.findings if "egress" in p.what.en.lower()]
        assert (egress_problems[0].status if egress_problems else P) is verdict, (rejudge, site.egress)
        assert site.machines[0].status == ("pass" if verdict is P else "fail")


# --- storage: 200 GB, 2 % for system partitions ---------------------------------------------------

def _disk(total: int) -> dict:
    return {"mountpoint": "C:\\", "kind": "fixed", "total_bytes": total, "free_bytes": 50 * GB, "system": True,
            "bus": "sata", "volume": None}


@pytest.mark.parametrize("total, verdict", [
    (196 * GB, P), (196 * GB - 1, F),             # the floor: 200 GB less 2 %
    (int(195.99 * GB), F),                        # would pass with a 199 GB default or a 2.4 % tolerance
    (200 * GB, P), (128 * GB, F),
])
def test_disk_floor_edges(loaded, profile, total, verdict):
    assert judge_one(loaded, "disk", with_facts({"disks": [_disk(total)]}), profile).status is verdict


def test_disk_defaults_are_the_plans(profile):
    assert (profile["disk.min_total_gb"], profile["disk.tolerance_percent"]) == (200.0, 2.0)


# --- memory: 8 GiB installed, else 7 GiB usable --------------------------------------------------

@pytest.mark.parametrize("installed, usable, verdict", [
    (8 * GIB, None, P), (8 * GIB - 1, None, F), (8 * GIB - 1, 8 * GIB, F),  # installed decides when known
    (8 * 10**9, None, F),                                                    # "8 GB" decimal is less than 8 GiB
    (None, 7 * GIB, P), (None, 7 * GIB - 1, F),
    (None, None, E),
])
def test_memory_edges(loaded, profile, installed, usable, verdict):
    facts = with_facts({"memory.installed_bytes": installed, "memory.usable_bytes": usable})
    assert judge_one(loaded, "memory", facts, profile).status is verdict


# --- the operating system: Windows 10 is 10240 <= build < 22000 ----------------------------------

@pytest.mark.parametrize("build, verdict", [(10239, F), (10240, P), (19045, P), (21999, P), (22000, W)])
def test_windows_build_edges(loaded, profile, build, verdict):
    facts = with_facts({"os.build": build, "os.name": "Windows 10 Pro", "os.release": "10"})
    assert judge_one(loaded, "os", facts, profile).status is verdict


# --- OpenGL/Level: the check and fix read one rule; sections and keys without case ----------------

@pytest.mark.parametrize("level, ok", [("0", True), (" 0 ", True), ("00", False), ("1", False), ("", False),
                                       (None, False)])
def test_opengl_level_rule(level, ok):
    assert rules.opengl_level_ok(level, "0") is ok


@pytest.mark.parametrize("before, after", [
    (b"[opengl]\r\nLevel=1\r\n", b"[opengl]\r\nLevel=0\r\n"),
    (b"[OPENGL]\nlevel=2\n", b"[OPENGL]\nlevel=0\n"),
    (b"[opengl]\r\nOther=1\r\n", b"[opengl]\r\nLevel=0\r\nOther=1\r\n"),  # into the section, not a second one
    (b"[OpenGL]\r\nLevel= 0\r\n", None),                                   # already what the plan prescribes
])
def test_fix_finds_the_section_without_case(before, after):
    assert set_opengl_level(before, "0") == after


# --- the core never leans on a plugin -------------------------------------------------------------

def test_no_core_module_imports_a_check():
    offenders = []
    for path in sorted((ROOT / "readiness").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith("readiness.checks")]
    assert offenders == []


def test_the_keys_the_core_reads_are_the_cores(loaded):
    from readiness.core.settings import CORE_SETTINGS

    core = {s.key for s in CORE_SETTINGS}
    for key in ("bandwidth.per_seat_mbps", "bandwidth.listening_per_seat_mbps", "bandwidth.paper_mb",
                "bandwidth.tolerance_percent", "client.opengl_level", "fonts.families"):
        assert key in core and key not in {s.key for s in loaded.settings}


def test_the_site_is_judged_when_every_plugin_fails_to_load(tmp_path):
    """Without any check installed the core still folds reports and plans fixes: no KeyError."""
    from readiness.site.aggregate.site import Aggregator
    from readiness.pc.fix.actions import propose_changes
    from readiness.core.plugin import LoadedChecks
    from readiness.core.profile import load_profile
    from readiness.core.settings import CORE_SETTINGS

    bare = load_profile(site_profile(tmp_path, seats=2), CORE_SETTINGS)
    assert LoadedChecks(()).settings == ()
    report = make_report(tmp_path / "r", "PC01", site_profile(tmp_path, seats=2), net=network(1.0))
    from readiness.core.inputs import Source
    from readiness.site.aggregate.machines import read_machine

    agg = Aggregator(bare, rejudged=True)
    agg.add(read_machine(report.read_bytes(), Source(str(report), str(report)), None))
    site = agg.result().sites[0]
    assert site.status is Status.FAIL and site.bandwidth["required_mbps"] == 4.0
    assert propose_changes(with_facts({}), bare.values).actions is not None


def test_rules_module_is_the_only_place_of_the_plans_numbers():
    """The seat rate, the tolerance and the 80 s appear as rules, not as copies elsewhere."""
    for path in [*(ROOT / "readiness").rglob("*.py"), *(ROOT / "checks").rglob("*.py")]:
        if path.name in ("rules.py", "settings.py"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "tolerance_percent\"] / 100" not in text or "disk.tolerance_percent" in text, path
        assert "PLAN_LOAD_S = " not in text, path


# --- the PC's clock ---------------------------------------------------------------------------------

@pytest.mark.parametrize("off_by, verdict", [
    (0.0, P), (59.0, P), (60.0, P), (61.0, W),        # clock.warn_s = 60
    (299.0, W), (300.0, W), (301.0, F),               # clock.fail_s = 300
    (3 * 86400.0, F),
])
def test_clock_status_edges(off_by, verdict):
    assert rules.clock_status(off_by, 60, 300) is verdict


def test_a_fail_bound_below_the_warn_bound_cannot_make_a_worse_clock_pass():
    assert rules.clock_status(100, 300, 60) is F
    assert rules.clock_status(50, 300, 60) is P and rules.clock_status(61, 300, 60) is F


@pytest.mark.parametrize("server, sent, received, offset, uncertainty", [
    (1000.0, 1000.0, 1000.0, 0.0, 1.0),      # instant answer: only Date's one-second resolution
    (1000.0, 999.0, 1001.0, 0.0, 2.0),       # 2 s round trip: ±1 s more
    (1120.0, 1000.0, 1000.2, 119.9, 1.1),    # the server is 2 minutes ahead: this PC is behind
    (880.0, 1000.0, 1000.2, -120.1, 1.1),    # this PC is ahead
    (1000.0, 1001.0, 1000.0, -0.5, 1.0),     # a receive before the send (a clock step) is no negative round trip
])
def test_clock_offset_allows_for_the_round_trip(server, sent, received, offset, uncertainty):
    got_offset, got_unc = rules.clock_offset(server, sent, received)
    assert got_offset == pytest.approx(offset) and got_unc == pytest.approx(uncertainty)


@pytest.mark.parametrize("offset, uncertainty, off_by", [
    (61.0, 1.0, 60.0), (-61.0, 1.0, 60.0), (0.5, 1.0, 0.0), (62.5, 2.5, 60.0),
])
def test_the_uncertainty_is_given_to_the_pc(offset, uncertainty, off_by):
    assert rules.clock_off_by(offset, uncertainty) == pytest.approx(off_by)


# --- restore protection ---------------------------------------------------------------------------

def test_protection_on_leaves_out_disabled_drivers_and_thawed_states():
    found = [{"product": "fbwf", "start": 0}, {"product": "ewf", "start": 4}, {"product": "deep-freeze", "state": "thawed"},
             {"product": "uwf", "state": "on"}, {"product": "shadow-defender", "start": None}, "not an object"]
    assert [f["product"] for f in rules.protection_on(found)] == ["fbwf", "uwf"]
    assert rules.product_states(found) == {"fbwf": "on", "ewf": "off", "deep-freeze": "off", "uwf": "on",
                                           "shadow-defender": "unknown"}


# Start: 2 auto, 3 demand (still loads: not off), 4 disabled (off), for a product on when installed
@pytest.mark.parametrize("start, state", [(2, "on"), (3, "on"), (4, "off"), (None, "on")])
def test_a_services_start_under_at_over_disabled(start, state):
    assert rules.product_states([{"product": "ewf", "start": start}]) == {"ewf": state}


@pytest.mark.parametrize("states, verdict", [
    (["frozen"], "on"), (["on"], "on"), (["thawed"], "off"), (["off"], "off"), ([None], "unknown"),
    (["bogus"], "unknown"), (["thawed", "frozen"], "on"),  # any protecting state wins
])
def test_each_state_read_from_the_product(states, verdict):
    found = [{"product": "deep-freeze", "start": None, "state": s} for s in states]
    assert rules.product_states(found) == {"deep-freeze": verdict}


def test_every_service_disabled_is_off_one_loading_is_not():
    both_off = [{"product": "deep-freeze", "start": 4}, {"product": "deep-freeze", "start": 4}]
    assert rules.product_states(both_off) == {"deep-freeze": "off"}
    one_loads = [{"product": "deep-freeze", "start": 4}, {"product": "deep-freeze", "start": 3}]
    assert rules.product_states(one_loads) == {"deep-freeze": "unknown"}


@pytest.mark.parametrize("written, read, lost", [
    (["a"], ["a"], False), (["a"], ["z", "a"], False), (["a"], [], True), (["a"], ["z"], True), ([], [], False),
])
def test_a_marker_an_earlier_run_wrote_and_a_later_one_did_not_read_is_lost(written, read, lost):
    assert rules.marker_lost(written, read) is lost


@pytest.mark.parametrize("off_by, beyond", [(53999.0, False), (54000.0, False), (54000.1, True), (3 * 365 * 86400.0, True)])
def test_w32time_corrects_up_to_15_hours(off_by, beyond):
    assert rules.beyond_w32time(off_by) is beyond


def test_the_exam_server_decides_the_site_server_only_without_it():
    exam = [{"offset_s": 600.0, "uncertainty_s": 1.0}]
    site = [{"offset_s": 0.0, "uncertainty_s": 0.1}]
    assert rules.deciding_clock(exam, site) is exam[0]
    assert rules.deciding_clock([], site) is site[0]
    assert rules.deciding_clock([], []) is None
    two = [{"offset_s": 600.0, "uncertainty_s": 1.0}, {"offset_s": 2.0, "uncertainty_s": 1.0}]
    assert rules.deciding_clock(two, site) is two[1]


@pytest.mark.parametrize("text, seconds", [
    ("+08:00", 28800.0), ("+0800", 28800.0), ("-03:30", -12600.0), ("+00:00", 0.0), ("+14:00", 50400.0),
    ("-12:00", -43200.0), ("+14:01", None), ("-12:01", None), ("+08:60", None), ("08:00", None), ("", None),
    ("UTC+8", None),
])
def test_utc_offsets(text, seconds):
    assert rules.utc_offset_s(text) == seconds


@pytest.mark.parametrize("pc, exam, same", [(28800, 28800, True), (28800 - 29, 28800, True), (28800 - 60, 28800, False),
                                            (-28800, 28800, False), (0, 28800, False)])
def test_zone_matches_to_the_minute(pc, exam, same):
    assert rules.zone_matches(pc, exam) is same


def test_the_exams_offset_comes_from_its_start_else_the_setting():
    assert rules.exam_utc_offset(["2026-12-05T08:30:00+09:00"], "+08:00") == (32400.0, "exam.starts_at")
    assert rules.exam_utc_offset(["2026-12-05T00:30:00Z"], "+08:00") == (0.0, "exam.starts_at")
    assert rules.exam_utc_offset([], "+08:00") == (28800.0, "clock.utc_offset")
    assert rules.exam_utc_offset(["not a time"], "-05:00") == (-18000.0, "clock.utc_offset")


def test_the_escalation_default_is_five_minutes_before_the_start(profile):
    """The plan's 5 minutes as the profile's default, under/at/over the window's opening."""
    from readiness.core.exam import Timeline

    timeline = Timeline.from_profile(profile)
    assert profile["exam.escalate_before_s"] == rules.ESCALATE_BEFORE_S == 300.0
    for now, inside in ((START - 300.1, False), (START - 300.0, True), (START - 299.9, True)):
        assert rules.in_escalation_window(now, START, timeline.escalate_before_s, timeline.duration_s) is inside


# --- the chain of command: stale, the escalation window --------------------------------------------

@pytest.mark.parametrize("age, heartbeat, stale", [
    (179.9, 60, False), (180.0, 60, False), (180.1, 60, True),  # three heartbeats: at is not yet stale
    (14.9, 5, False), (15.1, 5, True),
])
def test_stale_after_three_heartbeats(age, heartbeat, stale):
    assert rules.is_stale(1000.0 + age, 1000.0, heartbeat) is stale


def test_never_heard_is_not_stale_but_unknown():
    assert rules.is_stale(10**9, None, 60) is False


START, BEFORE, DURATION = 10_000.0, 300.0, 5400.0


@pytest.mark.parametrize("now, inside", [
    (START - BEFORE - 0.1, False), (START - BEFORE, True), (START - 1, True), (START, True),
    (START + DURATION - 0.1, True), (START + DURATION, False),
])
def test_escalation_window_edges(now, inside):
    assert rules.in_escalation_window(now, START, BEFORE, DURATION) is inside


@pytest.mark.parametrize("now, ready, last_seen, stale, escalate", [
    (START - BEFORE - 1, False, START - 1000, False, False),  # not ready, but before the window: not yet
    (START - BEFORE, False, START - 1000, False, True),  # at the window's opening: escalated
    (START - BEFORE, True, START - 1000, False, False),  # ready inside the window
    (START - 10, True, START - BEFORE - 0.1, True, True),  # last word before the window, silent since
    (START - 10, True, START - BEFORE, True, False),  # last word at the opening said ready; silent after
    (START - 10, False, START - BEFORE + 1, True, True),  # said not ready inside the window
    (START - 10, True, None, False, True),  # never heard from, inside the window
    (START - BEFORE - 1, True, None, False, False),  # never heard from, before the window
    (START + DURATION, False, None, True, False),  # the exam is over
])
def test_escalate_edges(now, ready, last_seen, stale, escalate):
    assert rules.escalate(now, START, BEFORE, DURATION, ready, last_seen, stale) is escalate


def test_escalate_without_an_exam_start_never_fires():
    assert rules.escalate(START, None, BEFORE, DURATION, False, None, True) is False


@pytest.mark.parametrize("now, start", [
    (0.0, 1000.0), (999.9, 1000.0), (1000.0, 1000.0), (1000.0 + DURATION - 0.1, 1000.0),
    (1000.0 + DURATION, 20_000.0),  # the first is over: the next one
    (20_000.0 + DURATION, None),  # every start is past
])
def test_the_start_that_matters(now, start):
    assert rules.exam_under_way_or_next((20_000.0, 1000.0), now, DURATION) == start


@pytest.mark.parametrize("status, ready", [("pass", True), ("warn", True), ("fail", False), ("error", False),
                                           (None, False), (Status.WARN, True)])
def test_ready_is_pass_or_warn(status, ready):
    assert rules.is_ready(status) is ready
