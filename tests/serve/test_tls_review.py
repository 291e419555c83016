"""The TLS review's findings (notes/review-tls.md), each against real servers on 127.0.0.1 or in a
network namespace with no route: the host is judged with the sender's own parser, plain http is
judged again at connect time, the pin is mounted where requests sends, the clock trusts as the
reports do, trusted proxies mean one thing everywhere, a half pair of self-signed files is damaged,
and the self-signed certificate lives no longer than iPhones accept."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

import pytest
import requests

# first: under Wine (no cryptography) this skips the module before anything else imports
from tests.serve.tls_setup import NETNS, leaf, needs_netns, recording, report_body, serve_until

from readiness.core import tls as core_tls  # noqa: E402
from readiness.core.tls import Trust, channel_problem  # noqa: E402
from readiness.pc.net.siteclock import site_clock  # noqa: E402
from readiness.pc.submit import Delivery, Submitter  # noqa: E402
from readiness.serve import launch  # noqa: E402
from readiness.serve.tls import CERT_FILE, VALID_DAYS, TLSProblem, serving_tls  # noqa: E402
from tests.serve.server import TOKEN, running  # noqa: E402


# -- 1. one parser: the sender's --------------------------------------------------------------------

@pytest.mark.parametrize("url, refused", [
    ("http://203.0.113.7\\@10.0.0.1:8765", "backslash"),
    ("http://10.0.0.1\\@8.8.8.8/", "backslash"),
    ("http://user:pw@10.0.0.1:8765", "user name"),
    ("http://10.0.0.1@8.8.8.8:8765", "user name"),
    ("https://127.0.0.1:045705", None), ("https://bücher.example/", None), ("https://[fe80::1%25eth0]:8765", None),
    ("http://10.0.0.1#@8.8.8.8", None), (" http://10.0.0.5:8765 ", None),
])
def test_a_url_the_parsers_could_read_apart_is_refused(url, refused):
    problem = core_tls.url_problem(url)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem.en and problem.zh != problem.en
        assert channel_problem(url, Trust("server"), False, "server.url") is not None


def test_the_lan_rule_judges_the_host_the_sender_connects_to():
    # urlsplit reads 10.0.0.1 here, requests sends to 203.0.113.7: the plain-http rule must see 203.0.113.7
    assert core_tls.sent("http://203.0.113.7\\@10.0.0.1:8765").host == "203.0.113.7"
    problem = core_tls.plain_http_problem("http://203.0.113.7\\@10.0.0.1:8765", False, "server.url",
                                          "server.allow_plain_http", resolver=lambda h: [])
    assert problem is not None and "203.0.113.7" in problem.en


@needs_netns
@pytest.mark.parametrize("url", ["http://203.0.113.7\\\\@10.0.0.1:8765", "http://10.0.0.1\\\\@8.8.8.8/"])
@pytest.mark.parametrize("side", ["submit", "serve"])
def test_a_backslash_url_is_refused_by_submit_and_serve(tmp_path, url, side):
    assert NETNS is not None
    prof = tmp_path / "p.toml"
    if side == "submit":
        prof.write_text(f'[server]\nurl = "{url}"\ntoken = "{TOKEN}"\n')
        (tmp_path / "PC-01.json").write_bytes(report_body(tmp_path))
        args = ["submit", str(tmp_path / "PC-01.json"), "--profile", str(prof)]
    else:
        prof.write_text(f'[site]\nid = "1101"\n\n[upstream]\nurl = "{url}"\ntoken = "token-for-site-1101-abcdef"\n')
        args = ["serve", "--profile", str(prof), "--data", str(tmp_path / "d"), "--host", "127.0.0.1", "--port", "0"]
    run = subprocess.run([*NETNS, sys.executable, "-m", "readiness", *args], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path, env=dict(os.environ, READINESS_LANG="en",
                                                             READINESS_OUTBOX=str(tmp_path / "outbox")))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "backslash" in run.stdout + run.stderr
    assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").iterdir())


# -- 2. plain http: the LAN judged again at connect time -------------------------------------------

def test_plain_http_that_lands_beyond_the_lan_at_send_time_sends_nothing(tmp_path, monkeypatch):
    """The name was on the LAN when the door judged it; at send time the address connected to is
    not (a split-horizon name, a laptop on another network): the connection closes before the request."""
    with recording() as (url, got):
        assert channel_problem(url, Trust("server"), False, "server.url") is None  # on the LAN at the door
        monkeypatch.setattr(core_tls, "on_lan", lambda address: False)  # later: the same name, elsewhere
        outcome = Submitter(url, TOKEN, tmp_path / "outbox", trust=Trust("server")).send(report_body(tmp_path), "r.json")
        time.sleep(0.3)
    assert got == []  # not one byte: the token never left
    assert outcome.delivery is Delivery.QUEUED
    assert "beyond the LAN" in outcome.reason.en and "server.allow_plain_http" in outcome.reason.en
    assert "局域网之外" in outcome.reason.zh
    with recording() as (url, got):  # allow_plain_http (a closed network): sent as before
        Submitter(url, TOKEN, tmp_path / "o2", trust=Trust("server", lan_only=False)).send(b"{}", "r.json")
        time.sleep(0.3)
    assert got and b"Bearer" in b"".join(got)


def test_the_upstream_trust_follows_allow_plain_http(make_profile):
    assert Trust.of(make_profile(), "upstream").lan_only
    assert not Trust.of(make_profile(upstream__allow_plain_http=True), "upstream").lan_only


# -- 3. the pin where requests sends ----------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://127.0.0.1:045705", "https://bücher.example:8765/", "https://LOCALHOST/x"])
def test_the_pin_is_mounted_on_the_origin_requests_sends_to(url):
    session = Trust("server", "sha256:" + "ab" * 32).session(url)
    prepared = requests.Request("POST", url.strip().rstrip("/") + "/api/reports").prepare()
    assert type(session.get_adapter(prepared.url)).__name__ == "_PinnedAdapter", prepared.url


def test_a_zero_padded_port_still_reaches_the_pinned_server(tmp_path, ca, make_profile):
    served, fp = leaf(ca, tmp_path, "exam-server.invalid")
    with running(tmp_path / "d", make_profile(), tls=served) as site:
        url = site.url.replace(":", ":0", 2).replace("https:0//", "https://")  # https://127.0.0.1:0PORT
        assert ":0" in url.split("//")[1]
        outcome = Submitter(url, TOKEN, tmp_path / "outbox", trust=Trust("server", fp)).send(report_body(tmp_path), "r")
        assert outcome.delivery is Delivery.STORED, outcome


# -- 4. the clock trusts the server as the reports do ------------------------------------------------

def test_the_clock_is_read_from_a_pinned_server_and_a_wrong_pin_is_said(tmp_path, ca, make_profile):
    served, fp = leaf(ca, tmp_path, "exam-server.invalid")
    with running(tmp_path / "d", make_profile(), tls=served) as site:
        profile = make_profile(server__url=site.url, server__fingerprint=fp)
        clock = site_clock(site.url, trust=Trust.of(profile, "server"), samples=1)
        assert clock["error"] is None and isinstance(clock["server_time"], float), clock
        wrong = site_clock(site.url, trust=Trust("server", "sha256:" + "00" * 32), samples=1)
        assert wrong["server_time"] is None and "server.fingerprint" in wrong["reason"]["en"]
        assert "server.fingerprint" in wrong["reason"]["zh"]


# -- 5 and 6. trusted proxies: one meaning ----------------------------------------------------------

def test_trusted_proxies_are_normalised_at_the_door_and_counted_by_uvicorn(tmp_path, make_profile):
    profile = make_profile(server__trusted_proxies=["127.0.0.1/8", " 10.0.0.5"])
    assert profile["server.trusted_proxies"] == ["127.0.0.0/8", "10.0.0.5/32"]
    body = report_body(tmp_path)
    with running(tmp_path / "d", make_profile(), trusted_proxies=launch.proxies_for(profile["server.trusted_proxies"],
                                                                              "127.0.0.1")) as site:
        headers = dict(site.submit_headers(), **{"X-Forwarded-For": "198.51.100.23"})
        r = requests.post(site.url + "/api/reports", data=body, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        assert [stored.client for stored in site.store.reports()] == ["198.51.100.23"]


def test_on_a_dual_stack_bind_ipv4_proxies_are_listed_as_mapped_too():
    import ipaddress

    listed = launch.proxies_for(["127.0.0.1"], "::")
    assert listed[0] == "127.0.0.1/32" and ipaddress.ip_address("::ffff:127.0.0.1") in ipaddress.ip_network(listed[1])
    wide = launch.proxies_for(["10.0.0.0/30"], "::")
    assert [ipaddress.ip_address(f"::ffff:10.0.0.{i}") in ipaddress.ip_network(wide[1]) for i in (3, 4)] == [True, False]
    assert launch.proxies_for(["127.0.0.1"], "0.0.0.0") == ("127.0.0.1/32",)


def test_a_wide_proxy_network_is_warned_about():
    assert launch.wide_proxies(("10.0.0.5/32", "10.0.0.4/30", "::1/128")) is None
    warning = launch.wide_proxies(("10.0.0.0/29",))
    assert warning is not None and "10.0.0.0/29" in warning.en and "10.0.0.0/29" in warning.zh and "警告" in warning.zh
    assert launch.wide_proxies(("fd00::/64",)) is not None


def test_the_managers_cookie_is_secure_behind_a_proxy(tmp_path, make_profile):
    from tests.serve.server import KEY

    with running(tmp_path / "d", make_profile(), secure_cookie=True) as site:
        r = requests.get(site.url + f"/?key={KEY}", allow_redirects=False, timeout=10)
        assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()
    with running(tmp_path / "d2", make_profile()) as site:  # plain http on the LAN, no proxy: as before
        r = requests.get(site.url + f"/?key={KEY}", allow_redirects=False, timeout=10)
        assert "secure" not in r.headers["set-cookie"].lower()


def test_serve_warns_of_a_wide_proxy_network(tmp_path):
    prof = tmp_path / "site.toml"
    prof.write_text('[site]\nid = "1101"\n\n[server]\ntrusted_proxies = ["127.0.0.0/24"]\n')
    out = serve_until(tmp_path, prof, "proxy's own address")
    assert "is running" in out and "127.0.0.0/24" in out and "proxy's own address" in out


# -- 7. the trimmed URL is what the profile keeps ----------------------------------------------------

def test_a_url_is_stored_trimmed(make_profile):
    profile = make_profile(server__url=" http://10.0.0.5:8765 ", upstream__url="https://branch.example:8765\n")
    assert profile["server.url"] == "http://10.0.0.5:8765"
    assert profile["upstream.url"] == "https://branch.example:8765"


# -- 8 and 9. the self-signed pair -----------------------------------------------------------------

def test_a_self_signed_key_without_its_certificate_is_damaged_not_replaced(tmp_path, make_profile):
    profile = make_profile(server__tls="self-signed")
    first = serving_tls(profile, tmp_path, ["10.0.0.5"])
    assert first is not None
    key_before = first.key.read_bytes()
    first.cert.unlink()
    with pytest.raises(TLSProblem, match="damaged") as caught:
        serving_tls(profile, tmp_path, [])
    assert CERT_FILE in caught.value.reason.en and "损坏" in caught.value.reason.zh
    assert first.key.read_bytes() == key_before  # the identity was not overwritten
    first.cert.symlink_to(tmp_path / "nowhere.pem")  # a dangling link: the same
    with pytest.raises(TLSProblem, match="damaged"):
        serving_tls(profile, tmp_path, [])


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_self_signed_key_readable_by_others_is_tightened_and_said(tmp_path, make_profile):
    profile = make_profile(server__tls="self-signed")
    first = serving_tls(profile, tmp_path, [])
    assert first is not None and first.warning is None
    os.chmod(first.key, 0o644)
    again = serving_tls(profile, tmp_path, [])
    assert again is not None and again.fingerprint == first.fingerprint
    assert (again.key.stat().st_mode & 0o077) == 0
    assert again.warning is not None and "644" in again.warning.en and "644" in again.warning.zh


def test_the_self_signed_certificate_lives_no_longer_than_iphones_accept(tmp_path, make_profile):
    from cryptography import x509

    served = serving_tls(make_profile(server__tls="self-signed"), tmp_path, [])
    assert served is not None
    cert = x509.load_pem_x509_certificate(served.cert.read_bytes())
    assert VALID_DAYS <= 825
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc) <= datetime.timedelta(days=825)
    assert served.expires is not None and abs((served.expires - cert.not_valid_after_utc).total_seconds()) < 1
    from readiness.core.i18n import Lang

    en, zh = served.validity(Lang.EN), served.validity(Lang.ZH)
    day = cert.not_valid_after_utc.strftime("%Y-%m-%d")
    assert day in en and "fingerprint changes" in en and day in zh and "指纹会改变" in zh


def test_serve_prints_the_certificates_expiry(tmp_path):
    prof = tmp_path / "site.toml"
    prof.write_text('[site]\nid = "1101"\n\n[server]\ntls = "self-signed"\n')
    out = serve_until(tmp_path, prof, "move")
    assert "valid until" in out and "move" in out
