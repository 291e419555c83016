"""The phone page in a real Chromium over plain http and over https with the server's self-signed
certificate, as a phone on the LAN reaches it (a LAN host name mapped to 127.0.0.1, since a
loopback address counts as secure even over http). Measured: what the page can read of the phone
(navigator.deviceMemory and the client hints are for secure contexts only), and the dashboard's
words on accepting the certificate."""

from __future__ import annotations

import os

import pytest

try:
    import cryptography  # noqa: F401 - the self-signed certificate is made with it
except ImportError:  # Windows lane: cryptography's Rust module needs bcryptprimitives.dll, absent in Wine 8
    if os.name != "nt":
        raise  # on Linux a missing cryptography is a broken install, not a skip
    pytest.skip("cryptography does not load under Wine 8", allow_module_level=True)

from readiness.serve.tls import serving_tls  # noqa: E402
from tests.serve.browser import ARGS, CHROMIUM, NEEDS_CHROMIUM  # noqa: E402
from tests.serve.server import KEY, PHONE_TOKEN, running  # noqa: E402

pytestmark = NEEDS_CHROMIUM

PROBE = """async () => {
  const u = navigator.userAgentData;
  let high = null;
  if (u) { try { high = await u.getHighEntropyValues(["platformVersion", "model"]); } catch (e) { high = String(e); } }
  return {secure: window.isSecureContext, memory: navigator.deviceMemory === undefined ? null : navigator.deviceMemory,
          hints: !!u, platformVersion: high && high.platformVersion !== undefined ? high.platformVersion : null};
}"""


def _measure(url: str, host_port: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:  # its own browser: the host name mapping is a launch flag
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=[*ARGS, f"--host-resolver-rules=MAP phone-test.lan:{host_port} 127.0.0.1:{host_port}"])
        try:
            ctx = browser.new_context(ignore_https_errors=True)  # as a person who tapped "proceed"
            page = ctx.new_page()
            page.goto(url + f"/phone?t={PHONE_TOKEN}")
            found = dict(page.evaluate(PROBE))
            ctx.close()
            return found
        finally:
            browser.close()


def test_over_https_the_phone_page_reads_memory_and_version_and_over_http_it_cannot(tmp_path, make_profile):
    profile = make_profile(server__tls="self-signed")
    tls = serving_tls(profile, tmp_path / "d", [])
    assert tls is not None
    with running(tmp_path / "d", profile, tls=tls) as site:
        port = int(site.url.rsplit(":", 1)[1])
        https = _measure(f"https://phone-test.lan:{port}", port)
    with running(tmp_path / "plain", make_profile()) as plain:
        port = int(plain.url.rsplit(":", 1)[1])
        http = _measure(f"http://phone-test.lan:{port}", port)
    assert https["secure"] is True and isinstance(https["memory"], (int, float)) and https["hints"] is True
    assert isinstance(https["platformVersion"], str)
    assert http["secure"] is False and http["memory"] is None and http["hints"] is False


def test_the_dashboard_tells_how_to_accept_the_self_signed_certificate(browser, tmp_path, make_profile):
    profile = make_profile(server__tls="self-signed")
    tls = serving_tls(profile, tmp_path / "d", [])
    assert tls is not None
    with running(tmp_path / "d", profile, tls=tls, certificate=tls.fingerprint) as site:
        ctx = browser.new_context(ignore_https_errors=True, locale="zh-CN")
        try:
            page = ctx.new_page()
            page.goto(site.url + f"/?key={KEY}")
            words = page.locator(".qr .cert").text_content() or ""
            assert tls.fingerprint in words and "高级" in words and "显示详细信息" in words
            page.goto(site.url + "/?lang=en")
            words = page.locator(".qr .cert").text_content() or ""
            assert tls.fingerprint in words and "Advanced" in words and "Show Details" in words
        finally:
            ctx.close()
