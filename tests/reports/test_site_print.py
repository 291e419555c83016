"""The printable site page printed to PDF on A4 by a real browser (Debian's chromium, page.pdf), both
languages: how many sheets a site takes, and no heading left at the foot of a sheet with what it heads
on the next (each heading and the first line after it are marked with tiny unique tokens before
printing; both tokens must be found in the same page's text, read back with pypdf).
READINESS_SHOTS=folder keeps the PDFs."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from readiness.site.aggregate.build import aggregate
from readiness.reports import site_html
from readiness.site.words import WORDS
from tests.serve.browser import NEEDS_CHROMIUM, browser  # noqa: F401 - browser: a pytest fixture
from tests.site.aggregate.reports import make_report, network, site_profile

pytestmark = NEEDS_CHROMIUM

# Tokens: 1px white text the PDF's text keeps; one before each heading's end, one at the start of
# the first thing it heads (the first cell, seat, finding or line of the element that follows).
MARK = """() => {
  const heads = [...document.querySelectorAll("h1, h2, h3")];
  heads.forEach((h, i) => {
    const next = h.nextElementSibling;
    if (!next) return;
    const first = next.querySelector("th, td, .seat, span, i, b") || next;
    for (const [where, token, atEnd] of [[h, "QH" + i + "Q", true], [first, "QN" + i + "Q", false]]) {
      const s = document.createElement("span");
      s.textContent = token;
      s.style.cssText = "font-size:1px;color:#fff;letter-spacing:0";
      atEnd ? where.appendChild(s) : where.insertBefore(s, where.firstChild);
    }
  });
  return heads.map(h => h.textContent);
}"""


def _site(tmp_path: Path, pcs: int):
    prof = site_profile(tmp_path, seats=pcs)
    for i in range(pcs):
        changes = [{}, {"client.user_ini.opengl_level": "2"},
                   {"memory.installed_bytes": 4 * 2**30, "fonts.msyh": []},
                   {"memory.installed_bytes": None, "memory.usable_bytes": None}, {}][i % 5]
        make_report(tmp_path / "r", f"PC{i + 1:03d}", prof, changes,
                    net=network(mbps=60.0, ip="198.51.100.9") if i % 5 == 2 else None)
    return aggregate([str(tmp_path / "r")], workers=1)


def _printed(browser, html: str, name: str) -> tuple[list[str], list[str]]:
    """(each A4 page's text, the headings) of the page printed as the browser prints it."""
    import pypdf

    page = browser.new_page()
    try:
        page.set_content(html)
        heads = page.evaluate(MARK)
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    folder = os.environ.get("READINESS_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(pdf)
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages], heads


def _kept_together(pages: list[str], heads: list[str]) -> None:
    for i, head in enumerate(heads):
        on = [n for n, text in enumerate(pages) if f"QH{i}Q" in text]
        follows = [n for n, text in enumerate(pages) if f"QN{i}Q" in text]
        assert len(on) == 1, (head, on)  # the token is read back: the test sees what it checks
        # (a table's heading row is printed again on each page it runs over: its first is what counts)
        assert follows and follows[0] == on[0], \
            f"heading {head!r} on page {on[0] + 1}, what it heads on page {[n + 1 for n in follows]}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_five_pcs_print_on_at_most_two_a4_pages_no_heading_left_at_a_foot(browser, tmp_path, lang):
    pages, heads = _printed(browser, site_html.render(_site(tmp_path, 5), lang), f"site-5-{lang}.pdf")
    assert 1 <= len(pages) <= 2, len(pages)
    assert len(heads) >= 8
    _kept_together(pages, heads)
    first = pages[0]
    # the page says how it reads: the language asked for first, the other small beside it
    said = WORDS["page_lang"]
    assert (said.en if lang == "en" else said.zh).replace(" ", "")[:12] in first.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_hundred_pcs_print_with_every_heading_beside_what_it_heads(browser, tmp_path, lang):
    pages, heads = _printed(browser, site_html.render(_site(tmp_path, 200), lang), f"site-200-{lang}.pdf")
    assert len(pages) <= 12, len(pages)
    _kept_together(pages, heads)
    # the problems table's heading row is printed again on every page it runs over
    reasons = "Reasons" if lang == "en" else "原因"
    running_over = [p for p in pages if re.search(r"PC\d{3} (FAIL|不通过)", p)]  # a row of the table
    assert len(running_over) >= 3 and all(reasons in p for p in running_over)
