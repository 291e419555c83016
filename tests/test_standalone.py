"""readiness.exe's double-click flow and stick defaults, through the Python entry (the console probe,
the Desktop and the PC's facts injected); tests/test_exe.py runs the same on the built exe under Wine."""

from __future__ import annotations

import errno
import io
import json
import os
import sys
import threading
from pathlib import Path

import pytest

from readiness.pc import output

from readiness import standalone
from readiness.core.i18n import Lang
from readiness.standalone import Session, main
from tests.helpers import ready_facts, with_facts

STICK = "考点 工具"  # E:\考点 工具\readiness.exe


class Window:
    """What the technician sees, and whether the window waited for Enter."""

    def __init__(self, folder: Path, own_console: bool = True, lang: Lang = Lang.EN, facts=None, desktop=None):
        self.out, self.err = io.StringIO(), io.StringIO()
        self.prompts: list[str] = []
        self.profiles: list[dict] = []
        self.facts = facts if facts is not None else ready_facts()
        self.session = Session(folder=folder, own_console=lambda: own_console, desktop=lambda: desktop or folder / "Desktop",
                               out=self.out, err=self.err, read_line=self._enter, lang=lang, collect=self._collect)

    def _enter(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return ""

    def _collect(self, values):
        self.profiles.append(dict(values))
        if isinstance(self.facts, Exception):
            raise self.facts
        return self.facts

    def run(self, *args: str) -> int:
        return main(list(args), self.session)


@pytest.fixture
def stick(tmp_path):
    folder = tmp_path / STICK
    folder.mkdir()
    return folder


def reports_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("readiness-report-*.json")) if folder.is_dir() else []


def test_double_click_checks_saves_into_reports_beside_the_exe_and_waits(stick):
    w = Window(stick)
    assert w.run() == 0
    saved = reports_in(stick / "reports")
    assert len(saved) == 1
    report = json.loads(saved[0].read_bytes())
    assert report["summary"]["status"] == "pass" and len(report["results"]) == 11
    text = w.out.getvalue()
    assert f"No site.toml beside readiness.exe ({stick})" in text and "built-in" in text
    assert "Result: READY" in text and f"Report saved: {saved[0]}" in text
    assert w.prompts == ["Press Enter to close this window."]
    assert os.listdir(stick / "reports") == [saved[0].name]  # no temp file left behind


def test_no_wait_in_a_terminal_or_a_script(stick):
    w = Window(stick, own_console=False)
    assert w.run() == 0
    assert w.prompts == [] and len(reports_in(stick / "reports")) == 1


def test_not_ready_pc_exit_code_and_chinese(stick):
    w = Window(stick, lang=Lang.ZH, facts=with_facts({"memory.installed_bytes": 4 * 2**30}))
    assert w.run() == 1
    text = w.out.getvalue()
    assert "未就绪" in text and "NOT READY" not in text
    assert "报告已保存：" in text and w.prompts == ["按回车键关闭此窗口。"]


def test_site_toml_beside_the_exe_is_used(stick):
    (stick / "site.toml").write_text('[site]\nid = "XJ-0731"\nseats = 120\n', encoding="utf-8")
    w = Window(stick)
    assert w.run() == 0
    assert w.profiles[0]["site.id"] == "XJ-0731"
    assert f"Site profile: {stick / 'site.toml'}" in w.out.getvalue()
    report = json.loads(reports_in(stick / "reports")[0].read_bytes())
    assert report["site"]["id"] == "XJ-0731" and report["site"]["seats"] == 120


@pytest.mark.parametrize("content, words", [
    ('[site]\nid = "A"\nseats = \n', ["line 3"]),  # not TOML: the parser's line
    ('[site]\nid = "A"\nseats = "many"\n', ["site.seats", "line 3: site.seats"]),  # a wrong value: key, line
    ('[site]\nid = "A"\n\n[network]\ntimeout_s = -1\nbogus = 1\n',
     ["line 5: network.timeout_s", "line 6: network.bogus"]),
    ('\xff\xfe', ["UTF-8"]),
])
def test_invalid_site_toml_names_the_file_waits_and_exits_2(stick, content, words):
    (stick / "site.toml").write_bytes(content.encode("utf-8") if content.isascii() else b"\xff\xfe[")
    w = Window(stick)
    assert w.run() == 2
    err = w.err.getvalue()
    assert str(stick / "site.toml") in err and all(word in err for word in words), err
    assert w.prompts == ["Press Enter to close this window."]
    assert w.profiles == [] and not (stick / "reports").exists()  # nothing collected, nothing saved


def test_stick_not_writable_saves_on_the_desktop_and_says_where(stick, tmp_path):
    (stick / "reports").write_bytes(b"")  # a file where the folder should be: no report can go there
    desktop = tmp_path / "Desktop"
    w = Window(stick, desktop=desktop)
    assert w.run() == 0
    saved = reports_in(desktop)
    assert len(saved) == 1 and json.loads(saved[0].read_bytes())["summary"]["status"] == "pass"
    err = w.err.getvalue()
    assert "Could not save the report on the stick" in err and str(saved[0]) in err
    assert w.prompts  # still waits: the technician must read where the report went


