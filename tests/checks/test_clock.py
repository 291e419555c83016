"""The clock check on facts: the offset rule through the check, skips, cannot tell, the site server."""

from email.utils import formatdate

import pytest

from readiness.core.model import Status
from tests.site.aggregate.reports import network
from tests.checks.judge import judge_one
from tests.helpers import with_facts

T = 1_700_000_000.0


def facts_with(date_s=None, sent=T, received=T, site=None, endpoints=True):
    net = network()
    e = net["endpoints"][0]
    e.update(date=formatdate(date_s, usegmt=True) if date_s is not None else None, sent_at=sent, received_at=received,
             rtt_s=received - sent)
    if not endpoints:
        net["endpoints"] = None
    net["site_clock"] = site
    not_collected = {} if endpoints else {"network.endpoints": "no network.endpoints in the profile"}
    return with_facts({"network": net, "not_collected": not_collected})


# Date names whole seconds, so 1 s of uncertainty is given: the PC is off by |offset| - 1.
@pytest.mark.parametrize("offset, status", [
    (0, Status.PASS), (60, Status.PASS), (61, Status.PASS), (62, Status.WARN),
    (-61, Status.PASS), (-62, Status.WARN),
    (301, Status.WARN), (302, Status.FAIL), (-3 * 86400, Status.FAIL),
])
def test_the_bounds_through_the_check(loaded, profile, offset, status):
    assert judge_one(loaded, "clock", facts_with(T + offset), profile).status is status


def test_a_slow_answer_is_given_to_the_pc(loaded, profile):
    # 4 s round trip: the server read its clock up to 2 s either side of the midpoint
    assert judge_one(loaded, "clock", facts_with(T + 2 + 63, sent=T, received=T + 4), profile).status is Status.PASS
    assert judge_one(loaded, "clock", facts_with(T + 2 + 64, sent=T, received=T + 4), profile).status is Status.WARN


def test_bounds_come_from_the_profile(loaded, make_profile):
    prof = make_profile(**{"clock.warn_s": 10.0, "clock.fail_s": 20.0})
    assert judge_one(loaded, "clock", facts_with(T + 15), prof).status is Status.WARN
    assert judge_one(loaded, "clock", facts_with(T + 30), prof).status is Status.FAIL


def test_the_finding_says_which_way_and_names_the_remedy(loaded, profile):
    result = judge_one(loaded, "clock", facts_with(T - 3 * 86400), profile)
    assert "ahead" in result.message.en and "快" in result.message.zh and "3 days" in result.message.en
    assert "w32tm /resync" in result.remedy.en and "立即同步" in result.remedy.zh and "CMOS" in result.remedy.en
    behind = judge_one(loaded, "clock", facts_with(T + 600), profile)
    assert "behind" in behind.message.en and "10 min" in behind.message.en


def test_offline_skips(loaded, profile):
    assert judge_one(loaded, "clock", with_facts({}), profile).status is Status.SKIP  # the example is --offline


def test_no_date_is_cannot_tell(loaded, profile):
    assert judge_one(loaded, "clock", facts_with(None), profile).status is Status.ERROR
    garbled = facts_with(T)
    garbled["network"]["endpoints"][0]["date"] = "yesterday"
    assert judge_one(loaded, "clock", garbled, profile).status is Status.ERROR


def test_a_date_without_the_local_times_is_cannot_tell(loaded, profile):
    facts = facts_with(T)
    facts["network"]["endpoints"][0]["sent_at"] = None
    assert judge_one(loaded, "clock", facts, profile).status is Status.ERROR


def site(offset, rtt=0.02):
    return {"url": "http://192.168.1.10:8765/api/clock", "server_time": T + offset, "sent_at": T,
            "received_at": T + rtt, "rtt_s": rtt, "error": None}


def test_the_site_server_alone_decides_without_exam_endpoints(loaded, profile):
    assert judge_one(loaded, "clock", facts_with(endpoints=False, site=site(0.3)), profile).status is Status.PASS
    # /api/clock has sub-second resolution: no extra second given
    assert judge_one(loaded, "clock", facts_with(endpoints=False, site=site(60.5)), profile).status is Status.WARN


def test_the_exam_server_decides_when_it_answered(loaded, profile):
    result = judge_one(loaded, "clock", facts_with(T, site=site(600)), profile)
    assert result.status is Status.PASS and "192.168.1.10" in result.observed.en
    # a site laptop with the same wrong clock as the PC does not outvote the exam server
    wrong = judge_one(loaded, "clock", facts_with(T + 600, site=site(0)), profile)
    assert wrong.status is Status.FAIL and wrong.details["decided_by"].startswith("https://")
    assert "of the exam server" in wrong.expected.en


# --- an HTTP Date is GMT in all three forms (RFC 9110 §5.6.7), whatever this PC's zone ----------------

