"""TLS along the chain with real certificates on 127.0.0.1 (trustme's CA, the server's own
self-signed one): pinned peers reach each other, a wrong pin or a refused certificate sends
nothing (proved by a TLS server that records every byte it receives), the self-signed
certificate's fingerprint survives a restart, a proxy's header counts only from a listed proxy,
and a plain-http token beyond the LAN is refused at every door (in a network namespace with no
route, so that nothing could leave were the refusal missing)."""

from __future__ import annotations

import datetime
import hashlib
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

# first: under Wine (no cryptography) this skips the module before anything else imports
from tests.serve.tls_setup import NETNS, leaf, needs_netns, recording, report_body, serve_until

from readiness.core.loading import load_checks_and_profile  # noqa: E402
from readiness.core.tls import (Trust, channel_problem, fingerprint_of, on_lan, parse_fingerprint,  # noqa: E402
                                plain_http_problem)
from readiness.pc.agent import Agent  # noqa: E402
from readiness.pc.submit import Delivery, Submitter, waiting  # noqa: E402
from readiness.serve.tls import KEY_FILE, TLSProblem, serving_tls  # noqa: E402
from tests.serve.server import TOKEN, running  # noqa: E402
from tests.site.aggregate.reports import make_report, site_profile  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# -- the rules, at their edges ----------------------------------------------------------------------

HEX = "ab" * 32


@pytest.mark.parametrize("text, expected", [
    (f"sha256:{HEX}", f"sha256:{HEX}"), (f"SHA256:{HEX.upper()}", f"sha256:{HEX}"),
    (":".join(["AB"] * 32), f"sha256:{HEX}"), (f"  sha256:{HEX}\n", f"sha256:{HEX}"), (HEX, f"sha256:{HEX}"),
    (f"sha256:{HEX[:-2]}", None), (f"sha256:{HEX}ab", None), (f"sha1:{HEX}", None), (f"sha256:{HEX[:-1]}g", None),
    ("", None),
])
def test_a_fingerprint_is_read_in_any_case_with_colons(text, expected):
    assert parse_fingerprint(text) == expected


@pytest.mark.parametrize("address, lan", [
    ("10.0.0.1", True), ("10.255.255.255", True), ("11.0.0.1", False),
    ("172.15.255.255", False), ("172.16.0.0", True), ("172.31.255.255", True), ("172.32.0.0", False),
    ("192.168.0.1", True), ("192.169.0.1", False), ("169.254.10.1", True), ("127.0.0.2", True),
    ("fe80::1", True), ("fe80::1%eth0", True), ("fd12:3456::1", True), ("fc00::1", True), ("::1", True),
    ("::ffff:10.1.2.3", True), ("::ffff:8.8.8.8", False),
    # ipaddress.is_private calls these private; none is a LAN
    ("203.0.113.5", False), ("192.0.2.1", False), ("198.51.100.1", False), ("198.18.0.1", False),
    ("2001:db8::1", False), ("100.64.0.1", False), ("0.0.0.0", False), ("240.0.0.1", False),
    ("8.8.8.8", False), ("2001:4860::8888", False), ("not-an-address", False),
])
def test_the_lan_is_rfc1918_link_local_ula_and_loopback(address, lan):
    assert on_lan(address) is lan


def test_plain_http_is_refused_beyond_the_lan_only():
    def resolver(table):
        def resolve(host):
            if host not in table:
                raise socket.gaierror(-2, "Name or service not known")
            return table[host]
        return resolve

    names = resolver({"branch.lan": ["10.1.0.5"], "mixed.example": ["10.1.0.5", "203.0.113.9"],
                      "public.example": ["203.0.113.9"]})
    ok = [("http://10.1.0.5:8765", False), ("http://branch.lan:8765", False), ("https://203.0.113.9", False),
          ("http://203.0.113.9", True), ("http://[fd00::5]:8765", False)]
    for url, allowed in ok:
        assert plain_http_problem(url, allowed, "upstream.url", "upstream.allow_plain_http", names) is None, url
    for url, words in (("http://203.0.113.9:8765", "203.0.113.9 is not a LAN address"),
                       ("http://public.example", "public.example → 203.0.113.9"),
                       ("http://mixed.example", "mixed.example → 203.0.113.9"),
                       ("http://nowhere.example", "cannot be resolved"),
                       ("HTTP://[2001:db8::1]:80/", "is not a LAN address")):
        problem = plain_http_problem(url, False, "upstream.url", "upstream.allow_plain_http", names)
        assert problem is not None and words in problem.en, url
        assert "upstream.url" in problem.en and "https://" in problem.en and "upstream.allow_plain_http" in problem.en
        assert "upstream.url" in problem.zh and "https://" in problem.zh


