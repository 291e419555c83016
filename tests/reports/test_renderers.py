import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from readiness.facts import load_snapshot
from readiness.i18n import Lang
from readiness.reports import OutputFormat, render
from readiness.reports.text import cells, wrap
from readiness.judging import judge_machine
from tests.helpers import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
FIXED = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def report_of(example, profile, loaded):
    return judge_machine(load_snapshot(EXAMPLES / example), profile, loaded, now=FIXED)


@pytest.mark.parametrize("example,lang", [("ready-pc.json", "en"), ("ready-pc.json", "zh"),
                                          ("not-ready-pc.json", "en"), ("not-ready-pc.json", "zh")])
def test_text_golden(example, lang, profile, loaded):
    text = render(report_of(example, profile, loaded), OutputFormat.TEXT, Lang(lang))
    golden = GOLDEN / f"{example.replace('.json', '')}.{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert all(cells(line) <= 100 for line in text.splitlines())
    text.encode("gbk")  # a Chinese console can show every character


def test_json_report_contract(profile, loaded):
    doc = json.loads(render(report_of("not-ready-pc.json", profile, loaded), OutputFormat.JSON, Lang.EN))
    assert doc["schema"] == "readiness.report/1"
    assert set(doc) >= {"tool", "profile", "site", "facts", "results", "summary"}
    assert [r["id"] for r in doc["results"]] == ["os", "restore", "memory", "disk", "client-version", "font-msyh",
                                              "opengl-level", "bandwidth", "public-ip", "exam-server", "clock"]
    for r in doc["results"]:
        assert set(r) >= {"id", "status", "title", "observed", "expected", "message", "remedy"}
        assert r["status"] in {"pass", "warn", "fail", "skip", "error"}
        assert r["title"]["zh"] and r["title"]["en"]
    assert doc["summary"] == {"status": "fail", "counts": {"pass": 0, "warn": 3, "fail": 4, "skip": 4, "error": 0}}
    assert doc["facts"]["host"]["hostname"] == "LAB3-PC18"


def test_renderers_are_pure(profile, loaded):
    report = report_of("ready-pc.json", profile, loaded)
    assert render(report, OutputFormat.TEXT, Lang.ZH) == render(report, OutputFormat.TEXT, Lang.ZH)


@pytest.mark.parametrize("text,width", [("中文" * 30, 17), ("word " * 40, 13), ("C:\\Program Files (x86)\\ExamClient\\user.ini", 10)])
def test_wrap_never_overflows(text, width):
    lines = wrap(text, width)
    assert all(cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