DATE_FORMS = [  # each names T = 2023-11-14 22:13:20 GMT
    "Tue, 14 Nov 2023 22:13:20 GMT",       # IMF-fixdate
    "Tuesday, 14-Nov-23 22:13:20 GMT",     # obsolete RFC 850
    "Tue Nov 14 22:13:20 2023",            # asctime, no zone at all
    "Tue, 14 Nov 2023 22:13:20 -0000",     # "-0000": no zone information, still GMT
    "Tue, 14 Nov 2023 22:13:20 +0000",
    "Wed, 15 Nov 2023 06:13:20 +0800",     # a numeric offset (no conforming server sends one) is applied
]


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/Los_Angeles"])
def in_zone(request, monkeypatch):
    """The judging machine's own zone must not matter: a snapshot judged anywhere gets one verdict."""
    import time

    if not hasattr(time, "tzset"):  # Windows: the machine's own zone only
        if request.param != "UTC":
            pytest.skip("time.tzset is POSIX: the judging machine's zone is varied on Linux")
        yield "as set"
        return
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("date", DATE_FORMS)
def test_every_date_form_is_gmt_in_any_zone(loaded, profile, in_zone, date):
    facts = facts_with(T)
    facts["network"]["endpoints"][0]["date"] = date
    result = judge_one(loaded, "clock", facts, profile)
    assert result.status is Status.PASS, (in_zone, date, result.observed.en)
    assert abs(result.details["offsets"][0]["offset_s"]) < 0.01


@pytest.mark.parametrize("date", DATE_FORMS[:3])
def test_the_forms_read_three_days_off(loaded, profile, date):
    facts = facts_with(T, sent=T + 3 * 86400, received=T + 3 * 86400)
    facts["network"]["endpoints"][0]["date"] = date
    result = judge_one(loaded, "clock", facts, profile)
    assert result.status is Status.FAIL and "3 days ahead" in result.message.en


# --- Age: a cached answer keeps the origin's Date (RFC 9111 §4.2.3) ------------------------------------

@pytest.mark.parametrize("age, status", [
    (None, Status.PASS), ("0", Status.PASS),
    ("61", Status.PASS), ("62", Status.WARN),   # 1 s of Date's resolution is given: off by Age - 1
    ("600", Status.FAIL),
    ("-600", Status.PASS), ("6e2", Status.PASS), ("", Status.PASS), ("٦٠٠", Status.PASS),  # not delta-seconds: no Age
])
def test_age_is_added_to_a_cached_date(loaded, profile, age, status):
    facts = facts_with(T)  # the cache's copy says T, made `age` seconds ago: the origin's now is T + age
    facts["network"]["endpoints"][0]["age"] = age
    result = judge_one(loaded, "clock", facts, profile)
    assert result.status is status, result.observed.en
    if status is Status.FAIL:
        assert "cached answer 600 s old" in result.observed.en and "缓存" in result.observed.zh


@pytest.mark.parametrize("digits", [11, 400, 10_000])
def test_a_huge_age_is_capped_not_a_crash(loaded, profile, digits):
    facts = facts_with(T)
    facts["network"]["endpoints"][0]["age"] = "9" * digits
    assert judge_one(loaded, "clock", facts, profile).status is Status.FAIL


# --- far off: Windows Time corrects at most 15 h (MaxPos/MaxNegPhaseCorrection) ------------------------

@pytest.mark.parametrize("offset, far", [(54001, False), (54002, True), (-54001, False), (-54002, True),
                                         (3 * 365 * 86400, True)])  # off by |offset| - 1 s
def test_far_off_says_set_the_date_by_hand_first(loaded, profile, offset, far):
    result = judge_one(loaded, "clock", facts_with(T + offset), profile)
    assert result.status is Status.FAIL
    assert ("by hand first" in result.remedy.en and "手动设置" in result.remedy.zh) is far
    assert "battery" in result.remedy.en and "电池" in result.remedy.zh


def test_a_date_read_without_tls_verification_is_said(loaded, profile):
    facts = facts_with(T - 3 * 86400)
    facts["network"]["endpoints"][0].update(ok=False, failed_step="tls", date_unverified=True)
    result = judge_one(loaded, "clock", facts, profile)
    assert result.status is Status.FAIL and "3 days ahead" in result.message.en
    assert "without TLS verification" in result.observed.en and "未验证" in result.observed.zh


# --- the time zone: the PC's against the exam's ----------------------------------------------------------

def zoned(offset_s, key="China Standard Time", **changes):
    facts = facts_with(T, **changes)
    facts["time_zone"] = {"key": key, "name": key, "bias_min": -offset_s // 60, "utc_offset_s": offset_s,
                          "daylight": False, "source": "GetDynamicTimeZoneInformation"}
    return facts


