import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from readiness.core.facts import load_snapshot
from readiness.core.i18n import Lang
from readiness.reports.formats import FORMATS, JSON, SHOWN, TEXT
from readiness.reports.text import cells, wrap
from readiness.core.judging import judge_machine
from tests.helpers import EXAMPLES

from tests.reports.golden import GOLDEN, matches_golden
FIXED = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def report_of(example, profile, loaded):
    return judge_machine(load_snapshot(EXAMPLES / example), profile, loaded, now=FIXED)


@pytest.mark.parametrize("example,lang", [("ready-pc.json", "en"), ("ready-pc.json", "zh"),
                                          ("not-ready-pc.json", "en"), ("not-ready-pc.json", "zh")])
def test_text_golden(example, lang, profile, loaded):
    text = TEXT.render_report(report_of(example, profile, loaded), Lang(lang))
    golden = GOLDEN / f"{example.replace('.json', '')}.{lang}.txt"
    matches_golden(golden, text)
    assert all(cells(line) <= 100 for line in text.splitlines())
    text.encode("gbk")  # a Chinese console can show every character


def test_json_report_contract(profile, loaded):
    doc = json.loads(JSON.render_report(report_of("not-ready-pc.json", profile, loaded), Lang.EN))
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


@pytest.mark.parametrize("example", ["ready-pc.json", "not-ready-pc.json"])
def test_renderers_are_pure(example, profile, loaded, monkeypatch):
    """No file, socket, process or clock is touched while rendering, the report is left as it was,
    and the same report renders the same text (a renderer may not read the system's state)."""
    import builtins
    import copy
    import io
    import os
    import socket
    import subprocess
    import time

    report = report_of(example, profile, loaded)
    before = copy.deepcopy(report.to_dict())
    twin = copy.deepcopy(report)
    touched: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            touched.append(name)
            raise AssertionError(f"a renderer called {name}")
        return blocked

    for owner, name in [(builtins, "open"), (io, "open"), (os, "open"), (os, "stat"), (os, "listdir"),
                        (os, "scandir"), (os, "getcwd"), (os, "getenv"), (socket, "socket"),
                        (socket, "create_connection"), (subprocess, "Popen"), (time, "time"),
                        (time, "localtime")]:
        monkeypatch.setattr(owner, name, refuse(f"{owner.__name__}.{name}"))
    monkeypatch.setattr(os, "environ", {})  # nothing from the environment either
    outputs = {(fmt, lang): FORMATS[fmt].render_report(report, lang) for fmt in SHOWN for lang in Lang}
    monkeypatch.undo()
    assert touched == []
    assert report.to_dict() == before  # not mutated
    assert outputs == {(fmt, lang): FORMATS[fmt].render_report(twin, lang) for fmt in SHOWN for lang in Lang}
    assert outputs[("text", Lang.ZH)] != outputs[("text", Lang.EN)]


@pytest.mark.parametrize("text,width", [("中文" * 30, 17), ("word " * 40, 13), ("C:\\Program Files (x86)\\ExamClient\\user.ini", 10)])
def test_wrap_never_overflows(text, width):
    lines = wrap(text, width)
    assert all(cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_update_golden_rewrites_and_fails_and_the_next_run_proves_it(tmp_path, monkeypatch):
    from _pytest.outcomes import Failed

    golden = tmp_path / "x.txt"
    golden.write_text("old\n", encoding="utf-8")
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    with pytest.raises(Failed, match="rewrote x.txt"):
        matches_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "new\n"
    matches_golden(golden, "new\n")  # nothing to rewrite: it passes
    monkeypatch.delenv("UPDATE_GOLDEN")
    matches_golden(golden, "new\n")
    with pytest.raises(AssertionError):
        matches_golden(golden, "other\n")
    assert golden.read_text(encoding="utf-8") == "new\n"
