"""The seat's (machine's) page, in a real browser (Debian's chromium) in both languages: its verdict
first as a banner, each time once and through the one `when` filter (never raw ISO), the raw facts
folded away, Chinese badges on one line, and usable at a phone's width. Hostile: a report with no
result, a check with a huge observed text. READINESS_SHOTS=folder keeps the screenshots looked at."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta, timezone
from pathlib import Path

import pytest
import requests

from readiness.core.i18n import Text
from readiness.core.model import VERDICTS, Status
from readiness.serve import pages
from readiness.site.store import StoredReport
from tests.serve.browser import NEEDS_CHROMIUM
from tests.serve.server import KEY, TOKEN, running
from tests.site.aggregate.reports import make_report, site_profile

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # a raw ISO time (the `when` filter never writes the T)
PHONE = {"width": 375, "height": 740}


def needs_chromium(test):
    for mark in NEEDS_CHROMIUM:
        test = mark(test)
    return test


def _shot(page, name: str) -> None:
    folder = os.environ.get("READINESS_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def _posted(srv, body: bytes) -> int:
    r = requests.post(srv.url + "/api/reports", data=body, timeout=10, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_the_seat_page_says_its_verdict_first_each_time_once_and_folds_the_facts(browser, tmp_path, profile,
                                                                                   lang, viewport):
    prof = site_profile(tmp_path, seats=2)
    body = make_report(tmp_path / "r", "PC-07", prof, {"memory.installed_bytes": 2 * 2**30,
                                                        "memory.usable_bytes": 2 * 2**30}).read_bytes()
    with running(tmp_path / "d", profile) as srv:
        rid = _posted(srv, body)
        ctx = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US", viewport=viewport,
                                  extra_http_headers={"Authorization": f"Bearer {KEY}"})
        page = ctx.new_page()
        try:
            page.goto(f"{srv.url}/machine/{rid}?lang={lang}")
            banner = page.locator("div.verdict")
            assert banner.count() == 1 and banner.get_attribute("data-status") == "fail"
            other = "zh" if lang == "en" else "en"
            shown = banner.inner_text()
            assert shown.startswith(getattr(VERDICTS[Status.FAIL], lang)) and getattr(VERDICTS[Status.FAIL], other) in shown
            assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(198, 40, 40)"
            # the banner comes before the results
            assert banner.evaluate("e => !!(e.compareDocumentPosition(document.querySelector('table.results')) & 4)")
            text = page.locator("body").inner_text()
            assert not ISO.search(text), text  # times read through `when`, never raw
            for which in ("checked", "received"):
                span = page.locator(f'[data-time="{which}"]').inner_text()
                label = {"checked": ("Checked", "检查时间"), "received": ("Received", "接收时间")}[which][lang == "zh"]
                assert span.startswith(label + " "), span
                moment = span[len(label):].strip().split(" " + ("from" if lang == "en" else "来自"))[0]
                assert moment and moment != "—" and text.count(moment) == 1, (which, moment, text)
            facts = page.locator("details.facts")
            assert facts.count() == 1 and facts.get_attribute("open") is None
            assert not page.locator("details.facts pre").is_visible()
            assert "machine_id" not in text  # the raw JSON does not fill the page
            page.locator("details.facts summary").click()
            assert page.locator("details.facts pre").is_visible()
            assert "id-PC-07" in page.locator("details.facts pre").inner_text()
            page.locator("details.facts summary").click()
            # every status badge on one line (Chinese 不通过 once wrapped one character a line)
            for badge in page.locator("table.results .badge").all():
                box = badge.bounding_box()
                size = float(badge.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
                assert box is not None and box["height"] < 2 * size, (badge.inner_text(), box)
                assert badge.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
            # usable on a phone: nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            if viewport == PHONE:  # one card per check, its labels beside the values
                row = page.locator('table.results tr[data-check="memory"]')
                assert row.evaluate("e => getComputedStyle(e).display") == "block"
                observed = row.locator("td").nth(2)
                assert observed.evaluate("e => getComputedStyle(e, '::before').content").strip('"').startswith(
                    "Observed" if lang == "en" else "实际")
            _shot(page, f"seat-{lang}-{'phone' if viewport == PHONE else 'desktop'}.png")
        finally:
            ctx.close()


def _stored(doc: dict) -> StoredReport:
    return StoredReport(id=3, received_at="2026-12-07T07:23:00Z", client="10.0.0.9",
                        body=json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def test_a_report_with_no_result_is_undetermined_never_ready(tmp_path) -> None:
    doc = {"schema": "readiness.report/1", "checked_at": "2026-12-07T15:20:00+08:00",
           "facts": {"host": {"hostname": "EMPTY-1"}}, "results": []}
    for lang in ("en", "zh"):
        html = pages.machine(_stored(doc), None, None, lang, timezone(timedelta(hours=8)))
        assert 'class="verdict error" data-status="error"' in html
        assert getattr(VERDICTS[Status.ERROR], lang) in html and getattr(VERDICTS[Status.PASS], lang) not in html.split("</h1>")[1]
        assert getattr(pages.WORDS["no_results"], lang) in html and "<table class=\"results\"" not in html


@needs_chromium
def test_a_huge_observed_text_wraps_inside_the_page(browser, tmp_path) -> None:
    huge = "X" * 20_000 + " 不通过" * 2000
    doc = {"schema": "readiness.report/1", "checked_at": "2026-12-07T15:20:00+08:00",
           "facts": {"host": {"hostname": "HUGE-1"}, "blob": huge},
           "results": [{"id": "memory", "status": "fail", "title": {"en": "Memory", "zh": "内存"},
                        "observed": Text(huge, huge).to_dict(), "expected": {"en": "8 GB", "zh": "8 GB"},
                        "message": {"en": "m", "zh": "m"}, "remedy": None}]}
    html = pages.machine(_stored(doc), None, None, "zh", timezone(timedelta(hours=8)))
    css = (pages.STATIC / "style.css").read_text(encoding="utf-8")
    page = browser.new_page(viewport=PHONE)
    try:
        page.set_content(html.replace('<link rel="stylesheet" href="/assets/style.css">', f"<style>{css}</style>"))
        assert page.locator("div.verdict").get_attribute("data-status") == "fail"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        badge = page.locator("table.results .badge").first
        assert badge.bounding_box()["height"] < 40
    finally:
        page.close()
