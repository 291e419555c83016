"""Chinese output holds no English sentence: every reason is worded in both languages where it
is raised (issue 16). The walk covers every snapshot and report under tests/ and examples/,
including tests/snapshots/, which holds one snapshot for each collector error path."""

from __future__ import annotations

import json
import re
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


# tests/compat holds documents as older versions wrote them, their reasons in their own words (0.1.0's
# collector wrote plain English, shown as it is in both languages): tests/compat/test_compat.py reads them
ALL = sorted(p for base in (ROOT / "tests", ROOT / "examples") for p in base.rglob("*.json")
             if _is_facts_or_report(p) and (ROOT / "tests" / "compat") not in p.parents)


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


# --- Messages born where they are raised, walked in Chinese (issue 16, item 3): a broken profile,
# `profile`, `fix --dry-run`, `submit` against servers that refuse or are down.

BROKEN_PROFILES = {
    "unknown key": "[site]\nseets = 3\n",
    "a string": "[site]\nname = 3\n",
    "one of": '[bandwidth]\nbackend = "ftp"\n',
    "a whole number": "[site]\nseats = 2.5\n",
    "a number": '[bandwidth]\nduration_s = "ten"\n',
    "finite": "[bandwidth]\nduration_s = nan\n",
    "true or false": '[site]\nlistening = "yes"\n',
    "a list of strings": "[site]\npublic_ips = [1, 2]\n",
    "at least": "[site]\nseats = 0\n",
    "at most": "[site]\nseats = 100000\n",
    "an IP": '[site]\npublic_ips = ["not-an-ip"]\n',
    "a URL, scheme": '[bandwidth]\nurl = "ftp://example.cn/x.bin"\n',
    "a URL, none": '[bandwidth]\nurl = "example.cn/x.bin"\n',
    "a URL, no host": '[server]\nurl = "http://"\n',
    "a URL, spaces": '[network]\nendpoints = ["http://exam.cn/a b"]\n',
    "a URL, bad port": '[server]\nurl = "http://exam.cn:99999/"\n',
    "a version": '[phones]\nios_app_min = "new"\n',
    "a check's version": '[client]\nmin_version = "latest"\n',
    "a check's families": '[os]\nfamilies = ["7"]\n',
    "not TOML": "[site\nseats = 3\n",
    "not UTF-8": b"[site]\nname = \"\xff\xfe\"\n",
}


@pytest.mark.parametrize("text", BROKEN_PROFILES.values(), ids=list(BROKEN_PROFILES))
@pytest.mark.parametrize("command", [["profile"], ["check", "--facts", str(SNAPSHOTS / "disks-none-fixed.json")]],
                         ids=["profile", "check"])
