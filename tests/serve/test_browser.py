"""A real browser (Debian's headless Chromium driven by Playwright) against a real server: the
seats turn green live, machine text never runs, and the phone page under emulated devices gives
the rules' verdicts. Chromium counts 127.0.0.1 as a secure origin, so client hints and
navigator.deviceMemory are exposed here as on an HTTPS page."""

from __future__ import annotations


import pytest
import requests

from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.browser import NEEDS_CHROMIUM
from tests.serve.server import KEY, PHONE_TOKEN, TOKEN, running

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def server(tmp_path, profile):
    with running(tmp_path / "data", profile) as srv:
        yield srv


def submit(srv, body: bytes) -> None:
    r = requests.post(srv.url + "/api/reports", data=body, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 201, r.text


def dashboard(browser, srv):
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(srv.url + f"/?key={KEY}")
    assert page.url == srv.url + "/"  # the key left the address bar
    page.wait_for_selector("#conn:not(:empty)")
    return ctx, page, dialogs


def test_the_seat_turns_green_when_its_report_arrives(browser, server, tmp_path):
    prof = site_profile(tmp_path, seats=3)
    ctx, page, _ = dashboard(browser, server)
    try:
        assert page.locator(".seat").count() == 0
        submit(server, make_report(tmp_path / "r", "PC-01", prof).read_bytes())
        seat = page.locator('.seat[data-host="PC-01"]')
        seat.wait_for(timeout=10000)
        assert seat.get_attribute("data-status") == "pass"
        assert seat.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(46, 125, 50)"
        assert page.locator(".seat.missing").count() == 2  # 3 seats in the profile, 1 reported
        assert "PC-01" in page.locator(".seat .host").first.text_content()
        submit(server, make_report(tmp_path / "r", "PC-02", prof, {"memory.installed_bytes": 2 * 2**30,
                                                                   "memory.usable_bytes": 2 * 2**30}).read_bytes())
        page.locator('.seat[data-host="PC-02"][data-status="fail"]').wait_for(timeout=10000)
        assert page.locator(".verdict").first.get_attribute("data-status") == "fail"
        page.locator('.seat[data-host="PC-02"]').click()
        page.wait_for_url("**/machine/*")
        assert page.locator('tr[data-status="fail"]').count() >= 1
    finally:
        ctx.close()


def test_a_hostile_host_name_is_shown_as_text_and_runs_nothing(browser, server, tmp_path):
    evil = '<img src=x onerror="window.__pwned=1;alert(1)">'
    prof = site_profile(tmp_path)
    ctx, page, dialogs = dashboard(browser, server)
    try:
        submit(server, make_report(tmp_path / "r", evil, prof).read_bytes())
        page.locator(".seat").first.wait_for(timeout=10000)
        assert page.locator(".seat .host").first.text_content() == evil
        assert page.locator("#sites img").count() == 0
        assert page.evaluate("window.__pwned") is None
        page.locator(".seat").first.click()
        page.wait_for_url("**/machine/*")
        assert evil in page.locator("h1").text_content()
        assert page.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
        assert dialogs == []
    finally:
        ctx.close()


ANDROID_REDUCED = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/125.0.0.0 Mobile Safari/537.36")
ANDROID_TABLET = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/125.0.0.0 Safari/537.36")
ANDROID_7 = ("Mozilla/5.0 (Linux; Android 7.0; SM-G930F Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/64.0.3282.137 Mobile Safari/537.36")


def iphone(version: str) -> str:
    return (f"Mozilla/5.0 (iPhone; CPU iPhone OS {version.replace('.', '_')} like Mac OS X) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) Version/{version.split('.')[0]}.0 Mobile/15E148 Safari/604.1")


IPAD = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15")


def metadata(version: str, model: str, mobile: bool, factor: str) -> dict:
    return {"brands": [{"brand": "Chromium", "version": "125"}, {"brand": "Google Chrome", "version": "125"}],
            "fullVersionList": [{"brand": "Chromium", "version": "125.0.6422.165"}],
            "platform": "Android", "platformVersion": version, "architecture": "", "model": model,
            "mobile": mobile, "formFactors": [factor]}


# (device, user agent, client-hint metadata, screen (w, h), touch points, deviceMemory, app, verdict,
#  {rule: status})
DEVICES = [
    ("android phone with client hints", ANDROID_REDUCED, metadata("13.0.0", "Pixel 7", True, "Mobile"), (412, 915), 5,
     8, "2.4.4.24", "pass", {"os": "pass", "hardware": "pass", "app": "pass"}),
    ("iphone ios 12", iphone("12.5.7"), None, (375, 667), 5, None, "2.4.3", "pass",
     {"os": "pass", "hardware": "pass"}),
    ("iphone ios 16", iphone("16.6"), None, (390, 844), 5, None, "2.4.3", "pass", {"os": "pass", "hardware": "pass"}),
    ("ipad (desktop user agent)", IPAD, None, (820, 1180), 5, None, "2.4.3", "fail", {"device": "fail"}),
    ("android tablet", ANDROID_TABLET, metadata("13.0.0", "SM-X710", False, "Tablet"), (800, 1280), 10, 8,
     "2.4.4.24", "fail", {"device": "fail"}),
    ("android 7 phone", ANDROID_7, None, (360, 640), 5, 2, "2.4.4.24", "fail", {"os": "fail", "hardware": "fail"}),
    # a plain-http page gets no deviceMemory: the invigilator types it from the phone's settings
    ("android phone, memory stated 6 GB", ANDROID_REDUCED, metadata("13.0.0", "Pixel 7", True, "Mobile"), (412, 915),
     5, None, "2.4.4.24", "pass", {"hardware": "pass"}),
]


@pytest.mark.parametrize("name, ua, meta, screen, touch, memory, app, verdict, rules", DEVICES,
                         ids=[d[0] for d in DEVICES])
def test_the_phone_page_under_emulated_devices(browser, server, name, ua, meta, screen, touch, memory, app,
                                               verdict, rules):
    ctx = browser.new_context(viewport={"width": screen[0], "height": screen[1]},
                              screen={"width": screen[0], "height": screen[1]}, locale="zh-CN")
    page = ctx.new_page()
    try:
        cdp = ctx.new_cdp_session(page)
        override: dict = {"userAgent": ua}
        if meta is not None:
            override["userAgentMetadata"] = meta
        cdp.send("Emulation.setUserAgentOverride", override)
        cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": touch})
        # deviceMemory is the host's, which no emulation changes: pin the phone's (None: a browser without it)
        value = "undefined" if memory is None else str(memory)
        page.add_init_script(f"Object.defineProperty(Navigator.prototype, 'deviceMemory', {{get: () => {value}}});")
        if meta is None:  # Safari and old WebViews have no client hints at all
            page.add_init_script("Object.defineProperty(Navigator.prototype, 'userAgentData', {get: () => undefined});")
        page.goto(server.url + f"/phone?t={PHONE_TOKEN}")
        page.fill("#app", app)
        if "stated" in name:
            page.fill("#memory", "6 GB")
        page.fill("#name", "李老师")
        page.fill("#room", "第3考场")
        page.click("#send")
        page.locator("#verdict").wait_for(timeout=10000)
        assert page.locator("#verdict").get_attribute("data-status") == verdict, page.locator("#out").text_content()
        for rule, status in rules.items():
            assert page.locator(f'.result[data-id="{rule}"]').get_attribute("data-status") == status, rule
    finally:
        ctx.close()
    listed = requests.get(server.url + "/api/phones", headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()
    assert [(p["room"], p["status"]) for p in listed["phones"]] == [("第3考场", verdict)]


def test_phones_show_on_the_dashboard_per_room(browser, server):
    def phone(name: str, room: str, app: str) -> None:
        doc = {"schema": "readiness.phone/1", "user_agent": iphone("16.6"), "ua_ch": None, "device_memory": None,
               "screen": {"width": 390, "height": 844}, "max_touch_points": 5, "app_version": app,
               "name": name, "room": room}
        assert requests.post(server.url + "/api/phones", json=doc, timeout=10,
                             headers={"Authorization": f"Bearer {PHONE_TOKEN}"}).status_code == 201

    phone("王老师", "101", "2.4.3")
    phone("<b>赵</b>", "102", "2.4.2")
    ctx, page, _ = dashboard(browser, server)
    try:
        page.locator("section.phones h3").nth(1).wait_for(timeout=10000)
        assert [h.text_content() for h in page.locator("section.phones h3").all()] == ["考场 101", "考场 102"]
        rows = page.locator("section.phones tr[data-status]")
        assert [r.get_attribute("data-status") for r in rows.all()] == ["pass", "fail"]
        assert rows.nth(1).locator("td").first.text_content() == "<b>赵</b>"
        assert "2.4.3" in rows.nth(1).text_content()  # what to update to
    finally:
        ctx.close()


def test_a_rehearsal_round_started_from_the_dashboard(browser, tmp_path, make_profile):
    from readiness.pc.agent import Agent

    import threading

    with running(tmp_path / "d", make_profile(rehearsal__lan_mbps=20.0, rehearsal__lead_s=1.0,
                                              bandwidth__paper_mb=0.2)) as srv:
        made = [Agent(srv.url, TOKEN, seat, 2**30) for seat in ("R-1", "R-2")]
        threads = [threading.Thread(target=a.run, args=(1,), daemon=True) for a in made]
        for th in threads:
            th.start()
        ctx = browser.new_context(locale="en-US")
        page = ctx.new_page()
        try:
            page.on("dialog", lambda d: d.accept())
            page.goto(srv.url + f"/?key={KEY}&lang=en")
            page.locator("section.rehearsal").wait_for(timeout=15000)
            page.locator("section.rehearsal").get_by_text("Seats waiting: 2").wait_for(timeout=15000)
            page.click("#start-round")
            page.locator('#round[data-state="done"][data-finished="2"]').wait_for(timeout=30000)
            assert page.locator("#round").evaluate("e => e.classList.contains('pass')")
            assert page.locator('section.rehearsal tr[data-status="finished"]').count() == 2
        finally:
            ctx.close()
            for a in made:
                a.stop.set()
            for th in threads:
                th.join(10)


def test_a_seat_that_lost_a_fix_is_marked_and_said_in_words(browser, server, tmp_path):
    prof = site_profile(tmp_path, seats=1)
    no_font = {"fonts.msyh": []}
    for i, (changes, minutes) in enumerate([(no_font, 0), ({}, 60), (no_font, 24 * 60)]):
        submit(server, make_report(tmp_path / "r", "PC-01", prof, changes, minutes=minutes, name=f"{i}.json").read_bytes())
    ctx, page, _ = dashboard(browser, server)
    try:
        page.locator('.seat.reverted[data-host="PC-01"]').wait_for(timeout=10000)
        words = page.locator(".reverted").first.text_content()
        assert "曾通过、现又未通过" in words and "2026-11-24 10:00 UTC+08:00 曾通过" in words and "母盘" in words
    finally:
        ctx.close()


def test_the_dashboard_says_why_and_what_to_do(browser, server, tmp_path):
    """The per-check table, each machine's problems with what it saw, and each problem's remedy, as
    aggregate prints them: a manager never needs the command line to learn what is wrong."""
    prof = site_profile(tmp_path, seats=2)
    submit(server, make_report(tmp_path / "r", "PC-01", prof, {"memory.installed_bytes": 4 * 2**30,
                                                               "memory.usable_bytes": 4 * 2**30}).read_bytes())
    submit(server, make_report(tmp_path / "r", "PC-02", prof, {"fonts.msyh": []}).read_bytes())
    ctx, page, _ = dashboard(browser, server)
    try:
        page.locator("table.problems tr").nth(1).wait_for(timeout=10000)
        checks = {r.get_attribute("data-check"): r.text_content() for r in page.locator("table.checks tr[data-check]").all()}
        assert set(checks) == {"memory", "font-msyh"} and "内存" in checks["memory"]
        rows = page.locator("table.problems tr").all()
        assert "PC-01" in rows[0].text_content() and "4.0 GiB" in rows[0].text_content()
        fixes = " ".join(f.text_content() for f in page.locator(".why .fix").all())
        assert "加装内存" in fixes and "C:\\Windows\\Fonts" in fixes
    finally:
        ctx.close()


def test_the_manager_hides_a_stale_machine_and_shows_it_again(browser, server, tmp_path):
    prof = site_profile(tmp_path, seats=1)
    submit(server, make_report(tmp_path / "r", "PC-01", prof, {"fonts.msyh": [], "host.machine_id": "old"},
                               name="a.json").read_bytes())
    submit(server, make_report(tmp_path / "r", "PC-01", prof, {"host.machine_id": "new"}, minutes=5,
                               name="b.json").read_bytes())
    ctx, page, dialogs = dashboard(browser, server)
    try:
        page.evaluate("window.confirm = (q) => { window.__asked = q; return true; }")  # the manager says yes
        page.locator("table.problems button.machine-hide").first.click()
        page.locator("section.hidden-machines").wait_for(timeout=10000)
        assert "隐藏此考试机" in page.evaluate("window.__asked")
        assert page.locator(".seat:not(.missing)").count() == 1
        assert page.locator(".verdict").first.get_attribute("data-status") == "pass"
        page.locator("section.hidden-machines button.machine-show").click()
        page.locator(".verdict[data-status='fail']").first.wait_for(timeout=10000)
        assert page.locator("section.hidden-machines").count() == 0
    finally:
        ctx.close()


def test_the_dashboard_names_the_versions_and_the_pcs_an_older_readiness_checked(browser, server, tmp_path):
    from pathlib import Path

    old = Path(__file__).parents[1] / "compat" / "0.1.0" / "reports" / "ready.json"
    submit(server, old.read_bytes())
    submit(server, make_report(tmp_path / "r", "PC-TODAY", site_profile(tmp_path, seats=2)).read_bytes())
    ctx, page, _ = dashboard(browser, server)
    try:
        page.locator(".versions").wait_for(timeout=10000)
        assert "检查所用 readiness 版本" in page.locator(".versions").text_content()
        from readiness import __version__

        shown = page.locator(".versions").text_content()
        assert "0.1.0 ×1" in shown and f"{__version__} ×1" in shown  # the old report, and today's PC
        behind = page.locator(".behind").first.text_content()
        assert "由 readiness 0.1.0 检查，该版本未检查" in behind and "还原保护" in behind
    finally:
        ctx.close()
