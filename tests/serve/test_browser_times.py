"""Times on the server's pages in a real browser (issue 28, items 10 and 11): one unambiguous form,
2027-01-04 00:30 UTC+08:00, in the site's zone (the exam's), whatever zone the manager's browser is
set to (Playwright's timezone_id: a laptop set wrong) and whatever zone a PC wrote its report in.
Both languages; a zone east of UTC across midnight and one west of it. Screenshots go to
/tmp/shots/times/ (or $READINESS_SHOTS)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
import requests

from readiness.core.loading import load_checks_and_profile
from tests.reports.branch_doc import site_doc
from tests.serve.browser import NEEDS_CHROMIUM
from tests.serve.server import KEY, TOKEN, running
from tests.site.aggregate.reports import make_report, site_profile

pytestmark = NEEDS_CHROMIUM
SHOTS = Path(os.environ.get("READINESS_SHOTS", "/tmp/shots/times"))

# (the browser's language, the browser's zone, the exam's start as the profile gives it, what the page must say)
CASES = [
    ("en-GB", "America/Los_Angeles", "2027-01-04T00:30:00+08:00", "2027-01-04 00:30 UTC+08:00"),  # Beijing, just past midnight
    ("zh-CN", "Asia/Tokyo", "2027-01-03T23:30:00-03:00", "2027-01-03 23:30 UTC-03:00"),  # west of UTC, before midnight
]
PC_IN_UTC = "2026-12-06T16:30:00+00:00"  # a PC set to UTC checked then: the site reads it in its own zone
PC_SHOWN = {"+08:00": "2026-12-07 00:30 UTC+08:00", "-03:00": "2026-12-06 13:30 UTC-03:00"}


def _profile(tmp: Path, start: str) -> Path:
    prof = site_profile(tmp, seats=2)
    prof.write_text(prof.read_text(encoding="utf-8") + f'\n[exam]\nstarts_at = ["{start}"]\n', encoding="utf-8")
    return prof


def _zone(start: str) -> timezone:
    return datetime.fromisoformat(start).tzinfo  # type: ignore[return-value]


def _is_site_now(text: str, zone: timezone) -> None:
    """text ends with the site's wall clock now ("15:23:05"), not the browser's."""
    hms = re.search(r"(\d\d):(\d\d):(\d\d)$", text)
    assert hms, text
    site_now = datetime.now(zone)
    at = site_now.replace(hour=int(hms[1]), minute=int(hms[2]), second=int(hms[3]), microsecond=0)
    gap = abs((site_now - at).total_seconds())
    assert min(gap, 86400 - gap) < 120, (text, site_now)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)



def _stored(url: str, token: str, body: str | bytes) -> None:
    """A report or a site's document, posted as its sender does and stored (201)."""
    r = requests.post(url, data=body, timeout=10,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
@pytest.mark.parametrize("locale, browser_zone, start, shown", CASES, ids=["en-east", "zh-west"])
def test_the_site_dashboard_and_the_seat_page_say_times_in_the_sites_zone(browser, tmp_path, locale, browser_zone,
                                                                          start, shown):
    prof_path = _profile(tmp_path, start)
    label = shown[-9:]
    with running(tmp_path / "data", load_checks_and_profile(prof_path)[1], str(prof_path)) as srv:
        doc = json.loads(make_report(tmp_path / "r", "PC-UTC", prof_path).read_text(encoding="utf-8"))
        doc["checked_at"] = PC_IN_UTC
        _stored(srv.url + "/api/reports", TOKEN, json.dumps(doc))
        ctx = browser.new_context(locale=locale, timezone_id=browser_zone)
        try:
            page = ctx.new_page()
            page.goto(srv.url + f"/?key={KEY}&lang={locale[:2]}")
            page.locator('.seat[data-host="PC-UTC"]').wait_for(timeout=10000)
            assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == browser_zone
            # the zone, said once in the bar, in the page's language
            said = page.locator(".bar .zone").text_content()
            assert label in said and ("exam's time zone" in said if locale == "en-GB" else "考试所在时区" in said)
            # the next start and each deadline, in the exam's zone: never the browser's, never month/day
            countdown = page.locator(".countdown b").text_content()
            assert countdown.endswith(": " + shown), countdown
            dues = page.locator("table.deadlines tr td:nth-child(2)").all_text_contents()
            assert dues and all(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d " + re.escape(label) + "$", d) for d in dues), dues
            assert not re.search(r"\b\d\d/\d\d\b", page.locator("#sites").text_content())  # no 07/12 anywhere
            # the seat's last seen: the site's wall clock now, not the browser's (16 or 9+ hours apart)
            _is_site_now(page.locator('.seat[data-host="PC-UTC"] small').text_content(), _zone(start))
            _is_site_now(page.locator("#conn").text_content(), _zone(start))  # "live 00:31:05"
            _shot(page, f"dashboard-{locale}.png")
            # the seat page: checked at as the site reads it (the PC wrote UTC), received said once
            page.locator('.seat[data-host="PC-UTC"]').click()
            page.wait_for_url("**/machine/*")
            meta = page.locator("p.meta").first.text_content()
            assert PC_SHOWN[label[3:]] in meta and "T16:30" not in meta and "+00:00" not in meta, meta
            assert meta.count(label) == 2, meta  # checked, then received (another minute)
            _shot(page, f"machine-{locale}.png")
        finally:
            ctx.close()


@pytest.mark.parametrize("locale, browser_zone, start, shown", CASES, ids=["en-east", "zh-west"])
def test_the_branch_dashboard_says_times_in_the_branchs_zone(browser, tmp_path, locale, browser_zone, start, shown):
    """The branch (its [exam] gives its zone) shows a site's next start in it, said, and its last seen;
    a site's page (its last document) in the site's own zone."""
    from readiness.branch.chain import now_s

    label = shown[-9:]
    token = "token-for-site-1101-abcdef"
    bprof = tmp_path / "branch.toml"
    bprof.write_text(f'[branch]\nid = "11"\nname = "北京分部"\n\n[branch.sites]\n"1101" = "{token}"\n\n'
                     f'[exam]\nstarts_at = ["{start}"]\n', encoding="utf-8")
    with running(tmp_path / "branch-data", load_checks_and_profile(bprof)[1]) as branch:
        now = now_s()
        doc = site_doc("1101", "海淀学习中心", "fail", 1, 2, now - 5)
        doc["exam"]["starts_at"] = [start]
        # the site writes in its own zone (here the branch's): its page follows it
        doc["generated_at"] = datetime.fromtimestamp(now - 5, _zone(start)).isoformat(timespec="seconds")
        _stored(branch.url + "/api/sites", token, orjson.dumps(doc))
        ctx = browser.new_context(locale=locale, timezone_id=browser_zone)
        try:
            page = ctx.new_page()
            page.goto(branch.url + f"/?key={KEY}")
            page.goto(branch.url + f"/branch?lang={locale[:2]}")
            page.wait_for_selector("body[data-drawn]", timeout=10000)
            tile = page.locator('.tile[data-site="1101"]').text_content()
            assert shown in tile, tile
            seen = datetime.fromtimestamp(now - 5, _zone(start))
            assert seen.strftime("%Y-%m-%d %H:%M ") + label in tile or \
                (seen + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M ") + label in tile, tile
            assert label in page.locator(".bar .zone").text_content()
            assert not re.search(r"\b\d\d/\d\d\b", tile)
            _shot(page, f"branch-{locale}.png")
            page.locator('.tile[data-site="1101"] a.site-link').click()
            page.wait_for_url("**/branch/sites/1101")
            body = page.locator("body").text_content()
            assert shown in body and "+00:00" not in body, body[:400]
            _shot(page, f"branch-site-{locale}.png")
        finally:
            ctx.close()
