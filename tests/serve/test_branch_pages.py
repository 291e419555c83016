"""The branch server's pages and downloads over HTTP (a real branch server, a real site server
pushing its document): the dashboard page and its script, a site's last document as a page with its
checks' titles, remedies and deadlines, every hostile value escaped; the downloads in each format."""

from __future__ import annotations

import io
import json
import sys
from urllib.parse import quote

import pytest
import requests

from readiness.serve import pages
from tests.reports.branch_doc import EVIL, branch_doc
from tests.serve.branch_setup import EVIL_HOST, EVIL_ID, branch_with_sites
from tests.serve.server import KEY

MANAGER = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    with branch_with_sites(tmp_path_factory.mktemp("branch")) as b:
        yield b


def get(branch, path: str, **headers: str) -> requests.Response:
    return requests.get(branch.branch.url + path, headers={**MANAGER, **headers}, timeout=10)


def test_the_dashboard_page_loads_its_script_and_words(branch):
    page = get(branch, "/branch?lang=en")
    assert page.status_code == 200 and page.cookies.get("lang") == "en"  # kept, as the site's dashboard keeps it
    assert '<script src="/assets/common.js"></script><script src="/assets/branch.js"></script>' in page.text and 'id="sites"' in page.text
    for fmt in ("html", "csv", "xlsx", "json"):
        assert f'href="/download/branch.{fmt}"' in page.text
    assert "branch dashboard" in page.text and "分部看板" in get(branch, "/branch?lang=zh").text
    script = requests.get(branch.branch.url + "/assets/branch.js", timeout=10)
    assert script.status_code == 200 and "innerHTML" not in script.text
    assert requests.get(branch.branch.url + "/branch", timeout=10).status_code == 401  # the manager's only


def test_every_word_the_script_asks_for_is_in_the_table():
    import re

    from readiness.site.words import WORDS

    script = (pages.STATIC / "branch.js").read_text(encoding="utf-8")
    asked = set(re.findall(r'\bt\(\s*"([a-z_]+)"\s*\)', script)) | set(re.findall(r'\btn\(\s*"([a-z_]+)"', script))
    asked |= {f"deadline_{s}" for s in ("done", "open", "overdue", "unknown")}
    asked |= {"ready", "warned", "notready", "undetermined", "last_seen", "next_exam", "rehearsal", "scheduled",
              "running", "done"}
    assert asked and not asked - set(WORDS), asked - set(WORDS)


def test_a_sites_last_document_as_a_page(branch):
    page = get(branch, "/branch/sites/1101?lang=en")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert 'id="verdict" data-status="fail"' in text and "NOT READY" in text
    assert ">Memory<" in text and 'data-check="memory"' in text  # checks by their titles (readiness.site/1 titles)
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in text and "<img" not in text  # escaped (markupsafe writes " as &#34;)
    assert "8 GB of memory" in text  # the memory check's remedy
    assert 'data-deadline="invigilators"' in text and "Every seat reported" in text
    assert "no rehearsal yet" in text
    zh = get(branch, "/branch/sites/1101?lang=zh").text
    assert "内存" in zh and "处理办法" in zh


def test_a_hostile_sites_page_is_text(branch):
    page = get(branch, "/branch/sites/" + quote(EVIL_ID, safe="") + "?lang=en")
    assert page.status_code == 200
    assert "<img" not in page.text and "<b>考点" not in page.text
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in page.text and "朝阳&lt;b&gt;考点&lt;/b&gt;" in page.text
    assert get(branch, "/branch/sites/1199").status_code == 404  # never heard from: nothing to show


def test_a_branchs_document_opened_at_headquarters_shows_its_sites():
    page = pages.sender_document(branch_doc(), "en")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.index('data-site="1102"') < page.index('data-site="1104"') < page.index('data-site="1101"')
    assert "ESCALATE" in page and "SILENT" in page and "NEVER HEARD FROM" in page


def test_a_malformed_document_still_renders():
    for doc in ({}, {"schema": "readiness.site/1", "sites": [{"checks": [], "machines": {"x": 1}, "titles": 3,
                                                              "remedies": None, "findings": "no"}], "exam": []},
                {"schema": "readiness.branch/1", "sites": [1, None, {"id": EVIL}]}, [], None):
        assert pages.sender_document(doc, "zh").endswith("</html>")


def test_the_downloads(branch):
    import openpyxl

    csv = get(branch, "/download/branch.csv?lang=en")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbfsite_id,")
    assert "attachment" in csv.headers["content-disposition"] and ".csv" in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [EVIL_ID, "1199", "1101"]
    book = openpyxl.load_workbook(io.BytesIO(get(branch, "/download/branch.xlsx").content), read_only=True)
    assert [r[0] for r in list(book["Sites"].iter_rows(values_only=True))[1:]] == [EVIL_ID, "1199", "1101"]
    html = get(branch, "/download/branch.html?lang=zh").text
    assert "<img" not in html and "需上报" in html and "从未上报" in html
    doc = json.loads(get(branch, "/download/branch.json").content)
    assert doc["schema"] == "readiness.branch/1" and doc["escalating"] == 1 and doc["silent"] == 1
    assert get(branch, "/download/branch.pdf").status_code == 404


@pytest.mark.skipif(sys.platform == "win32", reason="time.tzset is POSIX: the process zone cannot be set on Windows")
def test_a_sites_page_shows_its_times_in_the_sites_zone(monkeypatch):
    """Issue 28 item 9: the page showed the branch server's zone (UTC+00:00 on a UTC machine) for a
    site in Beijing. The site's server writes generated_at in its own zone: the page follows it."""
    import time

    from tests.reports.branch_doc import site_doc

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        doc = site_doc("1101", "海淀学习中心", "fail", 2, 3, 1_796_000_000)
        doc["generated_at"] = "2026-12-05T08:10:00+08:00"
        doc["sender"]["sent_at"] = "2026-12-05T00:10:05+00:00"
        html = pages.sender_document(doc, "zh")
        assert "2026-12-05 08:10 UTC+08:00" in html and "UTC+00:00" not in html
        assert "2026-12-05 08:10 UTC+08:00" in html[html.index("上报时间"):]  # the sent time too, in the site's zone
        doc["generated_at"] = "not a time"  # no zone to follow: UTC, said
        assert "UTC+00:00" in pages.sender_document(doc, "zh")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
