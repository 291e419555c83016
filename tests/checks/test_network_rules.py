import re

import pytest

from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts


def net(bandwidth=None, ips=None, endpoints=None, not_collected=None, errors=None):
    facts = with_facts({"not_collected": not_collected or {}, "errors": errors or {}})
    facts["network"] = {"bandwidth": bandwidth, "public_ip": {"ips": ips, "answers": []} if ips is not None else None,
                        "endpoints": endpoints}
    return facts


def bw(mbps, backend="http", note=None, error=None, reason=None):
    return {"backend": backend, "download_mbps": mbps, "note": note, "error": error, "reason": reason}


BANDWIDTH = [
    # (measured, seats, listening, expected)
    (100.0, 50, False, Status.PASS),
    (99.9, 50, False, Status.WARN),
    (90.0, 50, False, Status.WARN),
    (89.9, 50, False, Status.FAIL),
    (20.0, 50, False, Status.FAIL),
    (500.0, 100, True, Status.PASS),
    (460.0, 100, True, Status.WARN),
    (300.0, 100, True, Status.FAIL),
    (200.0, 100, False, Status.PASS),
    (2.0, 1, False, Status.PASS),
]


@pytest.mark.parametrize("mbps,seats,listening,status", BANDWIDTH)
def test_bandwidth_rule(loaded, make_profile, mbps, seats, listening, status):
    profile = make_profile(site__seats=seats, site__listening=listening)
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(mbps)), profile)
    assert result.status is status


def test_bandwidth_shows_the_paper_load_estimate(loaded, profile):
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(100.0)), profile)
    assert "about 80 s" in result.message.en and result.details["load_s"] == 80.0


def test_speedtest_caveat_is_said(loaded, profile):
    note = "speedtest-cli is known to under-report above a few hundred Mbit/s"
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(120.0, "speedtest", note)), profile)
    assert "under-report" in result.message.en


@pytest.mark.parametrize("facts,status,words", [
    (net(bandwidth=bw(None, error="the server answered HTTP 404")), Status.ERROR, "HTTP 404"),
    (net(not_collected={"network": "offline (--offline)"}), Status.SKIP, "offline"),
    (with_facts({}), Status.SKIP, "offline"),
    (net(bandwidth=bw("fast")), Status.ERROR, "expected a number"),
    (net(bandwidth=bw(float("nan"))), Status.ERROR, "expected a number"),
    (net(bandwidth=bw(-5.0)), Status.ERROR, "implausible"),
])
def test_bandwidth_unknowns(loaded, profile, facts, status, words):
    result = judge_one(loaded, "bandwidth", facts, profile)
    assert result.status is status and words in result.message.en


IPS = [
    (["203.0.113.7"], ["203.0.113.7"], Status.PASS),
    (["203.0.113.7"], ["203.0.113.7", "198.51.100.2"], Status.PASS),
    (["203.0.113.7", "198.51.100.2"], ["203.0.113.7"], Status.FAIL),
    (["198.51.100.2"], ["203.0.113.7"], Status.FAIL),
    (["2001:db8::1"], ["2001:0db8:0:0::1"], Status.PASS),
    (["::ffff:203.0.113.7"], ["203.0.113.7"], Status.PASS),  # a dual-stack echo's spelling of an IPv4 address
    (["203.0.113.7"], ["::ffff:203.0.113.7"], Status.PASS),
    (["::ffff:198.51.100.2"], ["203.0.113.7"], Status.FAIL),
    (["64:ff9b::cb00:7107"], ["203.0.113.7"], Status.FAIL),  # NAT64 is another address, not a spelling
    (["203.0.113.7"], [], Status.WARN),
    ([], ["203.0.113.7"], Status.ERROR),
]


@pytest.mark.parametrize("seen,registered,status", IPS)
def test_public_ip_rule(loaded, make_profile, seen, registered, status):
    result = judge_one(loaded, "public-ip", net(ips=seen), make_profile(site__public_ips=registered))
    assert result.status is status
    if status is Status.FAIL:
        assert "登记考点公网 IP" in result.remedy.zh and "not registered" in result.message.en


def test_public_ip_not_configured_skips(loaded, profile):
    from readiness.pc.net.collect import NO_ECHO_URLS

    facts = net(not_collected={"network.public_ip": NO_ECHO_URLS.to_dict()})
    result = judge_one(loaded, "public-ip", facts, profile)
    assert result.status is Status.SKIP and "没有 network.ip_echo_urls" in result.message.zh


