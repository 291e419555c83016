"""Chinese output holds no English sentence: every reason is worded in both languages where it
is raised (issue 16). The walk covers every snapshot and report under tests/ and examples/,
including tests/snapshots/, which holds one snapshot for each collector error path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from readiness.cli import main
from tests.english import english_runs
from tests.helpers import ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"


def _is_facts_or_report(path: Path) -> bool:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False
    schema = doc.get("schema") if isinstance(doc, dict) else None
    return isinstance(schema, str) and schema.startswith(("readiness.facts/", "readiness.report/"))


ALL = sorted(p for base in (ROOT / "tests", ROOT / "examples") for p in base.rglob("*.json")
             if _is_facts_or_report(p))


def _raw_texts(node: Any) -> Iterator[str]:
    """The raw OS and library texts a snapshot keeps beside their bilingual reason: they may
    appear as they are inside a Chinese sentence."""
    if isinstance(node, dict):
        if set(node) == {"en", "zh"} and all(isinstance(v, str) for v in node.values()):
            # a raw text inside a bilingual frame is what both languages share
            m = SequenceMatcher(None, node["en"], node["zh"], autojunk=False).find_longest_match()
            if m.size >= 8:
                yield node["en"][m.a:m.a + m.size].strip()
            return
        for key, value in node.items():
            if key in ("error", "errors") and isinstance(value, str) and value:
                yield value
            elif key == "errors" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _raw_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _raw_texts(value)


def _zh_texts(report: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for r in report["results"]:
        for key in ("title", "observed", "expected", "message", "remedy"):
            if isinstance(r.get(key), dict):
                yield f"{r['id']}.{key}", r[key]["zh"]


def _leaks(text: str, raws: list[str]) -> list[str]:
    for raw in sorted(raws, key=len, reverse=True):
        text = text.replace(raw, " ")
    return english_runs(text)


def test_the_walk_finds_the_error_snapshots():
    names = {p.stem for p in ALL}
    assert {"disks-none-fixed", "memory-unreadable", "bandwidth-too-little", "font-not-a-font",
            "network-dns", "network-refused", "network-timeout", "network-tls", "network-http-404"} <= names
    assert any("errors" in json.loads(p.read_text(encoding="utf-8")) for p in ALL)
    assert any("not_collected" in json.loads(p.read_text(encoding="utf-8")) for p in ALL)


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_check_in_chinese_prints_no_english_sentence(path, tmp_path):
    runner = CliRunner()
    text = runner.invoke(main, ["check", "--facts", str(path), "--lang", "zh", "--output",
                                str(tmp_path / "r.json")])
    assert text.exit_code in (0, 1, 3), text.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    raws = list(_raw_texts(report["facts"]))
    assert _leaks(text.stdout, raws) == []
    leaks = {where: found for where, zh in _zh_texts(report) if (found := _leaks(zh, raws))}
    assert leaks == {}


def test_check_in_chinese_as_a_real_process(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    for name in ("disks-none-fixed", "memory-unreadable", "network-tls"):
        done = subprocess.run([sys.executable, "-m", "readiness", "check", "--facts", str(SNAPSHOTS / f"{name}.json"),
                               "--lang", "zh", "--output", str(tmp_path / f"{name}.json")],
                              capture_output=True, env=env, timeout=120)
        out = done.stdout.decode("utf-8")
        assert done.returncode in (1, 3) and "结论" in out, done.stderr.decode("utf-8", "replace")
        assert english_runs(out) == []


def test_aggregate_in_chinese_prints_no_english_sentence(tmp_path):
    runner = CliRunner()
    reports = tmp_path / "reports"
    reports.mkdir()
    for path in ALL:
        result = runner.invoke(main, ["check", "--facts", str(path), "--lang", "en", "--format", "json",
                                      "--output", str(reports / f"{path.stem}.json")])
        assert result.exit_code in (0, 1, 3), result.output
    raws = [r for p in reports.iterdir() for r in _raw_texts(json.loads(p.read_text(encoding="utf-8"))["facts"])]
    text = runner.invoke(main, ["aggregate", str(reports), "--lang", "zh"])
    assert text.exit_code in (0, 1, 3), text.output
    assert _leaks(text.stdout, raws) == []


@pytest.mark.parametrize("leak", [
    "磁盘（disks）：no fixed internal disk among the drives found",
    "内存（memory）：neither installed nor usable memory could be read: [Errno 5] x",
    "下行带宽（network.bandwidth）：too little to measure",
    "C:\\Windows\\Fonts\\msyh.ttc: not a font file",
    "状态: did not finish in time",
])
def test_the_detector_flags_an_english_sentence(leak):
    assert english_runs(leak)


@pytest.mark.parametrize("fine", [
    "[不通过]    MSYH 字体             C:\\Windows\\Fonts\\msyh.ttc (Microsoft YaHei)",
    "将 C:\\Program Files (x86)\\ExamClient\\user.ini 中 [OpenGL] 下的 Level 改为 0（或运行 `readiness fix`）",
    "https://exam.example.cn/ 200 65 ms；Windows 11 23H2 Professional (build 22631)",
    "请增大 network.deadline_s；离线运行（--offline）；exam-readiness 0.1.0",
])
def test_the_detector_leaves_names_paths_and_numbers(fine):
    assert english_runs(fine) == []