def test_stick_pulled_out_while_writing_leaves_no_report_under_its_name(stick, tmp_path, monkeypatch):
    real_fsync, calls = os.fsync, []

    def pulled(fd):  # the first write is the one onto the stick
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", pulled)
    w = Window(stick, desktop=tmp_path / "Desktop")
    assert w.run() == 0
    assert os.listdir(stick / "reports") == []  # neither half a report nor the temp file
    assert len(reports_in(tmp_path / "Desktop")) == 1 and "Input/output error" in w.err.getvalue()


def test_unexpected_error_is_shown_and_the_window_waits(stick):
    w = Window(stick, facts=RuntimeError("registry on fire"))
    assert w.run() == 3
    assert "RuntimeError: registry on fire" in w.err.getvalue() and w.prompts


def test_write_new_never_overwrites_when_many_write_the_same_name_at_once(tmp_path):
    name = "readiness-report-LAB3-PC17-20261120-094100.json"
    (tmp_path / name).write_bytes(b"first")
    barrier = threading.Barrier(8)
    saved: list[Path] = []

    def write(i: int) -> None:
        barrier.wait()
        saved.append(output.write_new(tmp_path, name, f"pc {i}".encode()))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(saved)) == 8
    assert (tmp_path / name).read_bytes() == b"first"
    assert sorted(p.read_bytes() for p in saved) == sorted(f"pc {i}".encode() for i in range(8))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name] + [
        f"readiness-report-LAB3-PC17-20261120-094100-{n}.json" for n in range(2, 10)])


def test_write_new_without_hard_links_reserves_the_name(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "r.json").write_bytes(b"old")
    assert output.write_new(tmp_path, "r.json", b"new") == tmp_path / "r-2.json"
    assert (tmp_path / "r.json").read_bytes() == b"old" and (tmp_path / "r-2.json").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["r-2.json", "r.json"]


def test_renamed_exe_on_a_share_uses_its_own_folder_unresolved(monkeypatch, tmp_path):
    exe = tmp_path / STICK / "readiness (1).exe"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert standalone.app_folder() == tmp_path / STICK


def make_reports(folder: Path, n: int) -> None:
    from readiness.core.loading import load_checks_and_profile
    from readiness.core.judging import judge_machine

    loaded, profile = load_checks_and_profile(None)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        facts = with_facts({"host.hostname": f"PC{i:02d}", "host.machine_id": f"id-{i}"})
        (folder / f"r{i}.json").write_text(json.dumps(judge_machine(facts, profile, loaded).to_dict()), encoding="utf-8")


def test_aggregate_without_path_reads_reports_beside_the_exe_and_writes_the_page_beside_it(stick, capsys):
    make_reports(stick / "reports", 3)
    w = Window(stick)
    assert w.run("aggregate", "--lang", "en") == 0
    page = (stick / "site.html").read_text(encoding="utf-8")
    assert "PC00" in page and "PC02" in page
    assert "3" in capsys.readouterr().out


def test_aggregate_without_path_and_without_reports_folder_is_a_usage_error(stick):
    w = Window(stick)
    assert w.run("aggregate") == 2
    assert str(stick / "reports") in w.err.getvalue()


@pytest.mark.parametrize("args, has_path", [
    ([], False),
    (["--lang", "en"], False),
    (["--format", "json", "--html", "x.html"], False),
    (["--format=json"], False),
    (["--workers", "2", "E:\\reports"], True),
    (["E:\\reports", "--lang", "zh"], True),
    (["--", "-odd-name"], True),
    (["--offline-flag-that-is-no-option"], False),
])
def test_has_paths(args, has_path):
    options = {"--profile", "--format", "--html", "--csv", "--xlsx", "--workers", "--lang"}
    assert standalone._has_paths(args, options) is has_path


def test_aggregate_args_keep_an_explicit_path_and_html(stick):
    session = Session(folder=stick)
    assert standalone.aggregate_args(session, ["D:\\r"]) == ["aggregate", "D:\\r"]
    assert standalone.aggregate_args(session, ["--help"]) == ["aggregate", "--help"]  # no folder needed for help
    (stick / "reports").mkdir()
    assert standalone.aggregate_args(session, ["--html", "a.html"]) == ["aggregate", str(stick / "reports"),
                                                                        "--html", "a.html"]
    assert standalone.aggregate_args(session, ["--format", "json"]) == [
        "aggregate", str(stick / "reports"), "--format", "json", "--html", str(stick / "site.html")]


