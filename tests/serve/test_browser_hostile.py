"""Hostile-first in a real browser (Debian's headless Chromium via Playwright): every field a
machine or a phone sends is shown as text on the dashboard and the machine page, and a page of
another site — even on another port of the same host, which the cookie also reaches — cannot
start a rehearsal round with the manager's cookie."""

from __future__ import annotations

import http.server
import json
import threading
import time

import requests

from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.server import KEY, PHONE_TOKEN, TOKEN, running
from tests.serve.browser import NEEDS_CHROMIUM

EVIL = '<img src=x onerror="window.__pwned=1;alert(1)">'
EVIL2 = '"><script>window.__pwned=2</script><svg onload="window.__pwned=3">'
SUBMIT = {"Authorization": f"Bearer {TOKEN}"}
MANAGER = {"Authorization": f"Bearer {KEY}"}

pytestmark = NEEDS_CHROMIUM



def _evil_report(tmp_path) -> bytes:
    prof = site_profile(tmp_path, site_id="S1")
    doc = json.loads(make_report(tmp_path / "r", EVIL, prof).read_text(encoding="utf-8"))
    doc["site"]["name"] = EVIL2
    doc["facts"]["client"]["version"] = EVIL2
    for r in doc["results"]:
        r["status"] = "fail"
        r["title"] = {"en": EVIL, "zh": EVIL}
        r["observed"] = {"en": EVIL2, "zh": EVIL2}
        r["remedy"] = {"en": EVIL, "zh": EVIL}
        r["message"] = {"en": EVIL2, "zh": EVIL2}
    doc["summary"]["status"] = "fail"
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def test_every_machine_and_phone_field_is_text(browser, tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        r = requests.post(srv.url + "/api/reports", data=_evil_report(tmp_path), headers=SUBMIT, timeout=10)
        assert r.status_code == 201, r.text
        phone = {"schema": "readiness.phone/1", "user_agent": EVIL2 + " Android 9 Mobile", "ua_ch": None,
                 "device_memory": None, "screen": None, "max_touch_points": None,
                 "app_version": EVIL, "name": EVIL, "room": EVIL2}
        assert requests.post(srv.url + "/api/phones", json=phone, headers={"Authorization": f"Bearer {PHONE_TOKEN}"},
                             timeout=10).status_code == 201
        assert requests.get(srv.url + "/api/rehearsals/poll", params={"seat": EVIL}, headers=SUBMIT,
                            timeout=10).status_code == 200
        start = requests.post(srv.url + "/api/rehearsals", json={"url": None, "lead_s": 1}, headers=MANAGER,
                              timeout=10).json()["start_at"]
        requests.post(srv.url + "/api/rehearsals/1/results", headers=SUBMIT, timeout=10,
                      json={"seat": EVIL, "start": start, "finish": None, "bytes": 0, "error": EVIL2}).raise_for_status()
        ctx = browser.new_context(locale="zh-CN")
        page = ctx.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            page.goto(srv.url + f"/?key={KEY}")
            page.locator(".seat").first.wait_for(timeout=10000)
            page.locator("section.rehearsal tr[data-status]").first.wait_for(timeout=10000)
            text = page.locator("body").inner_text()
            for shown in (EVIL, EVIL2):
                assert shown in text
            assert page.locator("#sites img, #sites script, #sites svg").count() == 0
            assert page.evaluate("window.__pwned") is None
            page.locator(".seat").first.click()
            page.wait_for_url("**/machine/*")
            text = page.locator("body").inner_text()
            assert EVIL in text and EVIL2 in text
            assert page.locator("img, script, svg").count() == 0
            assert page.evaluate("window.__pwned") is None
            assert dialogs == []
        finally:
            ctx.close()


ATTACK = """<!DOCTYPE html><html><body>
<form id="f" method="post" action="TARGET/api/rehearsals" enctype="text/plain">
<input name='{"url": null, "x": "' value='"}'></form>
<script>
async function go() {
  const results = [];
  for (const opts of [
      {method: "POST", credentials: "include", headers: {"X-Readiness": "1", "Content-Type": "application/json"}, body: "{}"},
      {method: "POST", credentials: "include", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: "{}"}]) {
    try { const r = await fetch("TARGET/api/rehearsals", opts); results.push(r.type + ":" + r.status); }
    catch (e) { results.push("blocked"); }
  }
  document.title = results.join(",");
  document.getElementById("f").submit();
}
go();
</script></body></html>"""


def test_a_page_of_another_site_cannot_start_a_round(browser, tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        page_html = ATTACK.replace("TARGET", srv.url).encode()

        class Attacker(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page_html)))
                self.end_headers()
                self.wfile.write(page_html)

            def log_message(self, *args: object) -> None:
                pass

        evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)  # same host, another port: same site
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        ctx = browser.new_context()
        page = ctx.new_page()
        try:
            page.goto(srv.url + f"/?key={KEY}")  # the manager is logged in: the cookie is set
            page.wait_for_selector("#conn:not(:empty)")
            page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
            page.wait_for_url(srv.url + "/api/rehearsals", timeout=10000)  # the form went through, with the cookie
            assert "X-Readiness" in page.locator("body").inner_text()  # ... and was refused: 403
            time.sleep(0.5)
        finally:
            ctx.close()
            evil.shutdown()
            evil.server_close()
        rounds = requests.get(srv.url + "/api/rehearsals", headers=MANAGER, timeout=10).json()["rounds"]
        assert rounds == []


def test_a_double_click_on_start_is_refused_with_the_reason_and_a_round_can_be_stopped(browser, tmp_path, profile):
    with running(tmp_path / "d", profile) as srv:
        ctx = browser.new_context(locale="en-US")
        page = ctx.new_page()
        alerts: list[str] = []

        def on_dialog(d) -> None:
            if d.type == "alert":
                alerts.append(d.message)
                d.dismiss()
            else:
                d.accept()  # "Start?"

        page.on("dialog", on_dialog)
        try:
            requests.get(srv.url + "/api/rehearsals/poll", params={"seat": "A"}, headers=SUBMIT,
                         timeout=10).raise_for_status()
            page.goto(srv.url + f"/?key={KEY}&lang=en")
            page.locator("#start-round").wait_for(timeout=10000)
            page.click("#start-round")
            page.locator("#round").wait_for(timeout=10000)
            page.click("#start-round")
            deadline = time.monotonic() + 10
            while not alerts and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert len(alerts) == 1 and alerts[0].startswith("HTTP 409") and "one round at a time" in alerts[0]
            rounds = requests.get(srv.url + "/api/rehearsals", headers=MANAGER, timeout=10).json()["rounds"]
            assert [r["id"] for r in rounds] == [1]
            page.click("#stop-round")  # started by mistake: the manager need not wait for its deadline
            page.locator('#round[data-state="done"]').wait_for(timeout=10000)
            requests.get(srv.url + "/api/rehearsals/poll", params={"seat": "A"}, headers=SUBMIT,
                         timeout=10).raise_for_status()
            page.click("#start-round")
            page.locator('#round[data-state="scheduled"], #round[data-state="running"]').wait_for(timeout=10000)
        finally:
            ctx.close()
        rounds = requests.get(srv.url + "/api/rehearsals", headers=MANAGER, timeout=10).json()["rounds"]
        assert [(r["id"], r["stopped"]) for r in rounds] == [(1, True), (2, False)]
        assert rounds[0]["unfinished"] == ["A"]