def ep(url="https://exam.example/", ok=True, step=None, error=None, ms=50.0, status=200, reason=None):
    return {"url": url, "ok": ok, "failed_step": step, "error": error, "reason": reason, "status": status, "dns_ms": ms / 4,
            "connect_ms": ms / 4, "tls_ms": ms / 4, "http_ms": ms / 4, "proxy": None}


ENDPOINTS = [
    ([ep()], Status.PASS, "answers"),
    ([ep(), ep("https://b.example/")], Status.PASS, "answers"),
    ([ep(ms=2500)], Status.WARN, "2500 ms"),
    ([ep(), ep("https://b.example/", ok=False, step="tls", error="certificate not accepted")], Status.FAIL,
     "TLS handshake"),
    ([ep(ok=False, step="dns", error="could not be resolved")], Status.FAIL, "name lookup"),
    ([], Status.ERROR, "no endpoint"),
    ([{"url": "x"}], Status.ERROR, "ok"),
    # a check that did not run never fails: not tried before the deadline is undecided
    ([ep(ok=False, step="deadline", error="not tried: no time left")], Status.ERROR, "not tried"),
    ([ep(), ep("https://b.example/", ok=False, step="deadline", error="not tried")], Status.ERROR, "not tried"),
    ([ep(ok=False, step="dns", error="could not be resolved"), ep("https://b.example/", ok=False, step="deadline")],
     Status.FAIL, "name lookup"),
]


@pytest.mark.parametrize("endpoints,status,words", ENDPOINTS)
def test_exam_server_rule(loaded, profile, endpoints, status, words):
    result = judge_one(loaded, "exam-server", net(endpoints=endpoints), profile)
    assert result.status is status and words in result.message.en


def test_a_crawling_link_fails_and_says_what_was_measured(loaded, profile):
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(0.008, note="only 10000 bytes arrived")), profile)
    assert result.status is Status.FAIL and "0.008 Mbit/s" in result.observed.en and "10000 bytes" in result.message.en
    nothing = judge_one(loaded, "bandwidth", net(bandwidth=bw(0.0)), profile)
    assert nothing.status is Status.FAIL and nothing.details["load_s"] is None


@pytest.mark.parametrize("section", ["os", "memory", "disks", "client", "fonts", "os.build"])
def test_hardware_facts_left_out_are_errors_not_skips(loaded, profile, section):
    facts = with_facts({"not_collected": {section: "left out"}})
    from readiness.core.judging import judge_checks

    results = judge_checks(facts, profile, loaded)
    statuses = {r.id: r.status for r in results}
    assert Status.ERROR in statuses.values() and all(r.status is not Status.SKIP or r.id in NETWORK
                                                    for r in results)


NETWORK = {"bandwidth", "public-ip", "exam-server", "client-version", "opengl-level", "clock"}


def _config_error(text):
    from readiness.pc.net.bandwidth import speedtest_config_reason

    class ConfigRetrievalError(Exception):
        pass

    return speedtest_config_reason(ConfigRetrievalError(text))


def _network_errors():
    """Errors as the collectors catch them, classified there (the raw text kept beside)."""
    import socket

    import requests

    from readiness.pc.net.errors import NetFailure, failure, http_status

    refused = requests.exceptions.ConnectionError(
        "HTTPConnectionPool(host='10.0.0.1', port=80): Max retries exceeded with url: /x (Caused by "
        "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: "
        "[Errno 111] Connection refused'))")
    return [
        (failure(socket.gaierror(-2, "Name or service not known")), "the name could not be found (DNS)", "域名无法解析"),
        (failure(refused), "the connection was refused", "连接被拒绝"),
        (failure(requests.exceptions.ConnectTimeout("connect timeout=5")), "timed out", "超时"),
        (failure(requests.exceptions.SSLError("certificate verify failed: unable to get local issuer certificate")),
         "TLS certificate was not accepted", "TLS 证书"),
        (NetFailure(http_status(404), "the server answered HTTP 404 Not Found"), "HTTP 404", "HTTP 404"),
        (NetFailure(_config_error("<urlopen error [Errno -2] Name or service not known>"), "speedtest.net: ..."),
         "the name could not be found", "域名无法解析"),
    ]


