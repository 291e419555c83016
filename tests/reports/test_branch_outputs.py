"""The branch table's renderers (pure functions of a readiness.branch/1 dict): golden text, HTML and
CSV in both languages, the workbook read back, the formats table that drives aggregate and the
branch server's downloads."""

from __future__ import annotations

import io
import json
from datetime import timedelta, timezone

import pytest

from readiness.branch.document import Document
from readiness.reports import branch_csv, branch_html, branch_text, branch_xlsx
from readiness.reports.formats import FORMATS
from tests.reports.branch_doc import EVIL, branch_doc
from tests.reports.golden import GOLDEN, matches_golden

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def doc():
    return Document.read(branch_doc())  # typed once, at its door: the renderers trust it


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_golden(doc, lang):
    out = branch_text.render(doc, lang)
    matches_golden(GOLDEN / f"branch.{lang}.txt", out)
    lines = out.splitlines()
    assert lines[0] == {"en": "Branch 11 北京分部 -- NOT READY", "zh": "分部 11 北京分部 -- 未就绪"}[lang]
    assert [sid for line in lines[4:8] for sid in ("1101", "1102", "1103", "1104") if f" {sid} " in line] == [
        "1102", "1104", "1103", "1101"]  # the document's order: the sites to act on first


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_golden_escaped_and_self_contained(doc, lang):
    page = branch_html.render(doc, lang)
    matches_golden(GOLDEN / f"branch.{lang}.html", page)
    assert "<img" not in page and "<script" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'src="' not in page and "<link" not in page  # nothing fetched: it prints offline
    assert page.index('data-site="1102"') < page.index('data-site="1104"') < page.index('data-site="1101"')


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_csv_golden_and_formula_cells_neutralised(doc, lang):
    out = branch_csv.render(doc, lang)
    matches_golden(GOLDEN / f"branch.{lang}.csv", out.encode("utf-8"))
    assert out.count("\r\n") == 5 and "\n" not in out.replace("\r\n", "")
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out
    assert "2026-12-05 08:25:30 UTC+08:00" in out  # times in the branch's zone, as every page says them, zone said


def test_csv_download_form_has_a_bom(doc):
    raw = FORMATS["csv"].render_branch(doc, "zh")
    assert raw.startswith(b"\xef\xbb\xbfsite_id,") and "北京分部".encode() not in raw  # rows only: sites, not the branch
    assert "海淀学习中心".encode() in raw


def test_xlsx_reads_back(doc):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(branch_xlsx.render(doc, "zh")), read_only=True)
    assert book.sheetnames == ["Summary", "Sites"]
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["branch_id"] == "11" and summary["status"] == "fail" and summary["escalating"] == 3
    rows = list(book["Sites"].iter_rows(values_only=True))
    assert rows[0][:4] == ("site_id", "site_name", "kind", "status")
    assert [r[0] for r in rows[1:]] == ["1102", "1104", "1103", "1101"]
    assert rows[1][1] == EVIL and rows[1][4] == "未就绪" and rows[1][5] == "yes"  # text stays text
    assert rows[2][3] == "none" and rows[2][10] in ("", None)  # never heard from: no last seen


def test_xlsx_times_are_excel_dates_in_the_branchs_zone_which_the_heading_names(doc):
    import openpyxl
    from datetime import datetime

    book = openpyxl.load_workbook(io.BytesIO(branch_xlsx.render(doc, "en")))
    sites = book["Sites"]
    head = [c.value for c in sites[1]]
    assert head[10:12] == ["last_seen (UTC+08:00)", "next_exam_at (UTC+08:00)"]
    seen = sites.cell(row=2, column=11)  # 1102, last seen 08:25:30 Beijing time (00:25:30 UTC)
    assert seen.value == datetime(2026, 12, 5, 8, 25, 30) and seen.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sites.cell(row=2, column=12).value == datetime(2026, 12, 5, 8, 30)
    summary = {r[0].value: r[1] for r in book["Summary"].iter_rows()}
    assert summary["generated_at (UTC+08:00)"].value == datetime(2026, 12, 5, 8, 26)
    assert summary["generated_at (UTC+08:00)"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_a_document_an_older_branch_wrote_in_utc_is_shown_in_utc_and_says_so():
    """An older branch wrote UTC: its times are not moved into this computer's zone, they say theirs."""
    old = Document.read(branch_doc(zone=None))
    assert "generated_at" in json.dumps(branch_doc(zone=None)) and old.generated_at.endswith("+00:00")
    text = branch_text.render(old, "en")
    assert "2026-12-05 00:26:00 UTC+00:00" in text and "+08:00" not in text
    assert "2026-12-05 00:25:30 UTC+00:00" in branch_csv.render(old, "en")


def test_the_formats_table(doc):
    assert json.loads(FORMATS["json"].render_branch(doc, "en")) == branch_doc()
    assert FORMATS["xlsx"].render_branch(doc, "en").startswith(b"PK")
    assert FORMATS["text"].render_branch(doc, "en").decode().startswith("Branch 11")
    assert FORMATS["html"].render_branch(doc, "zh").decode().startswith("<!DOCTYPE html>")


def test_an_empty_branch():
    empty = Document.read({"schema": "readiness.branch/1", "id": "11", "name": "", "status": "error", "sites": [],
                           "verdict": {"en": "UNDETERMINED", "zh": "无法判断"}, "counts": {}, "generated_at": None})
    for lang in ("en", "zh"):
        assert "[branch.sites]" in branch_text.render(empty, lang)
        assert "[branch.sites]" in branch_html.render(empty, lang)
        assert branch_csv.render(empty, lang).count("\r\n") == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_branch_output_names_each_sites_server_version(lang):
    """The readiness of each site's server (an old one may not know today's checks): a column of the
    HTML page (branch_table.COLUMNS), the text, the CSV and the workbook; a document from before
    versions were sent (the 0.1.0 corpus has none) shows "-", never a guess."""
    from pathlib import Path

    import openpyxl

    from readiness.reports.branch_table import COLUMNS
    from readiness.site.words import WORDS

    raw = json.loads((Path(__file__).parents[1] / "compat" / "0.2.0" / "branch.json").read_text(encoding="utf-8"))
    old = json.loads(json.dumps(raw))
    for row in old["sites"]:
        row.pop("tool_version", None)
    assert COLUMNS[-1] == "server_version"
    for document, shown in ((raw, "0.2.0"), (old, "-")):
        doc = Document.read(document)
        page = branch_html.render(doc, lang)
        head = page[page.index("<thead>"):page.index("</thead>")]
        assert head.count("<th>") == len(COLUMNS) and str(getattr(WORDS["server_version"], lang)).replace("'", "&#39;") in head
        cells = [c.split(">", 1)[1] for c in page.split('<td class="version"')[1:]]
        assert cells and all(c.startswith(shown + "</td>") for c in cells), cells
        rows = list(openpyxl.load_workbook(io.BytesIO(branch_xlsx.render(doc, lang)),
                                           read_only=True)["Sites"].iter_rows(values_only=True))
        at = rows[0].index("tool_version")
        assert {r[at] or "-" for r in rows[1:]} == {shown}
        assert branch_csv.render(doc, lang).splitlines()[0].endswith("tool_version")
        said = f"{getattr(WORDS['server_version'], lang)} 0.2.0"
        assert (said in branch_text.render(doc, lang)) == (shown == "0.2.0")