def test_a_broken_profile_is_refused_in_chinese(text, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "site.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = CliRunner().invoke(main, [*command, "--profile", str(path), "--lang", "zh"])
    assert result.exit_code == 2, result.output
    said = result.stderr
    assert said.startswith("错误：") and str(path) in said, said
    # the TOML parser's and urllib's own words, after a Chinese sentence
    raw = re.findall(r"TOML：(.*)", said) + re.findall(r"不是有效的网址（(.*?)）", said)
    assert _leaks(said, raw) == [], said


def test_a_broken_profile_in_english_is_as_before(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[site]\nseats = 0\npublic_ips = ["x"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["profile", "--profile", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}: site.seats: must be at least 1, got 0; "
                             "site.public_ips: 'x' is not an IP address, got [\"x\"]\n")


def test_the_profile_in_chinese(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[site]\nname = "一中"\n[server]\nurl = "http://192.168.1.10:8765"\n', encoding="utf-8")
    for args in ([], ["--profile", str(path)]):
        result = CliRunner().invoke(main, ["profile", "--lang", "zh", *args])
        assert result.exit_code == 0 and "（未设置）" in result.stdout
        assert english_runs(result.stdout) == [], result.stdout


def test_usage_and_option_errors_in_chinese(tmp_path):
    runner = CliRunner()
    for args in (["check", "--output", "", "--lang", "zh"], ["check", "--lang", "zh", "--output", str(tmp_path)],
                 ["aggregate", str(tmp_path / "none"), "--lang", "zh"], ["submit", "--lang", "zh"],
                 ["bandwidth", "--lang", "zh", "--url", "ftp://x/y"], ["bandwidth", "--url", " ", "--lang=zh"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and result.stderr.startswith("错误："), (args, result.stderr)
        assert english_runs(result.stderr) == [], (args, result.stderr)


def test_fix_dry_run_in_chinese_notes_and_refusals(tmp_path):
    """Notes (what fix does not do), refusals (a UTF-16 user.ini, a font that is none, a read-only
    file) and the dry run's own lines, in Chinese."""
    import shutil

    from tests.helpers import PE_FIXTURES

    outputs = []
    for ini in ("[OpenGL]\r\nLevel=2\r\n".encode("utf-16"), b"[OpenGL]\nLevel=2\n"):
        client = tmp_path / f"c{len(outputs)}" / "ExamClient"
        client.mkdir(parents=True)
        shutil.copy(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
        (client / "user.ini").write_bytes(ini)
        if not ini.startswith(b"\xff\xfe"):
            (client / "user.ini").chmod(0o444)
        font = tmp_path / "msyh.ttc"
        font.write_bytes(b"not a font at all")
        profile = tmp_path / "site.toml"
        profile.write_text(f"[client]\ninstall_dir = {json.dumps(str(client))}\n", encoding="utf-8")
        font_args = ["--font", str(font)] if not outputs else []  # a refusal: the read-only file is not reached
        result = CliRunner().invoke(main, ["fix", "--dry-run", "--lang", "zh", "--profile", str(profile),
                                           "--backup-dir", str(tmp_path / "b"), *font_args])
        outputs.append(result.output)
        assert result.exit_code in (0, 1), result.output
        assert english_runs(result.output) == [], result.output
    assert "UTF-16" in outputs[0] and "只读" in outputs[1]


class _Answer:
    """A stand-in server on 127.0.0.1 that answers every POST with one status and body."""

    def __init__(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        import http.server
        import threading

        answer = (status, body, ctype)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(answer[0])
                self.send_header("Content-Type", answer[2])
                self.send_header("Content-Length", str(len(answer[1])))
                self.end_headers()
                self.wfile.write(answer[1])

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _refusal(en: str, zh: str) -> bytes:
    return json.dumps({"error": en, "error_text": {"en": en, "zh": zh}}).encode("utf-8")


SERVERS = {
    "401": (401, _refusal("a valid submit token is needed (Authorization: Bearer TOKEN)",
                          "需要有效的提交令牌（Authorization: Bearer 令牌）"), "application/json", 2),
    "403": (403, _refusal("forbidden", "禁止访问"), "application/json", 2),
    "429": (429, _refusal("too many requests from this address; try again shortly", "此地址请求过于频繁，请稍后再试"),
            "application/json", 3),
    "503": (503, _refusal("the server cannot store it now (database is locked); it will be sent again",
                          "服务器暂时无法保存（database is locked）；考试机会重新发送"), "application/json", 3),
    "500 bare": (500, b"", "text/plain", 3),
    "400": (400, _refusal("not a readiness report: no schema", "不是可接收的报告（no schema）"), "application/json", 1),
    "a web page": (200, b"<html>welcome to the hotel wifi</html>", "text/html", 3),
    "a redirect": (302, b"", "text/html", 3),
}


@pytest.mark.parametrize("name", [*SERVERS, "down"])
def test_submit_in_chinese_against_servers_that_refuse(name, tmp_path, monkeypatch):
    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    report = tmp_path / "r.json"
    CliRunner().invoke(main, ["check", "--facts", str(SNAPSHOTS / "disks-none-fixed.json"), "--output", str(report)])
    server = None
    if name == "down":
        import socket

        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            url, code = f"http://127.0.0.1:{s.getsockname()[1]}", 3
    else:
        status, body, ctype, code = SERVERS[name]
        server = _Answer(status, body, ctype)
        url = server.url
    try:
        result = CliRunner().invoke(main, ["submit", str(report), "--server", url, "--token", "t", "--lang", "zh"])
    finally:
        if server is not None:
            server.close()
    assert result.exit_code == code, result.stderr
    said = result.stderr
    assert {3: "报告保存在待发送目录", 2: "不接受此提交令牌", 1: "服务器拒收"}[code] in said, said
    if code == 2:
        assert "server.token" in said and "下次" not in said  # a refusal, never "sent next time"
    raw = ["database is locked", "no schema"]  # the server's own raw detail inside its Chinese sentence
    assert _leaks(said, raw) == [], said
    english = CliRunner().invoke(main, ["submit", "--server", url, "--token", "t", "--lang", "en"]).stderr
    assert "已" not in english
