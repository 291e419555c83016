import json
import os
import re
import subprocess
import sys

import pytest

from tests.helpers import EXAMPLES, with_facts


def write(tmp_path, name, facts):
    path = tmp_path / name
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    return path


def test_ready_pc_exits_0_and_saves_the_report(run, tmp_path):
    result = run("check", "--facts", EXAMPLES / "ready-pc.json")
    assert result.exit_code == 0, result.output
    assert "READY (7 PASS, 4 SKIP)" in result.output
    saved = list(tmp_path.glob("readiness-report-LAB3-PC17-*.json"))
    assert len(saved) == 1 and str(saved[0]) in result.output
    assert json.loads(saved[0].read_text(encoding="utf-8"))["summary"]["status"] == "pass"


def test_not_ready_pc_exits_1(run, tmp_path):
    result = run("check", "--facts", EXAMPLES / "not-ready-pc.json", "--output", tmp_path / "out" / "r.json")
    assert result.exit_code == 1
    assert "NOT READY" in result.output and (tmp_path / "out" / "r.json").exists()


def test_undecided_exits_3(run, tmp_path):
    facts = with_facts({"memory.installed_bytes": None, "memory.usable_bytes": None})
    result = run("check", "--facts", write(tmp_path, "f.json", facts))
    assert result.exit_code == 3 and "UNDETERMINED" in result.output


def test_warnings_still_exit_0(run, tmp_path):
    result = run("check", "--facts", write(tmp_path, "f.json", with_facts({"client.user_ini.opengl_level": "2"})))
    assert result.exit_code == 0 and "READY, WITH WARNINGS" in result.output