def test_trust_settings_that_cannot_work_are_refused_at_the_door(tmp_path):
    ca_file = tmp_path / "junk.pem"
    ca_file.write_text("not a certificate")
    pin = f"sha256:{HEX}"
    cases = [(Trust("server", pin), "http://10.0.0.5:8765", "only be checked over https"),
             (Trust("server", pin, str(ca_file)), "https://10.0.0.5", "not both"),
             (Trust("upstream", None, str(ca_file)), "https://10.0.0.5", "upstream.ca_file"),
             (Trust("upstream", None, str(tmp_path / "missing.pem")), "https://10.0.0.5", "not a readable")]
    for trust, url, words in cases:
        problem = channel_problem(url, trust, False, "server.url")
        assert problem is not None and words in problem.en, (trust, problem)


def test_a_bad_fingerprint_or_proxy_is_refused_by_the_profile(tmp_path):
    from readiness.core.profile import ProfileError

    for text, key in ((f'[server]\nfingerprint = "sha256:{HEX[:10]}"\n', "server.fingerprint"),
                      ('[upstream]\nfingerprint = "md5:00"\n', "upstream.fingerprint"),
                      ('[server]\ntrusted_proxies = ["*"]\n', "server.trusted_proxies"),
                      ('[server]\ntls = "yes"\n', "server.tls")):
        path = tmp_path / "p.toml"
        path.write_text(text)
        with pytest.raises(ProfileError, match=key.replace(".", r"\.")):
            load_checks_and_profile(path)


# -- PCs to their site ----------------------------------------------------------------------------

def test_a_pc_submits_over_https_with_the_pin_and_a_wrong_pin_sends_nothing(tmp_path, ca, make_profile):
    served, fp = leaf(ca, tmp_path, "exam-server.invalid")  # a name the URL never uses: the pin needs none
    body = report_body(tmp_path)
    with running(tmp_path / "d", make_profile(), tls=served) as site:
        outcome = Submitter(site.url, TOKEN, tmp_path / "outbox", trust=Trust("server", fp)).send(body, "r.json")
        assert outcome.delivery is Delivery.STORED, outcome
        assert site.store.count_reports() == 1
        # without the pin, the system's CAs do not know the test CA: refused, said as the certificate's
        outcome = Submitter(site.url, TOKEN, tmp_path / "o2").send(report_body(tmp_path, "PC02"), "r2.json")
        assert outcome.delivery is Delivery.QUEUED and "not accepted" in outcome.reason.en
    wrong = f"sha256:{'00' * 32}"
    with recording(served) as (url, got):
        outcome = Submitter(url, TOKEN, tmp_path / "o3", trust=Trust("server", wrong)).send(body, "r.json")
        time.sleep(0.3)
    assert got == []  # the handshake happened, then not one byte: the token never left
    assert outcome.delivery is Delivery.QUEUED
    assert fp in outcome.reason.en and wrong in outcome.reason.en and "server.fingerprint" in outcome.reason.en
    assert fp in outcome.reason.zh and "server.fingerprint" in outcome.reason.zh and "未发送任何内容" in outcome.reason.zh
    assert [p.read_bytes() for p in waiting(tmp_path / "o3")] == [body]  # kept for when the pin is put right


def test_the_recorder_does_see_what_a_right_pin_sends(tmp_path, ca):
    """The other side of the proof above: with the right pin the same server records the request."""
    served, fp = leaf(ca, tmp_path, "127.0.0.1")
    with recording(served) as (url, got):
        Submitter(url, TOKEN, tmp_path / "o", trust=Trust("server", fp)).send(b"{}", "r.json")
        time.sleep(0.3)
    assert b"Bearer " + TOKEN.encode() in b"".join(got)