@pytest.mark.parametrize("offset_s, status", [
    (8 * 3600, Status.PASS), (8 * 3600 - 60, Status.FAIL), (8 * 3600 + 60, Status.FAIL),
    (0, Status.FAIL), (-8 * 3600, Status.FAIL),
])
def test_the_zone_against_the_plans_default(loaded, profile, offset_s, status):
    result = judge_one(loaded, "clock", zoned(offset_s, "Pacific Standard Time"), profile)
    assert result.status is status
    assert "Pacific Standard Time" in result.observed.en
    if status is Status.FAIL:
        assert "UTC+08:00" in result.message.en and "China Standard Time" in result.remedy.en
        assert "时区" in result.message.zh and "时区" in result.remedy.zh
    assert result.details["exam_offset_from"] == "clock.utc_offset"


def test_the_exams_own_start_gives_the_zone(loaded, make_profile):
    prof = make_profile(**{"exam.starts_at": ["2026-12-05T08:30:00-08:00"], "clock.utc_offset": "+08:00"})
    assert judge_one(loaded, "clock", zoned(-8 * 3600), prof).status is Status.PASS
    assert judge_one(loaded, "clock", zoned(8 * 3600), prof).status is Status.FAIL
    prof = make_profile(**{"clock.utc_offset": "-08:00"})
    assert judge_one(loaded, "clock", zoned(-8 * 3600), prof).status is Status.PASS


def test_a_wrong_zone_fails_even_offline_and_a_right_one_still_skips(loaded, profile):
    offline = with_facts({})
    offline["time_zone"] = {"key": "UTC", "utc_offset_s": 0}
    result = judge_one(loaded, "clock", offline, profile)
    assert result.status is Status.FAIL and "UTC" in result.observed.en
    offline["time_zone"] = {"key": "China Standard Time", "utc_offset_s": 28800}
    assert judge_one(loaded, "clock", offline, profile).status is Status.SKIP


def test_a_wrong_zone_and_a_wrong_clock_both_said(loaded, profile):
    facts = zoned(0)
    facts["network"]["endpoints"][0]["date"] = formatdate(T + 600, usegmt=True)
    result = judge_one(loaded, "clock", facts, profile)
    assert result.status is Status.FAIL and "10 min behind" in result.message.en and "UTC+08:00" in result.message.en


@pytest.mark.parametrize("zone", [None, {}, {"key": "X"}, {"utc_offset_s": None}])
def test_no_zone_in_the_snapshot_is_not_judged(loaded, profile, zone):
    facts = facts_with(T)
    facts["time_zone"] = zone
    assert judge_one(loaded, "clock", facts, profile).status is Status.PASS


@pytest.mark.parametrize("offset", ["+08:00", float("nan"), float("inf"), 15 * 3600, -13 * 3600, True])
def test_a_wrong_typed_or_impossible_zone_is_cannot_tell(loaded, profile, offset):
    facts = facts_with(T)
    facts["time_zone"] = {"utc_offset_s": offset}
    assert judge_one(loaded, "clock", facts, profile).status is Status.ERROR


@pytest.mark.parametrize("value", ["+8", "UTC+08:00", "+15:00", "", "+08:61"])
def test_a_utc_offset_setting_that_is_no_offset_is_refused(make_profile, value):
    with pytest.raises(Exception, match="clock.utc_offset"):
        make_profile(**{"clock.utc_offset": value})


def test_no_endpoints_and_no_site_server_skips(loaded, profile):
    assert judge_one(loaded, "clock", facts_with(endpoints=False), profile).status is Status.SKIP


def test_a_site_server_that_did_not_answer_and_no_date_is_cannot_tell(loaded, profile):
    failed = {"url": "http://192.168.1.10:8765/api/clock", "server_time": None, "sent_at": None, "received_at": None,
              "rtt_s": None, "error": "connection refused"}
    assert judge_one(loaded, "clock", facts_with(endpoints=False, site=failed), profile).status is Status.ERROR


def test_facts_from_before_the_clock_was_measured_skip_it(loaded, profile):
    """A snapshot saved by an earlier version (endpoints without send/receive times, no site_clock)
    is not a clock that cannot be read: the core's rule for a check that came later makes it a skip
    (tests/core/test_since.py); the same snapshot claiming today's version is a damaged one."""
    from tests.checks.judge import judge_one
    from tests.helpers import with_facts

    old = {"endpoints": [{"url": "https://exam.example/", "ok": True, "status": 200, "dns_ms": 5, "connect_ms": 5,
                          "tls_ms": 10, "http_ms": 20, "failed_step": None, "error": None, "proxy": None}],
           "public_ip": {"ips": ["203.0.113.7"], "answers": []}, "bandwidth": None}
    result = judge_one(loaded, "clock", with_facts({"not_collected": {}, "network": old}), profile)
    assert result.status.value == "skip"
    assert "not collected by readiness 0.1.0 (this check came in 0.2.0)" in result.message.en
    current = with_facts({"not_collected": {}, "network": dict(old), "tool.version": "0.2.0"})
    damaged = judge_one(loaded, "clock", current, profile)
    assert damaged.status.value == "error" and "network.site_clock" in damaged.observed.en
