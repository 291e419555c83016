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


def test_the_server_that_agrees_best_decides(loaded, profile):
    result = judge_one(loaded, "clock", facts_with(T, site=site(600)), profile)
    assert result.status is Status.PASS and "192.168.1.10" in result.observed.en


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
