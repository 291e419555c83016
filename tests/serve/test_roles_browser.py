"""A branch-only server in a real browser (Debian's headless Chromium via Playwright), as its officer
meets it: the server's address opens the branch's login, titled for the branch dashboard in the
browser's language, its language switch stays on it, and the key opens the branch dashboard (never
an empty site dashboard with "Start a round"). Screenshots go to $READINESS_SHOTS when set."""

from __future__ import annotations

import os

import pytest

from tests.serve.branch_setup import branch_with_sites
from tests.serve.browser import NEEDS_CHROMIUM
from tests.serve.server import KEY

pytestmark = NEEDS_CHROMIUM
SHOTS = os.environ.get("READINESS_SHOTS")  # a folder: the pages' screenshots are kept there to look at

TITLES = {"zh": "考前就绪检查 — 分部看板", "en": "Exam readiness — branch dashboard"}
SITE_WORDS = {"zh": ("考点看板", "开始一轮演练", "下载考点汇总"), "en": ("site dashboard", "Start a round", "site report")}


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    with branch_with_sites(tmp_path_factory.mktemp("branch")) as b:  # its profile: [branch] only, no [site]
        yield b


@pytest.mark.parametrize("locale, lang", [("zh-CN", "zh"), ("en-US", "en")])
def test_a_branch_only_opens_on_its_own_login_and_dashboard(browser, branch, locale, lang, tmp_path):
    shots = SHOTS or str(tmp_path)
    ctx = browser.new_context(locale=locale, viewport={"width": 1100, "height": 800})
    page = ctx.new_page()
    try:
        page.goto(branch.branch.url + "/")  # the address as typed, or an old bookmark of the server
        assert page.url == branch.branch.url + "/branch"
        assert page.title() == TITLES[lang] and page.locator("h1").text_content() == TITLES[lang]
        assert page.locator("html").get_attribute("lang") == lang
        for word in SITE_WORDS[lang]:
            assert word not in page.content()
        page.screenshot(path=os.path.join(shots, f"branch-login.{lang}.png"), full_page=True)

        other = "en" if lang == "zh" else "zh"
        page.locator("a.lang").click()  # the other language, still the branch's login
        page.wait_for_load_state()
        assert page.title() == TITLES[other] and "/branch?" in page.url
        page.locator("a.lang").click()
        page.wait_for_load_state()
        assert page.title() == TITLES[lang]

        page.locator('input[name="key"]').fill(KEY)
        page.locator("form button").click()
        page.wait_for_selector("body[data-drawn]", timeout=10000)
        assert page.url == branch.branch.url + "/branch"  # the key left the address bar
        assert page.title() == TITLES[lang] and page.locator("#sites .tile").count() == 3
        assert page.locator('a[href^="/download/site."], a[href="/download/rehearsals.json"]').count() == 0
        assert SITE_WORDS[lang][1] not in page.locator("body").inner_text()
        page.screenshot(path=os.path.join(shots, f"branch-dashboard.{lang}.png"), full_page=True)

        page.goto(branch.branch.url + "/")  # signed in, the server's address is the branch dashboard still
        page.wait_for_selector("body[data-drawn]", timeout=10000)
        assert page.url == branch.branch.url + "/branch"
    finally:
        ctx.close()
