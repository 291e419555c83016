"""Egress IP, exam-server probes (with a test CA) and the network part of a run, on 127.0.0.1."""

import json
import time

import os

import pytest

try:
    import trustme
except ImportError:  # Windows lane: cryptography's Rust module needs bcryptprimitives.dll, absent in Wine 8
    if os.name != "nt":
        raise
    trustme = None
from click.testing import CliRunner

from readiness.cli import main
from readiness.pc.net.probe import probe
from readiness.pc.net.publicip import echo, parse_ip
from tests.pc.net.servers import Server


@pytest.fixture(scope="module")
def ca():
    if trustme is None:
        pytest.skip("Wine 8 lacks bcryptprimitives.dll, which cryptography (trustme) needs")
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def tls_context(ca, *names):
    import ssl

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


@pytest.mark.parametrize("body,ip", [
    ("203.0.113.7\n", "203.0.113.7"), ('{"ip": "203.0.113.7"}', "203.0.113.7"),
    ('{"origin": "198.51.100.2, 10.0.0.1"}', "198.51.100.2"), ("2001:db8::1", "2001:db8::1"),
    ("当前 IP：203.0.113.9  来自于：中国 北京", "203.0.113.9"),
    ("hello", None), ("<html>blocked</html>", None), ('{"status": "fail"}', None), ("[1,2]", None), ("999.1.1.1", None),
])
def test_parse_ip(body, ip):
    assert parse_ip(body) == ip


def test_echo_collects_every_distinct_egress_ip():
    with Server(echo_ip="203.0.113.7") as a, Server(echo_ip="198.51.100.2") as b:
        got = echo([a.url("/echo"), a.url("/echo.json"), b.url("/echo"), a.url("/echo-bad")], timeout_s=2)
    assert got["ips"] == ["198.51.100.2", "203.0.113.7"]
    assert "not an IP" in got["answers"][3]["error"]


def test_echo_errors_are_per_service():
    with Server() as s:
        got = echo([s.url("/missing"), "http://no-such-host.invalid/"], timeout_s=2)
    assert got["ips"] == [] and "HTTP 404" in got["answers"][0]["error"]
    assert got["answers"][1]["error"]


def test_probe_https_with_a_test_ca(ca, ca_file):
    with Server(tls=tls_context(ca, "localhost", "127.0.0.1")) as s:
        result = probe(s.url("/ok", host="localhost"), timeout_s=3, verify=ca_file)
    assert result["ok"] and result["status"] == 200
    assert all(result[k] is not None for k in ("dns_ms", "connect_ms", "tls_ms", "http_ms"))


def test_probe_names_the_failing_step(ca, ca_file):
    with Server(tls=tls_context(ca, "wrong.example")) as s:
        bad_name = probe(s.url("/ok", host="localhost"), timeout_s=3, verify=ca_file)
        untrusted = probe(s.url("/ok", host="localhost"), timeout_s=3, verify=True)
    assert bad_name["failed_step"] == "tls" and "certificate" in bad_name["error"]
    assert untrusted["failed_step"] == "tls"
    with Server() as s:
        missing = probe(s.url("/missing"), timeout_s=3)
        url = s.url("/ok")
    assert missing["failed_step"] == "http" and "404" in missing["error"]
    assert probe(url, timeout_s=1)["failed_step"] == "connect"
    dns = probe("http://no-such-host.invalid/", timeout_s=2)
    assert dns["failed_step"] == "dns"


def test_probe_reports_the_environment_proxy(monkeypatch):
    with Server() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = probe("http://exam.example/ok", timeout_s=2)
    assert result["proxy"] == proxy.url("") and result["dns_ms"] is None


def test_probe_timeout_is_kept():
    with Server() as s:
        t0 = time.monotonic()
        result = probe(s.url("/slow?s=3"), timeout_s=1)
    assert result["failed_step"] == "http" and time.monotonic() - t0 < 2.5


@pytest.fixture
def site_profile(tmp_path, ca, ca_file):
    def make(server, https, registered, **extra):
        lines = ["[site]", "seats = 20", f"public_ips = {json.dumps(registered)}", "[bandwidth]",
                 f'url = "{server.url("/file")}"', "duration_s = 2.0", "warmup_s = 0.5", "[network]",
                 f'ip_echo_urls = ["{server.url("/echo")}"]', f'endpoints = ["{https.url("/ok", host="localhost")}"]',
                 f'ca_bundle = "{ca_file}"', "timeout_s = 2.0"]
        path = tmp_path / "site.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    return make