def test_json_on_stdout(run, tmp_path):
    result = run("check", "--facts", EXAMPLES / "not-ready-pc.json", "--format", "json", "--output", tmp_path / "r.json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["schema"] == "readiness.report/1" and doc["summary"]["status"] == "fail"
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == doc
    assert "Report saved" in result.stderr


def test_offline_snapshot_can_be_rejudged(run, tmp_path):
    result = run("facts", "--offline", "--output", tmp_path / "facts.json")
    assert result.exit_code == 0
    facts = json.loads(result.stdout)
    assert facts["schema"] == "readiness.facts/1" and facts["not_collected"]["network"]
    rejudged = run("check", "--facts", tmp_path / "facts.json", "--output", tmp_path / "r.json")
    assert rejudged.exit_code in (1, 3)  # this Linux machine is not an exam PC
    assert "Operating system" in rejudged.output


def test_live_check_runs_on_this_machine(run, tmp_path):
    result = run("check", "--offline", "--output", tmp_path / "r.json")
    assert result.exit_code in (0, 1, 3) and (tmp_path / "r.json").is_file()
    if os.name != "nt":
        assert result.exit_code == 1 and "Not Windows" in result.output


@pytest.mark.parametrize("content,words", [
    (b"{oops", "not valid JSON"),
    (b"", "empty"),
    (b'{"schema": "readiness.facts/9"}', "newer"),
    (b"\x00\x01\x02", "not valid JSON|not UTF-8"),
])
def test_unusable_facts_file_exits_2(run, tmp_path, content, words):
    path = tmp_path / "facts.json"
    path.write_bytes(content)
    result = run("check", "--facts", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert re.search(words, result.stderr)


def test_bad_profile_exits_2(run, tmp_path):
    profile = tmp_path / "site.toml"
    profile.write_text("[site]\nseats = -1\n")
    result = run("check", "--facts", EXAMPLES / "ready-pc.json", "--profile", profile)
    assert result.exit_code == 2 and "site.seats" in result.stderr and str(profile) in result.stderr


def test_usage_error_exits_2(run):
    assert run("check", "--format", "xml").exit_code == 2


def test_profile_changes_the_verdict(run, tmp_path):
    profile = tmp_path / "site.toml"
    profile.write_text('[os]\nfamilies = ["10", "11"]\n[memory]\nmin_installed_gib = 4\n')
    facts = with_facts({"os.build": 22631, "memory.installed_bytes": 4 * 2**30})
    result = run("check", "--facts", write(tmp_path, "f.json", facts), "--profile", profile)
    assert result.exit_code == 0, result.output


def test_a_malformed_fact_is_one_error_and_the_report_is_still_written(run, tmp_path):
    facts = with_facts({"disks": "C: 256GB"})
    result = run("check", "--facts", write(tmp_path, "f.json", facts), "--output", tmp_path / "r.json")
    assert result.exit_code == 3
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["status"] for r in doc["results"]}["disk"] == "error"
    assert sum(r["status"] == "pass" for r in doc["results"]) == 6


def test_unwritable_output_falls_back_to_temp(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("check", "--facts", EXAMPLES / "ready-pc.json", "--output", blocker / "r.json")
    assert result.exit_code == 0
    assert "cannot write" in result.stderr and "Report saved" in result.output


def test_profile_command(run, tmp_path):
    shown = run("profile")
    assert shown.exit_code == 0 and 'min_version = "1.2.1-0"' in shown.output
    (tmp_path / "p.toml").write_text(shown.output, encoding="utf-8")
    assert run("profile", "--profile", tmp_path / "p.toml", "--format", "json").exit_code == 0


def test_checks_command(run):
    result = run("checks")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == \
        ["os", "restore", "memory", "disk", "client-version", "font-msyh", "opengl-level", "bandwidth",
         "public-ip", "exam-server", "clock"]
    assert "(readiness.checks.clock, since 0.2.0)" in result.output  # the version each came in


@pytest.mark.parametrize("encoding,lang", [("gbk", "zh"), ("gbk", "en"), ("ascii", "zh"), ("ascii", "en"),
                                          ("cp1252", "zh")])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_never_crashes_on_narrow_consoles(tmp_path, encoding, lang, fmt):
    """A real process whose redirected output is GBK or ASCII, as on Chinese Windows."""
    env = dict(os.environ, PYTHONIOENCODING=encoding, READINESS_LANG=lang)
    proc = subprocess.run([sys.executable, "-m", "readiness", "check", "--facts", str(EXAMPLES / "not-ready-pc.json"),
                           "--format", fmt, "--output", str(tmp_path / "r.json")],
                          capture_output=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1, proc.stderr.decode(encoding, "replace")
    assert "Traceback" not in proc.stderr.decode(encoding, "replace")
    if fmt == "json":  # not a console: UTF-8 bytes whatever the console's encoding, as the readers expect
        doc = json.loads(proc.stdout.decode("utf-8"))
        assert doc["results"][0]["title"]["zh"] == "操作系统"
        assert "操作系统".encode("utf-8") in proc.stdout
        return
    out = proc.stdout.decode(encoding)
    if encoding == "gbk" and lang == "zh":
        assert "未就绪" in out
    elif lang == "en":
        assert "NOT READY" in out
        assert (">= 8.0 GiB" if encoding == "ascii" else "≥ 8.0 GiB") in out


def test_language_follows_the_console(monkeypatch):
    from readiness.core.i18n import Lang, detect_lang

    assert detect_lang("gbk", {"LANG": "zh_CN.UTF-8"}) is Lang.ZH
    assert detect_lang("ascii", {"LANG": "zh_CN.UTF-8"}) is Lang.EN
    assert detect_lang("utf-8", {"LANG": "en_US.UTF-8"}) is Lang.EN
    assert detect_lang("utf-8", {"LANG": "en_US.UTF-8", "READINESS_LANG": "zh"}) is Lang.ZH


def test_every_entry_point_calls_freeze_support_before_the_command_line(monkeypatch):
    """multiprocessing's documentation: freeze_support() must be called straight after
    `if __name__ == "__main__"` of a frozen program's main module, before anything else runs."""
    import importlib.metadata
    import multiprocessing
    import runpy

    called = []

    def freeze_support():
        called.append(True)
        raise SystemExit(0)  # as in a frozen child, which exits after running its task

    monkeypatch.setattr(multiprocessing, "freeze_support", freeze_support)
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # as PyInstaller sets it
    monkeypatch.setattr(sys, "argv", ["readiness", "--no-such-option"])  # click would exit 2 on it
    scripts = [ep for ep in importlib.metadata.entry_points(group="console_scripts") if ep.name == "readiness"]
    assert [ep.value for ep in scripts] == ["readiness.cli:entry"]
    with pytest.raises(SystemExit) as exited:
        scripts[0].load()()
    assert exited.value.code == 0 and called == [True]
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("readiness", run_name="__main__")
    assert exited.value.code == 0 and called == [True, True]


def test_chinese_on_an_ascii_console_falls_back_to_english_once(run, monkeypatch):
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")  # Windows would take the console's code page otherwise
    result = run("check", "--facts", EXAMPLES / "ready-pc.json", "--lang", "zh", "--output", "r.json", charset="ascii")
    assert result.exit_code == 0 and "Result: READY" in result.stdout and "??" not in result.stdout
    assert result.stderr.count("cannot show Chinese") == 1


def test_chinese_output_names_facts_and_the_builtin_profile_in_chinese(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONIOENCODING", "utf-8")  # on Windows, output away from a console is in its code page
    facts = with_facts({"fonts.msyh": None})
    result = run("check", "--facts", write(tmp_path, "f.json", facts), "--lang", "zh", "--output", "r.json")
    assert "配置: 内置（2023 年秋季应急预案）" in result.stdout and "built-in" not in result.stdout
    assert "微软雅黑字体（fonts.msyh）：未知" in result.stdout and "unknown" not in result.stdout
    assert "快照中没有此项" in result.stdout and "not in the snapshot" not in result.stdout


@pytest.mark.parametrize("streams,en,zh", [(1, "1 parallel stream,", "1 个并行连接"), (4, "4 parallel streams,", "4 个并行连接")])
def test_bandwidth_detail_counts_streams_in_words(streams, en, zh):
    from readiness.core.i18n import Lang
    from readiness.reports.bandwidth_text import detail

    m = {"download_mbps": 50.0, "median_mbps": 50.0, "p90_mbps": 51.0, "streams": streams, "window_s": 10.0,
         "warmup_s": 2.0, "cpu_core_share": 0.1, "backend": "http"}
    assert en in detail(m, 10, Lang.EN)[0] and zh in detail(m, 10, Lang.ZH)[0]


def test_readiness_lang_zh_on_an_ascii_console_falls_back_too(run, monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "zh")
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")
    result = run("check", "--facts", EXAMPLES / "ready-pc.json", "--output", "r.json", charset="ascii")
    assert "Result: READY" in result.stdout and result.stderr.count("cannot show Chinese") == 1


@pytest.mark.parametrize("where", ["profile", "option"])
def test_network_offline_in_the_profile_is_the_offline_option(run, tmp_path, where):
    """PCs prepared before the exam network is up: site.toml can say so once for every PC."""
    profile = tmp_path / "site.toml"
    profile.write_text("[network]\noffline = true\n" if where == "profile" else "", encoding="utf-8")
    extra = ["--offline"] if where == "option" else []
    result = run("facts", "--profile", profile, *extra)
    assert result.exit_code == 0 and json.loads(result.stdout)["not_collected"]["network"]


def test_an_unfrozen_start_does_not_import_multiprocessing():
    """freeze_support() only matters in a frozen build; importing multiprocessing costs every start."""
    code = ("import sys; sys.argv = ['readiness', '--version']\n"
            "from readiness.cli import entry\n"
            "try:\n    entry()\nexcept SystemExit:\n    pass\n"
            "print('multiprocessing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_judging_a_snapshot_loads_no_collector_and_nothing_heavy(tmp_path):
    """`check --facts` judges a file: the checks (plugins) must not pull in the collectors, Win32,
    the network stack or importlib.metadata (the start-up target: within 6x a bare python). Windows'
    embeddable python keeps its standard library in a zip, where the entry points are read through
    importlib.metadata, as documented in readiness.core.plugin; and a Windows console is asked its code
    page and the UI language through Win32."""
    import subprocess
    import sys

    code = ("import runpy, sys; sys.argv = ['readiness', 'check', '--facts', sys.argv[1], '--output', sys.argv[2]]\n"
            "try:\n    runpy.run_module('readiness', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "heavy = ('readiness.pc.collect', 'requests', 'psutil', 'fontTools', 'readiness.pc.net')"
            " + (() if sys.platform == 'win32' else ('readiness.core.win32', 'ctypes', 'email', 'importlib.metadata'))\n"
            "print(sorted(m for m in heavy if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "ready-pc.json"), str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_the_clis_own_errors_are_text_errors_shown_in_the_language_asked(run, tmp_path):
    """UsageError and BadValue are TextErrors (one root: the reason in both languages where raised);
    click shows them and exits 2 (its message: the English)."""
    from readiness.cli import BadValue, UsageError
    from readiness.core.i18n import Text, TextError

    for error in (UsageError(Text("no such thing", "没有这个")), BadValue(Text("no such thing", "没有这个"))):
        assert isinstance(error, TextError) and error.reason == Text("no such thing", "没有这个")
        assert error.exit_code == 2 and str(error) == error.message == "no such thing"
    assert UsageError("plain words").reason == Text("plain words", "plain words")
    missing = tmp_path / "nowhere"
    for lang, said in (("en", f"error: no such file or folder: {missing}"), ("zh", f"错误：文件或文件夹不存在：{missing}")):
        result = run("aggregate", missing, "--lang", lang)
        assert result.exit_code == 2 and result.stderr.strip() == said
    for lang, said in (("en", "Invalid value for '--output': an empty file name"), ("zh", "错误：'--output' 的值无效：文件名为空")):
        result = run("check", "--facts", EXAMPLES / "ready-pc.json", "--output", "", "--lang", lang)
        assert result.exit_code == 2 and said in result.stderr
