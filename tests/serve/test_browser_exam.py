"""The exam day on the site dashboard, in Chromium: the next start and its countdown, the plan's
deadlines, the manager's tick for the invigilators, the escalation banner, and how reporting to the
branch goes — in both languages."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest

from readiness.core.profile import build_profile
from readiness.core.settings import CORE_SETTINGS
from tests.serve.browser import NEEDS_CHROMIUM
from tests.serve.server import KEY, running

pytestmark = NEEDS_CHROMIUM


def iso_in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def open_dashboard(browser, srv, locale, frozen=False):
    ctx = browser.new_context(locale=locale)
    page = ctx.new_page()
    if frozen:  # the page's clock stands still (its timers still run): the countdown cannot tick while read
        page.clock.set_fixed_time(datetime.now(timezone.utc))
    page.on("dialog", lambda d: d.accept())
    page.goto(srv.url + f"/?key={KEY}&lang={'en' if locale.startswith('en') else 'zh'}")
    page.wait_for_selector("section.exam")
    return ctx, page


@pytest.mark.parametrize("locale, words", [("en-GB", ("Next start", "to do", "Mark done", "done", "2 d 23 h")),
                                           ("zh-CN", ("下一场开考", "待完成", "标记完成", "已完成", "2 天 23 小时"))])
def test_the_next_start_its_deadlines_and_the_managers_tick(browser, tmp_path, locale, words):
    # 2 d 23 h 30 min ahead: the countdown sits mid-hour, never on the 3 d 0 h edge (a start exactly
    # 3 days ahead, truncated to the second, rounded either way with the run's timing: issue 28 item 19)
    p = build_profile({"site": {"id": "1101", "seats": 2}, "exam": {"starts_at": [iso_in(3 * 86400 - 1800)]}},
                      CORE_SETTINGS)
    with running(tmp_path / "data", p) as srv:
        ctx, page = open_dashboard(browser, srv, locale, frozen=True)
        try:
            head = page.locator("section.exam .countdown")
            assert words[0] in head.text_content() and words[4] in head.text_content()  # the units in the page's language
            row = page.locator('tr[data-deadline="invigilators"]')
            assert row.get_attribute("data-state") == "open" and words[1] in row.text_content()
            assert page.locator("tr[data-deadline]").count() == 5
            assert page.locator('tr[data-deadline="seats_reported"]').get_attribute("data-state") == "open"
            row.locator("button", has_text=words[2]).click()
            page.locator('tr[data-deadline="invigilators"][data-state="done"]').wait_for(timeout=10000)
            assert words[3] in page.locator('tr[data-deadline="invigilators"]').text_content()
            assert len(srv.store.ticks()) == 1  # logged with its time
            assert page.locator(".escalate").count() == 0
        finally:
            ctx.close()


def test_not_ready_inside_the_window_is_a_banner_to_report_to_the_branch(browser, tmp_path):
    p = build_profile({"site": {"id": "1101", "seats": 2}, "exam": {"starts_at": [iso_in(120)]}}, CORE_SETTINGS)
    with running(tmp_path / "data", p) as srv:
        ctx, page = open_dashboard(browser, srv, "zh-CN")
        try:
            banner = page.locator(".escalate")
            banner.wait_for(timeout=10000)
            assert "上报分部" in banner.text_content() and "5" in banner.text_content()
            overdue = page.locator('tr[data-deadline="seats_reported"]')
            assert overdue.get_attribute("data-state") == "overdue" and "已逾期" in overdue.text_content()
        finally:
            ctx.close()


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_exam_panel_says_why_it_escalates_and_the_start_after_this_one(browser, tmp_path, locale):
    import os

    import requests

    lang = "en" if locale.startswith("en") else "zh"
    p = build_profile({"site": {"id": "1101", "seats": 2}, "exam": {"starts_at": [iso_in(120), iso_in(5 * 3600)]}},
                      CORE_SETTINGS)
    with running(tmp_path / "data", p) as srv:
        exam = requests.get(srv.url + "/api/state", headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()["exam"]
        assert exam["escalate"] and exam["escalate_reason"][lang] and exam["following_start"]
        ctx, page = open_dashboard(browser, srv, locale)
        try:
            why = page.locator("section.exam .escalate .why")
            why.wait_for(timeout=10000)
            assert exam["escalate_reason"][lang] in why.text_content()
            assert ("Reasons" if lang == "en" else "原因") in why.text_content()
            following = page.locator("section.exam .countdown .following")
            assert ("then" if lang == "en" else "随后") in following.text_content()
            # the time is the one every start on the page is said in (common.js's `when`)
            assert following.text_content().endswith(" " + page.evaluate("s => when(s)", exam["following_start"]))
            if os.environ.get("READINESS_SHOTS"):
                page.locator("section.exam").screenshot(path=os.path.join(os.environ["READINESS_SHOTS"], f"dashboard-exam-{lang}.png"))
        finally:
            ctx.close()


def test_the_dashboard_says_the_branch_cannot_be_reached(browser, tmp_path, monkeypatch):
    from readiness.serve import upstream

    monkeypatch.setattr(upstream, "POLL_S", 0.1)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    p = build_profile({"site": {"id": "1101", "seats": 2},
                       "upstream": {"url": f"http://127.0.0.1:{port}", "token": "site-1101-token"}}, CORE_SETTINGS)
    with running(tmp_path / "data", p, chain=True) as srv:
        ctx, page = open_dashboard(browser, srv, "en-GB")
        try:
            line = page.locator('section.upstream [data-upstream="error"]')
            line.wait_for(timeout=15000)
            assert "cannot be reached" in line.text_content() and "sent again" in line.text_content()
            assert page.locator("section.exam").text_content().count("No exam start") == 1
        finally:
            ctx.close()