def test_whole_network_run(tmp_path, ca, site_profile, monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")
    with Server(mbps=50, echo_ip="203.0.113.7") as server, Server(tls=tls_context(ca, "localhost")) as https:
        profile = site_profile(server, https, ["203.0.113.7"])
        result = CliRunner().invoke(main, ["check", "--profile", str(profile), "--format", "json",
                                           "--output", str(tmp_path / "r.json")])
    doc = json.loads(result.stdout)
    statuses = {r["id"]: r["status"] for r in doc["results"]}
    assert statuses["bandwidth"] == "pass"  # 50 Mbit/s for 20 seats x 2
    assert statuses["public-ip"] == "pass" and statuses["exam-server"] == "pass"
    # the pace is a ceiling; how close a busy machine (or Wine's sockets) comes to it is
    # tests/pc/net/test_bandwidth.py's concern
    assert 0.8 * 50 <= doc["facts"]["network"]["bandwidth"]["download_mbps"] <= 1.05 * 50


def test_unregistered_ip_fails_the_pc(tmp_path, ca, site_profile, monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")
    with Server(mbps=50, echo_ip="198.51.100.9") as server, Server(tls=tls_context(ca, "localhost")) as https:
        profile = site_profile(server, https, ["203.0.113.7"])
        result = CliRunner().invoke(main, ["check", "--profile", str(profile), "--output", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    assert "198.51.100.9 is not registered" in result.output and "登记考点公网 IP" in result.output


def test_bandwidth_command_json(monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")
    with Server(mbps=20) as server:
        result = CliRunner().invoke(main, ["bandwidth", "--url", server.url("/file"), "--duration", "2",
                                           "--warmup", "0.5", "--streams", "2", "--format", "json"])
    doc = json.loads(result.stdout)
    assert 0.8 * 20 <= doc["download_mbps"] <= 1.05 * 20  # the pace is a ceiling (see test_bandwidth.py)
    assert doc["required_mbps"] == 100 and doc["status"] == "fail" and result.exit_code == 1
    assert doc["load_s"] == pytest.approx(50 * 20 * 8 / doc["download_mbps"], rel=0.01)


def test_bandwidth_command_without_a_server():
    with Server() as server:
        url = server.url("/file")
    result = CliRunner().invoke(main, ["bandwidth", "--url", url, "--duration", "1", "--format", "json"])
    assert result.exit_code == 3 and json.loads(result.stdout)["error"]


def test_a_silent_echo_service_does_not_fail_the_exam_server(tmp_path, monkeypatch):
    """Two echo services that never answer used to eat the whole deadline, and the exam server,
    never contacted, then FAILed "at the network deadline"."""
    monkeypatch.setenv("READINESS_LANG", "en")
    with Server(mbps=50) as server:
        profile = tmp_path / "site.toml"
        profile.write_text("\n".join([
            "[site]", "seats = 1", "[bandwidth]", f'url = "{server.url("/file")}"', "duration_s = 1.0", "warmup_s = 0.2",
            "[network]", f'ip_echo_urls = ["{server.url("/slow?s=20")}", "{server.url("/slow?s=20")}"]',
            f'endpoints = ["{server.url("/ok")}"]', "timeout_s = 4.0", "deadline_s = 7.0"]) + "\n")
        result = CliRunner().invoke(main, ["check", "--profile", str(profile), "--format", "json",
                                           "--output", str(tmp_path / "r.json")])
    statuses = {r["id"]: r["status"] for r in json.loads(result.stdout)["results"]}
    assert statuses["exam-server"] == "pass" and statuses["bandwidth"] == "pass"
    assert statuses["public-ip"] == "error"


def test_a_crawling_downlink_fails_with_what_was_measured(monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")
    with Server() as server:  # /trickle: 1000 bytes a second
        result = CliRunner().invoke(main, ["bandwidth", "--url", server.url("/trickle"), "--duration", "3",
                                           "--warmup", "0", "--streams", "1", "--format", "json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["status"] == "fail"
    assert 0 < doc["download_mbps"] < 0.05 and "bytes arrived" in doc["note"]["en"]


def test_the_byte_cap_ending_the_window_is_said(monkeypatch, tmp_path):
    monkeypatch.setenv("READINESS_LANG", "en")
    with Server(mbps=80) as server:
        profile = tmp_path / "site.toml"
        profile.write_text("[bandwidth]\nmax_mb = 5.0\n")
        result = CliRunner().invoke(main, ["bandwidth", "--profile", str(profile), "--url", server.url("/file"),
                                           "--duration", "20", "--warmup", "0.2", "--streams", "1"])
    assert "The byte cap (bandwidth.max_mb) ended the window early" in result.output
    assert "of the 20 s asked" in result.output


@pytest.mark.parametrize("args,words", [
    (["--url", ""], "--url is empty"),
    (["--url", "192.168.1.10/exam.bin"], "--url: '192.168.1.10/exam.bin' is not an http"),
    (["--url", "ftp://192.168.1.10/exam.bin"], "is not an http"),
    (["--url", "http://"], "names no host"),
    (["--duration", "nan"], "--duration: expected a finite number"),
    (["--warmup", "inf"], "--warmup: expected a finite number"),
])
def test_bandwidth_options_are_validated_like_the_profile(args, words):
    result = CliRunner().invoke(main, ["bandwidth", "--lang", "en", *args])  # the words as an English Windows shows them
    assert result.exit_code == 2 and words in result.output


class _Terminal:
    """A stream that says it is a terminal (what a technician's console is)."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("lang, words", [
    ("en", ("Public IP: asking", "Exam server: ", "Downlink: measuring from", "Downlink [")),
    ("zh", ("公网 IP：正在询问", "考试服务器：", "下行带宽：正在从", "下行带宽 [")),
])
def test_check_says_what_it_checks_as_it_goes(make_profile, lang, words):
    """Issue 28 item 6: no long silence: each network phase is named as it starts, in order, and
    the downlink's bar is labelled."""
    from readiness.core.i18n import Lang
    from readiness.pc.net.collect import collect_network
    from readiness.pc.pipeline import progress_bar

    terminal = _Terminal()
    with Server(mbps=200) as srv:
        profile = make_profile(**{"network.endpoints": [srv.url("/ok")], "network.ip_echo_urls": [srv.url("/echo")],
                                  "bandwidth.url": srv.url("/file"), "bandwidth.duration_s": 1.0,
                                  "bandwidth.warmup_s": 0.3})
        collect_network(profile, {}, {}, progress_bar(terminal, Lang(lang)))
    said = terminal.text
    at = [said.find(w) for w in words]
    assert -1 not in at and at == sorted(at), said
    assert srv.url("/ok") in said and "100%" in said


def test_nothing_is_said_when_the_output_is_not_a_terminal():
    import io

    from readiness.pc.pipeline import progress_bar

    assert progress_bar(io.StringIO()) is None and progress_bar(None) is None