def test_check_submit_says_the_pin_mismatch_on_the_pcs_output(tmp_path, ca):
    served, fp = leaf(ca, tmp_path, "127.0.0.1")
    report = make_report(tmp_path / "r", "PC01", site_profile(tmp_path))
    with recording(served) as (url, got):
        prof = tmp_path / "pc.toml"
        prof.write_text(f'[server]\nurl = "{url}"\ntoken = "{TOKEN}"\nfingerprint = "SHA256:{"11" * 32}"\n')
        env = dict(os.environ, READINESS_OUTBOX=str(tmp_path / "outbox"), READINESS_LANG="zh")
        run = subprocess.run([sys.executable, "-m", "readiness", "submit", str(report), "--profile", str(prof)],
                             capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert got == []
    assert run.returncode == 3, run.stderr  # kept in the outbox
    assert fp in run.stderr and "server.fingerprint" in run.stderr and "未发送任何内容" in run.stderr


def test_a_private_ca_checks_the_host_name_and_the_dates(tmp_path, ca):
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    trust = Trust("server", None, str(ca_file))
    right, _ = leaf(ca, tmp_path, "127.0.0.1")
    with recording(right) as (url, got):
        assert Submitter(url, TOKEN, tmp_path / "o1", trust=trust).send(b"{}", "a").delivery is Delivery.QUEUED
        time.sleep(0.3)
    assert got, "a certificate the CA issued for this address is accepted (the request went)"
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    for served, words in ((leaf(ca, tmp_path, "other.example")[0], "match"),
                          (leaf(ca, tmp_path, "127.0.0.1", not_before=past,
                                not_after=past + datetime.timedelta(days=30))[0], "expired")):
        with recording(served) as (url, got):
            outcome = Submitter(url, TOKEN, tmp_path / "o2", trust=trust).send(b"{}", "a")
            time.sleep(0.3)
        assert got == []
        assert outcome.delivery is Delivery.QUEUED and words in outcome.reason.en.lower()
        assert "server.ca_file" in outcome.reason.en and "server.ca_file" in outcome.reason.zh


def test_the_agent_takes_its_clock_over_https_with_the_pin_and_says_a_wrong_one(tmp_path, ca, make_profile):
    served, fp = leaf(ca, tmp_path, "127.0.0.1")
    with running(tmp_path / "d", make_profile(), tls=served) as site:
        agent = Agent(site.url, TOKEN, "PC01", 2**20, trust=Trust("server", fp))
        assert agent.sync().rtt_s < 5  # the clock read over https
        assert agent.poll() is None  # no round open: the authenticated poll went through
    lines: list[str] = []
    with recording(served) as (url, got):
        stop = threading.Event()
        agent = Agent(url, TOKEN, "PC01", 2**20, trust=Trust("server", f"sha256:{'22' * 32}"), stop=stop,
                      echo=lines.append)
        thread = threading.Thread(target=agent.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not lines and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        thread.join(10)
    assert got == []
    assert lines and fp in lines[0] and "server.fingerprint" in lines[0]


def test_a_rehearsal_round_over_https_with_the_pin(tmp_path, ca, make_profile):
    """The whole round over https: the clock, the poll, the server's paper (read as it arrives) and the result."""
    served, fp = leaf(ca, tmp_path, "exam-server.invalid")
    manager = {"Authorization": "Bearer manager-key-for-tests"}
    with running(tmp_path / "d", make_profile(), tls=served) as site:
        pinned = Trust("server", fp).session(site.url)
        agent = Agent(site.url, TOKEN, "R-1", 2**30, trust=Trust("server", fp))
        thread = threading.Thread(target=agent.run, args=(1,), daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while pinned.get(site.url + "/api/state", headers=manager, timeout=10).json()["rehearsal"]["waiting"] < 1:
            assert time.monotonic() < deadline, "the agent did not join over https"
            time.sleep(0.1)
        r = pinned.post(site.url + "/api/rehearsals", json={"url": None, "paper_mb": 0.5, "lead_s": 1},
                        headers=manager, timeout=10)
        assert r.status_code == 201, r.text
        thread.join(60)
        got = pinned.get(site.url + "/api/rehearsals/latest", headers=manager, timeout=10).json()
    assert got["state"] == "done" and (got["joined"], got["finished"], got["failed"]) == (1, 1, 0), got
    assert got["seats"][0]["bytes"] == 500000


# -- a site to its branch -------------------------------------------------------------------------

def test_a_pinned_site_reaches_its_branch_and_a_wrong_pin_says_so(tmp_path, ca, make_profile):
    from readiness.serve.app import make_serving
    from readiness.serve.upstream import Upstream
    from readiness.serve.documents import site_document

    served, fp = leaf(ca, tmp_path, "branch.invalid")
    token = "token-for-site-1101-abcdef"
    branch_profile = make_profile(branch__id="11", branch__sites={"1101": token})
    with running(tmp_path / "b", branch_profile, tls=served) as branch:
        site_prof = make_profile(site__id="1101", upstream__url=branch.url, upstream__token=token,
                                 upstream__fingerprint=fp.upper().replace("SHA256:", "sha256:"),
                                 upstream__heartbeat_s=10.0)
        with running(tmp_path / "s", site_prof, chain=True) as site:
            deadline = time.monotonic() + 20
            while not branch.store.sender_docs() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert [sender for sender, _at, _doc in branch.store.sender_docs()] == ["1101"]
            assert site.serving.upstreams[0].state()["error"] is None
    with recording(served) as (url, got):
        serving_ = None
        wrong = f"sha256:{'33' * 32}"
        with running(tmp_path / "s2", make_profile(site__id="1101", upstream__url=url, upstream__token=token,
                                                   upstream__fingerprint=wrong)) as site:
            serving_ = make_serving(site.cfg, site.store, site.view)
            sender = Upstream(url, token, 60.0, lambda seq: site_document(serving_, seq), lambda: 0, site.store, "site",
                              trust=Trust.of(site.cfg.profile, "upstream"))
            said: list[str] = []
            sender.say = lambda line: said.append(line.en)
            ok, _ = sender.send_once(sender.trust.session(sender.url))
            state = sender.state()
        time.sleep(0.3)
    assert got == [] and not ok
    assert fp in state["error"]["en"] and "upstream.fingerprint" in state["error"]["en"]
    assert fp in state["error"]["zh"] and "upstream.fingerprint" in state["error"]["zh"]  # the dashboard's words
    assert said and fp in said[0] and "upstream.fingerprint" in said[0]  # the console's line


# -- the server's own certificate -----------------------------------------------------------------

def test_a_self_signed_certificate_is_made_once_kept_private_and_checked(tmp_path, make_profile):
    profile = make_profile(server__tls="self-signed")
    first = serving_tls(profile, tmp_path, ["10.0.0.5"])
    assert first is not None and first.made_now and first.self_signed
    again = serving_tls(profile, tmp_path, ["10.9.9.9"])  # another address today: the same certificate
    assert again is not None and not again.made_now and again.fingerprint == first.fingerprint
    if os.name != "nt":
        assert (first.key.stat().st_mode & 0o077) == 0
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(first.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "10.0.0.5" in [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]
    assert cert.public_key().curve.name == "secp256r1"
    assert first.fingerprint == "sha256:" + hashlib.sha256(cert.public_bytes(
        __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER)).hexdigest()
    (tmp_path / "tls" / KEY_FILE).write_text("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")
    with pytest.raises(TLSProblem, match="damaged") as caught:
        serving_tls(profile, tmp_path, [])
    assert "fingerprint" in caught.value.reason.zh


@pytest.mark.parametrize("settings, words", [
    ({"server__tls": "self-signed", "server__tls_cert": "c.pem", "server__tls_key": "k.pem"}, "not both"),
    ({"server__tls_cert": "c.pem"}, "tls_key is not"),
    ({"server__tls_cert": "missing.pem", "server__tls_key": "missing.pem"}, "cannot serve HTTPS"),
])
def test_the_managers_own_certificate_is_checked_at_start(tmp_path, make_profile, settings, words):
    with pytest.raises(TLSProblem, match=words):
        serving_tls(make_profile(**settings), tmp_path, [])


def test_serve_self_signed_prints_its_fingerprint_and_keeps_it_across_restarts(tmp_path):
    prof = tmp_path / "site.toml"
    prof.write_text('[site]\nid = "1101"\n\n[server]\ntls = "self-signed"\n')
    out1, out2 = (serve_until(tmp_path, prof, "fingerprint = ", 60) for _ in range(2))
    pins = [ln.strip() for out in (out1, out2) for ln in out.splitlines() if ln.strip().startswith("fingerprint = ")]
    assert len(pins) == 2 and pins[0] == pins[1], (out1, out2)
    assert all(ln.strip().startswith('url = "https://127.0.0.1:') for out in (out1, out2) for ln in out.splitlines()
               if ln.strip().startswith("url = ")) and "url = " in out1
    fp = pins[0].split('"')[1]
    der = ssl.PEM_cert_to_DER_cert((tmp_path / "data" / "tls" / "self-signed-cert.pem").read_text())
    assert fp == fingerprint_of(der)


# -- behind a reverse proxy -----------------------------------------------------------------------

@pytest.mark.parametrize("trusted, expected", [(("127.0.0.1",), "198.51.100.23"), (("10.0.0.0/8",), "127.0.0.1"),
                                               ((), "127.0.0.1")])
def test_the_forwarded_address_counts_only_from_a_listed_proxy(tmp_path, make_profile, trusted, expected):
    body = report_body(tmp_path)
    with running(tmp_path / "d", make_profile(), trusted_proxies=trusted, rate_per_minute=10) as site:
        headers = dict(site.submit_headers(), **{"X-Forwarded-For": "203.0.113.99, 198.51.100.23"})
        r = requests.post(site.url + "/api/reports", data=body, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        assert [stored.client for stored in site.store.reports()] == [expected]
        # the rate limit counts by that address: another forwarded client has a bucket of its own
        statuses = {requests.get(site.url + "/api/clock", headers={"X-Forwarded-For": f"198.51.100.{i}"},
                                 timeout=10).status_code for i in range(1, 15)}
        assert (429 in statuses) is (not trusted or trusted == ("10.0.0.0/8",))


# -- no token in clear beyond the LAN, in a namespace with no route -------------------------------

@needs_netns
@pytest.mark.parametrize("address", ["203.0.113.5", "8.8.8.8", "[2001:db8::5]"])
def test_serve_refuses_a_plain_http_upstream_beyond_the_lan(tmp_path, address):
    prof = tmp_path / "site.toml"
    prof.write_text(f'[site]\nid = "1101"\n\n[upstream]\nurl = "http://{address}:8765"\n'
                    f'token = "token-for-site-1101-abcdef"\n')
    assert NETNS is not None
    run = subprocess.run([*NETNS, sys.executable, "-m", "readiness", "serve", "--profile", str(prof), "--data",
                          str(tmp_path / "d"), "--host", "127.0.0.1", "--port", "0"],
                         capture_output=True, text=True, timeout=60, env=dict(os.environ, READINESS_LANG="en"))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "upstream.url" in run.stdout and "https://" in run.stdout and "upstream.allow_plain_http" in run.stdout


@needs_netns
def test_allow_plain_http_lets_a_closed_network_start(tmp_path):
    prof = tmp_path / "site.toml"
    prof.write_text('[site]\nid = "1101"\n\n[upstream]\nurl = "http://203.0.113.5:8765"\n'
                    'token = "token-for-site-1101-abcdef"\nallow_plain_http = true\n')
    assert NETNS is not None
    proc = subprocess.Popen([*NETNS, "sh", "-c", f'ip link set lo up; exec "{sys.executable}" -m readiness serve '
                             f'--profile "{prof}" --data "{tmp_path / "d"}" --host 127.0.0.1 --port 0'],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, READINESS_LANG="en"))
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "is running" in first, first
    finally:
        proc.terminate()
        proc.wait(15)


@needs_netns
@pytest.mark.parametrize("command", [["submit"], ["rehearse", "--rounds", "1"], ["check", "--offline", "--submit"]])
def test_the_pcs_doors_refuse_a_plain_http_server_beyond_the_lan(tmp_path, command):
    prof = tmp_path / "pc.toml"
    prof.write_text(f'[server]\nurl = "http://198.51.100.7:8765"\ntoken = "{TOKEN}"\n')
    assert NETNS is not None
    run = subprocess.run([*NETNS, sys.executable, "-m", "readiness", *command, "--profile", str(prof)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env=dict(os.environ, READINESS_LANG="en", READINESS_OUTBOX=str(tmp_path / "outbox")))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "server.url" in run.stderr and "server.allow_plain_http" in run.stderr
    assert not list(tmp_path.glob("readiness-report-*.json"))  # refused before the check ran


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_as_a_certificate_or_ca_file_is_refused_without_hanging(tmp_path, make_profile):
    fifo = tmp_path / "pipe.pem"
    os.mkfifo(fifo)
    problem = channel_problem("https://10.0.0.5", Trust("server", None, str(fifo)), False, "server.url")
    assert problem is not None and "not a regular file" in problem.en
    with pytest.raises(TLSProblem, match="not a regular file"):
        serving_tls(make_profile(server__tls_cert=str(fifo), server__tls_key=str(fifo)), tmp_path, [])


def test_a_data_folder_that_cannot_hold_the_certificate_is_a_clear_start_error(tmp_path, make_profile):
    (tmp_path / "tls").write_text("a file where the folder goes")
    with pytest.raises(TLSProblem, match="cannot write the server's certificate"):
        serving_tls(make_profile(server__tls="self-signed"), tmp_path, [])


def test_a_relative_certificate_path_is_read_beside_the_profile(tmp_path, ca):
    served, fp = leaf(ca, tmp_path, "127.0.0.1")
    prof = tmp_path / "site.toml"
    prof.write_text(f'[server]\ntls_cert = "{served.cert.name}"\ntls_key = "{served.key.name}"\n'
                    f'ca_file = "{served.cert.name}"\n')
    _loaded, profile = load_checks_and_profile(prof)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cwd = os.getcwd()
    os.chdir(elsewhere)
    try:
        got = serving_tls(profile, tmp_path / "d", [])
        assert got is not None and got.fingerprint == fp
        assert Trust.of(profile, "server").ca_file == str(served.cert)
    finally:
        os.chdir(cwd)


def test_serve_with_a_damaged_certificate_stops_with_the_reason(tmp_path):
    prof = tmp_path / "site.toml"
    prof.write_text('[server]\ntls = "self-signed"\n')
    (tmp_path / "d" / "tls").mkdir(parents=True)
    (tmp_path / "d" / "tls" / "self-signed-cert.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n")
    run = subprocess.run([sys.executable, "-m", "readiness", "serve", "--profile", str(prof), "--data",
                          str(tmp_path / "d"), "--host", "127.0.0.1", "--port", "0", "--lang", "zh"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "已损坏" in run.stdout and "Traceback" not in run.stdout + run.stderr, run


def test_a_pin_with_an_http_server_is_refused_before_anything(tmp_path):
    prof = tmp_path / "pc.toml"
    prof.write_text(f'[server]\nurl = "http://127.0.0.1:9"\ntoken = "{TOKEN}"\nfingerprint = "sha256:{HEX}"\n')
    run = subprocess.run([sys.executable, "-m", "readiness", "submit", "--profile", str(prof), "--lang", "en"],
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, READINESS_OUTBOX=str(tmp_path / "outbox")))
    assert run.returncode == 2 and "server.fingerprint" in run.stderr and "https" in run.stderr, run


@pytest.mark.parametrize("trusted", [(), ("127.0.0.0/8",)])
def test_a_listed_proxy_is_not_held_to_one_addresss_connection_cap(tmp_path, make_profile, trusted):
    """A reverse proxy carries every client's connections: the per-address cap would starve them."""
    with running(tmp_path / "d", make_profile(), per_client=2, exempt_loopback=False, trusted_proxies=trusted) as srv:
        port = int(srv.url.rsplit(":", 1)[1])
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        extra = socket.create_connection(("127.0.0.1", port))
        extra.settimeout(5)
        extra.sendall(b"GET /api/clock HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            answer = extra.recv(100)
        except ConnectionResetError:
            answer = b""
        for s in [*held, extra]:
            s.close()
    assert answer.startswith(b"HTTP/1.1 200") is bool(trusted), answer