@pytest.mark.parametrize("caught,en,zh", _network_errors())
def test_network_errors_are_said_in_the_users_language_with_the_raw_text_in_details(loaded, profile, caught, en, zh):
    raw, reason = caught.raw, caught.reason.to_dict()
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(None, error=raw, reason=reason)), profile)
    assert result.status is Status.ERROR and en in result.message.en and zh in result.message.zh
    assert result.details["error"] == reason["en"] and "urllib3" not in result.message.zh
    endpoint = judge_one(loaded, "exam-server", net(endpoints=[ep(ok=False, step="http", error=raw, reason=reason)]),
                         profile)
    assert en in endpoint.message.en and zh in endpoint.message.zh and endpoint.details["error"] == raw


def test_an_older_snapshot_with_only_the_raw_text_still_judges(loaded, profile):
    """A snapshot saved before reasons were recorded: the raw text in the English (and the details);
    the tool's own former words said in Chinese (issue 28 item 15), any other text as it is."""
    raw = "cannot connect (HTTPConnectionPool(host='10.0.0.1', port=80): [Errno 111] Connection refused)"
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(None, error=raw)), profile)
    assert result.status is Status.ERROR and raw in result.message.en and "连接被拒绝" in result.message.zh
    assert "HTTPConnectionPool" not in result.message.zh and result.details["error"] == raw
    endpoint = judge_one(loaded, "exam-server", net(endpoints=[ep(ok=False, step="http", error=raw)]), profile)
    assert endpoint.status is Status.FAIL and "连接被拒绝" in endpoint.message.zh and raw in endpoint.message.en
    little = "the server sent only 1000 bytes in 8 s after the warm-up: too little to measure"
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(None, error=little)), profile)
    assert "数据太少，无法测量" in result.message.zh and "too little" not in result.message.zh
    odd = "something no version of this tool wrote"
    result = judge_one(loaded, "bandwidth", net(bandwidth=bw(None, error=odd)), profile)
    assert odd in result.message.en and odd in result.message.zh


@pytest.mark.parametrize("raw, zh", [
    ("the server answered HTTP 404 Not Found", "服务器返回 HTTP 404"),
    ("HTTP 503", "服务器返回 HTTP 503"),
    ("connection timed out", "连接超时"),
    ("the name could not be resolved (Name or service not known)", "域名无法解析"),
    ("TLS certificate not accepted (certificate verify failed)", "TLS 证书未被接受"),
    ("speedtest.net refused its configuration (HTTP 403): it is often blocked (x)", "常被屏蔽"),
    ("not a font file (bad sfntVersion)", "不是字体文件"),
])
def test_the_tools_former_words_are_said_in_chinese(raw, zh):
    from readiness.api import former

    said = former(raw)
    names = ("speedtest.net", "HTTP", "TLS")
    assert said.en == raw and zh in said.zh
    assert not re.search(r"[A-Za-z]{4,}", re.sub("|".join(names), "", said.zh)), said


def test_speedtest_dns_failure_is_not_called_a_refusal():
    from readiness.pc.net.bandwidth import speedtest_config_reason

    class ConfigRetrievalError(Exception):
        pass

    dns = speedtest_config_reason(ConfigRetrievalError("<urlopen error [Errno -2] Name or service not known>"))
    assert "could not be found" in dns.en and "域名无法解析" in dns.zh and "403" not in dns.en + dns.zh
    blocked = speedtest_config_reason(ConfigRetrievalError("HTTP Error 403: Forbidden"))
    assert "403" in blocked.en and "blocked" in blocked.en and "屏蔽" in blocked.zh


def test_long_error_texts_are_cut_at_a_word():
    from readiness.pc.net.errors import raw_text

    text = raw_text(ValueError("word " * 200))
    assert text.endswith("word ...") and len(text) <= 300


@pytest.mark.parametrize("module", ["bandwidth", "probe", "publicip", "siteclock"])
def test_one_describer_for_network_errors(module):
    """No second describer beside net/errors (issue 24): the English and the Chinese come from one decision."""
    import importlib

    mod = importlib.import_module(f"readiness.pc.net.{module}")
    assert not hasattr(mod, "describe_error") and not hasattr(mod, "speedtest_config_error")


def test_an_unreachable_site_clock_is_said_in_both_languages(loaded, profile):
    import socket

    from readiness.pc.net.siteclock import site_clock

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clock = site_clock(f"http://127.0.0.1:{port}", timeout_s=2, samples=1)
    assert clock["server_time"] is None and "ConnectionError" in clock["error"]
    assert clock["reason"]["en"].startswith("the connection was refused") and "连接被拒绝" in clock["reason"]["zh"]