def test_other_commands_are_the_ordinary_command_line(stick, capsys):
    assert main(["--version"], Session(folder=stick)) == 0
    assert "exam-readiness, version" in capsys.readouterr().out
    assert main(["check", "--facts", str(stick / "missing.json")], Session(folder=stick)) == 2
    assert main(["--help"], Session(folder=stick)) == 0
    assert "readiness [OPTIONS] COMMAND" in capsys.readouterr().out


def test_the_command_line_is_the_console_scripts(monkeypatch):
    import importlib.metadata

    (ep,) = [ep for ep in importlib.metadata.entry_points(group="console_scripts") if ep.name == "readiness"]
    called = []
    monkeypatch.setattr(ep.load().__module__ and sys.modules[ep.load().__module__], ep.value.split(":")[1],
                        lambda: called.append(list(sys.argv)) or sys.exit(4))
    assert standalone.run_command_line(["checks", "--lang", "en"]) == 4
    assert called == [["readiness", "checks", "--lang", "en"]]


@pytest.mark.skipif(sys.platform != "win32", reason="the Win32 console probe (the Windows lane runs it under Wine)")
def test_console_probe_for_real_is_false_without_a_console_of_its_own():
    # Under the lane and in CI the streams are pipes: no console, or one shared with the runner.
    assert standalone.console_is_own() is False


@pytest.mark.skipif(sys.platform != "win32", reason="SHGetKnownFolderPath (the Windows lane runs it under Wine)")
def test_desktop_for_real_is_a_folder():
    assert standalone.desktop_folder().is_dir()


def test_double_click_sends_the_report_to_the_site_server_named_in_site_toml(stick, tmp_path, monkeypatch):
    """Issue 11: the exe's double-click submits when site.toml has server.url and server.token; an
    unreachable server keeps the report in the outbox, sent by the next double-click."""
    from readiness.core.profile import load_profile
    from readiness.core.settings import CORE_SETTINGS
    from tests.serve.server import TOKEN, running

    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    import socket

    with socket.socket() as s:  # a port with nobody listening: the server is not up yet
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (stick / "site.toml").write_text(f'[server]\nurl = "http://127.0.0.1:{port}"\ntoken = "{TOKEN}"\n',
                                     encoding="utf-8")
    w = Window(stick)
    assert w.run() == 0
    (kept,) = (tmp_path / "outbox").glob("*.json")
    assert f"the report waits in the outbox: {kept}" in w.out.getvalue()
    assert len(reports_in(stick / "reports")) == 1  # the stick has it either way
    with running(tmp_path / "data", load_profile(None, CORE_SETTINGS), port=port) as server:
        again = Window(stick, facts=with_facts({"host.hostname": "LAB3-PC18", "host.machine_id": "id-18"}))
        assert again.run() == 0
        assert again.out.getvalue().count(": sent") == 2  # the waiting one first, then this run's
        assert server.store.count_reports() == 2 and list((tmp_path / "outbox").glob("*.json")) == []


def test_site_toml_can_skip_the_network_checks_and_says_so(stick):
    (stick / "site.toml").write_text("[network]\noffline = true\n", encoding="utf-8")
    w = Window(stick)
    assert w.run() == 0
    assert "network.offline = true: the network checks are skipped" in w.out.getvalue()


def test_the_window_escapes_an_esc_sequence_from_user_ini(stick):
    """Issue 16: text from the machine (here a path and a value read from user.ini) reaches the
    double-click window as the command line shows it: escapes visible, never run by the console."""
    planted = {"client.user_ini.path": "C:\\Exam\\\x1b[31mRED\\user.ini", "client.user_ini.opengl_level": "\x1b[31m9"}
    w = Window(stick, facts=with_facts(planted))
    w.run()
    shown = w.out.getvalue() + w.err.getvalue()
    assert "\x1b" not in shown
    assert "\\x1b[31m9" in shown and "\\x1b[31mRED" in shown  # shown, not dropped
    report = json.loads(reports_in(stick / "reports")[0].read_bytes())  # the report keeps the facts as read
    assert report["facts"]["client"]["user_ini"]["opengl_level"] == "\x1b[31m9"


def test_a_stick_pulled_before_the_submit_leaves_a_saved_report_and_a_clear_line(tmp_path, monkeypatch):
    """The one-file exe imports from the stick: a module that can no longer be read at the submit
    step is said in words; the report, already saved, stays (issue 17, item 14)."""
    import builtins

    from readiness.pc.pipeline import SiteServer, submit_report

    real = builtins.__import__

    def gone(name, *args, **kwargs):
        if name == "readiness.pc.submit":
            raise ImportError("the stick is gone", name=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", gone)
    monkeypatch.delitem(__import__("sys").modules, "readiness.pc.submit", raising=False)
    got = submit_report(SiteServer("http://192.0.2.1:8765", "t"), b"{}", "PC01")
    assert got.outcomes == () and "cannot be read any more" in got.problem.en and "U盘" in got.problem.zh
