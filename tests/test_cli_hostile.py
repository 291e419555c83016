"""Hostile input on every command: each gives a clear message, the right exit code, and changes
nothing (no traceback, no hang, no file replaced)."""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from tests.helpers import EXAMPLES

posix_only = pytest.mark.skipif(os.name == "nt", reason="FIFOs, /dev nodes and shell redirections are POSIX")
READY = EXAMPLES / "ready-pc.json"


def cli(*args, **kw):
    env = dict(os.environ, READINESS_LANG="en")
    return subprocess.run([sys.executable, "-m", "readiness", *map(str, args)], capture_output=True, text=True,
                          timeout=60, env=env, **kw)


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


# --- output targets: empty, FIFO, device, folder; a symlink is written through --------------

@pytest.mark.parametrize("args", [("check", "--facts", READY, "--output"), ("aggregate", READY, "--html"),
                                  ("aggregate", READY, "--csv"), ("aggregate", READY, "--xlsx")])
def test_an_empty_output_name_is_a_usage_error(run, tmp_path, args):
    result = run(*args, "")
    assert result.exit_code == 2 and "empty file name" in result.output
    assert listing(tmp_path) == []


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device", "dir"])
@pytest.mark.parametrize("args", [("check", "--facts", READY, "--output"), ("aggregate", READY, "--html"),
                                  ("aggregate", READY, "--xlsx")])
def test_outputs_onto_what_is_not_a_regular_file_are_refused(run, tmp_path, kind, args):
    target = {"fifo": tmp_path / "out.json", "device": tmp_path / "null-device", "dir": tmp_path / "d"}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dir":
        target.mkdir()
    else:  # a private device node: a regression must never replace the machine's /dev/null
        try:
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    before = listing(tmp_path)
    result = run(*args, target)
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert listing(tmp_path) == before
    assert {"fifo": stat.S_ISFIFO, "device": stat.S_ISCHR, "dir": stat.S_ISDIR}[kind](os.lstat(target).st_mode)


@posix_only
def test_facts_output_onto_a_fifo_is_refused_before_collecting(run, tmp_path):
    os.mkfifo(tmp_path / "facts.json")
    result = run("facts", "--offline", "--output", tmp_path / "facts.json")
    assert result.exit_code == 2 and "FIFO" in result.output


@posix_only
def test_the_report_goes_through_a_symlink(run, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "latest.json").symlink_to(tmp_path / "reports" / "pc.json")
    result = run("check", "--facts", READY, "--output", tmp_path / "latest.json")
    assert result.exit_code == 0
    assert (tmp_path / "latest.json").is_symlink()
    assert json.loads((tmp_path / "reports" / "pc.json").read_text())["schema"] == "readiness.report/1"


# --- inputs that hang, recurse or are not files ----------------------------------------------

@posix_only
@pytest.mark.parametrize("option", ["--facts", "--profile"])
def test_a_fifo_input_does_not_hang(tmp_path, option):
    fifo = tmp_path / ("in.json" if option == "--facts" else "site.toml")
    os.mkfifo(fifo)
    args = ["check", option, fifo] + (["--facts", READY] if option == "--profile" else [])
    result = cli(*args, "--output", tmp_path / "r.json")
    assert result.returncode == 2 and "not a regular file" in result.stderr
    assert "r.json" not in listing(tmp_path)


@posix_only
@pytest.mark.parametrize("command", [["profile"], ["check", "--facts", READY], ["aggregate", READY],
                                     ["fix", "--dry-run"]])
def test_dev_zero_as_profile_is_refused(tmp_path, command):
    result = cli(*command, "--profile", "/dev/zero", cwd=tmp_path)
    assert result.returncode == 2 and "not a regular file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["profile"], ["check", "--facts", READY], ["aggregate", READY],
                                     ["fix", "--dry-run"]])
def test_a_profile_nested_100000_deep_is_a_usage_error(tmp_path, command):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = cli(*command, "--profile", deep, cwd=tmp_path)
    assert result.returncode == 2 and "nested too deeply" in result.stderr and "Traceback" not in result.stderr
    assert listing(tmp_path) == ["deep.toml"]


def nested_facts(tmp_path, depth):
    doc = json.loads(READY.read_text(encoding="utf-8"))
    doc["os"]["extra"] = "@X@"
    path = tmp_path / f"deep-{depth}.json"
    path.write_text(json.dumps(doc).replace('"@X@"', "[" * depth + "1" + "]" * depth), encoding="utf-8")
    return path


def wrapped_report(tmp_path, depth):
    path = tmp_path / f"wrapped-{depth}.json"
    text = READY.read_text(encoding="utf-8")
    path.write_text('{"schema": "readiness.report/1", "facts": ' * depth + text + "}" * depth, encoding="utf-8")
    return path


@pytest.mark.parametrize("make,depth", [(nested_facts, 990), (nested_facts, 5000), (wrapped_report, 990),
                                        (wrapped_report, 2)])
def test_deep_facts_and_reports_in_reports_are_usage_errors(run, tmp_path, make, depth):
    result = run("check", "--facts", make(tmp_path, depth), "--output", tmp_path / "r.json")
    assert result.exit_code == 2 and ("nested" in result.output or "inside a report" in result.output)
    assert not (tmp_path / "r.json").exists()


# --- standard streams and Ctrl-C --------------------------------------------------------------

@posix_only
@pytest.mark.parametrize("command", [["check", "--facts", READY], ["profile"], ["checks"],
                                     ["aggregate", READY, "--format", "json"]])
def test_a_closed_stdout_is_no_traceback(tmp_path, command):
    env = dict(os.environ, READINESS_LANG="en")
    args = " ".join(f"'{a}'" for a in [sys.executable, "-m", "readiness", *map(str, command)])
    result = subprocess.run(["sh", "-c", f"{args} >&-"], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=60)
    assert "Traceback" not in result.stderr and result.returncode in (0, 3), result.stderr


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["check", "--facts", READY], ["profile"], ["aggregate", READY, "--format", "json"]])
def test_stdout_on_a_full_disk_is_a_message(tmp_path, command):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "readiness", *map(str, command)], stdout=full, stderr=subprocess.PIPE,
            text=True, cwd=tmp_path, env=dict(os.environ, READINESS_LANG="en"), timeout=60)
    assert result.returncode == 2 and "cannot write to standard output" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


class TrickleServer:
    """Sends headers, then one byte a second: a download that never ends by itself."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/big.bin"
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.trickle, args=(conn,), daemon=True).start()

    def trickle(self, conn):
        try:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n")
            while not self.stop.is_set():
                conn.sendall(b"x")
                time.sleep(1)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


@posix_only
@pytest.mark.parametrize("lang,said", [("en", "interrupted"), ("zh", "已中断")])
def test_ctrl_c_exits_130(tmp_path, lang, said):
    server = TrickleServer()
    try:  # --lang holds for the interruption too (the system's language here is English)
        proc = subprocess.Popen([sys.executable, "-m", "readiness", "bandwidth", "--url", server.url,
                                 "--duration", "60", "--warmup", "0", "--lang", lang], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=tmp_path,
                                env=dict(os.environ, READINESS_LANG="en", PYTHONIOENCODING="utf-8"))
        time.sleep(2.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        server.close()
    assert proc.returncode == 130 and said in err and "Traceback" not in err
    assert listing(tmp_path) == []


# --- text from machines never reaches the terminal raw ----------------------------------------

from readiness.core.names import shown  # noqa: E402 - beside the text it cleans

HOSTILE = "PC\x1b[2J\x1b]0;owned\x07\rX\u202eevil\x9b31m"


def test_control_characters_from_a_machine_are_shown_escaped(run, tmp_path):
    doc = json.loads(READY.read_text(encoding="utf-8"))
    doc["host"]["hostname"] = HOSTILE
    doc["client"]["user_ini"]["opengl_level"] = "2\x1b[31m"
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(doc), encoding="utf-8")
    result = run("check", "--facts", facts, "--output", tmp_path / "r.json")
    assert result.exit_code == 0
    for raw in ("\x1b", "\r", "\x07", "\u202e", "\x9b"):
        assert raw not in result.output
    assert "PC\\x1b[2J" in result.output and "\\u202e" in result.output
    agg = run("aggregate", tmp_path / "r.json")  # the host name is read at aggregate's door: nothing invisible kept
    assert "\x1b" not in agg.output and shown(HOSTILE) in agg.output
    html = run("aggregate", tmp_path / "r.json", "--html", tmp_path / "site.html")
    assert html.exit_code in (0, 3) and "\x1b" not in html.output


def test_a_hostile_file_name_in_an_error_is_escaped(run, tmp_path):
    result = run("check", "--facts", tmp_path / "no\x1b[31mfile.json")
    assert result.exit_code == 2 and "\x1b" not in result.output and "\\x1b" in result.output


def test_a_report_inside_a_report_is_rejected_when_re_judging(run, tmp_path):
    inner = json.loads(READY.read_text(encoding="utf-8"))
    (tmp_path / "w.json").write_text(json.dumps({"schema": "readiness.report/1", "facts": {
        "schema": "readiness.report/1", "facts": inner}}), encoding="utf-8")
    (tmp_path / "site.toml").write_text('[site]\nid = "1"\n', encoding="utf-8")
    result = run("aggregate", tmp_path / "w.json", "--profile", tmp_path / "site.toml")
    assert result.exit_code == 3 and "a report inside a report" in result.output


@pytest.mark.parametrize("args", [("check", "--facts", ""), ("check", "--facts", READY, "--profile", ""),
                                  ("profile", "--profile", ""), ("aggregate", ""), ("aggregate", READY, "--profile", ""),
                                  ("fix", "--dry-run", "--undo", "--backup-dir", ""), ("fix", "--dry-run", "--font", "")])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(run, tmp_path, args):
    result = run(*args)
    assert result.exit_code == 2 and "empty path" in result.output
    assert listing(tmp_path) == []


def test_json_output_carries_the_same_text_without_raw_c1_or_bidi_controls(run, tmp_path):
    doc = json.loads(READY.read_text(encoding="utf-8"))
    doc["host"]["hostname"] = HOSTILE
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(doc), encoding="utf-8")
    result = run("check", "--facts", facts, "--output", tmp_path / "r.json", "--format", "json")
    for raw in ("\x1b", "\x9b", "\u202e", "\x07"):
        assert raw not in result.stdout
    assert json.loads(result.stdout)["facts"]["host"]["hostname"] == HOSTILE
    agg = run("aggregate", tmp_path / "r.json", "--format", "json")
    assert "\x9b" not in agg.stdout and json.loads(agg.stdout)["sites"][0]["machines"][0]["hostname"] == shown(HOSTILE)


@posix_only
def test_ctrl_c_stops_rehearse_with_130(tmp_path):
    """The README says rehearse exits 130 on Ctrl+C, as every command does."""
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "rehearse", "--server", "http://127.0.0.1:9",
                             "--token", "t0k3n-for-the-test"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path, env=dict(os.environ, READINESS_LANG="en"))
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err


def test_the_offline_reason_names_the_switch_that_was_used(tmp_path, profile):
    from readiness.pc.pipeline import collect_live
    from readiness.core.profile import load_profile
    from readiness.core.settings import CORE_SETTINGS

    site = tmp_path / "site.toml"
    site.write_text("[network]\noffline = true\n", encoding="utf-8")
    from readiness.core.loading import load_checks_and_profile

    _, by_profile = load_checks_and_profile(site)
    said = collect_live(by_profile, include_cpu=False)["not_collected"]["network"]
    assert "network.offline" in said["en"] and "--offline" not in said["en"] and "network.offline" in said["zh"]
    said = collect_live(by_profile, offline=True, include_cpu=False)["not_collected"]["network"]
    assert "--offline" in said["en"]
    assert load_profile(None, CORE_SETTINGS)["network.offline"] is False


# --- a profile that cannot be read: said once (files.cannot_read), in both languages, exit 2 --------

def _unreadable(path, monkeypatch):
    """Root reads a chmod-000 file anyway: the open is refused the way the OS refuses it (EACCES)."""
    path.write_text("[site]\nseats = 10\n", encoding="utf-8")
    real_open = os.open

    def refusing(name, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)


PROFILE_PROBLEMS = {
    "folder": (lambda p, mp: p.mkdir(), "cannot read the profile: it is a folder, not a regular file",
               "无法读取配置文件：它是文件夹，不是普通文件"),
    "fifo": (lambda p, mp: os.mkfifo(p), "cannot read the profile: it is a FIFO (named pipe), not a regular file",
             "无法读取配置文件：它是命名管道（FIFO），不是普通文件"),
    "unreadable": (_unreadable, "cannot read the profile: Permission denied", "无法读取配置文件：拒绝访问（权限不足）"),
    "missing": (lambda p, mp: None, *(  # Windows: os.stat's ERROR_FILE_NOT_FOUND (winerror 2), then the
        ("cannot read the profile: ", "无法读取配置文件：找不到该文件")  # system's own words (Wine's differ)
        if os.name == "nt" else ("cannot read the profile: No such file or directory", "无法读取配置文件：文件不存在"))),
    "not-utf8": (lambda p, mp: p.write_bytes('[site]\nname = "海淀"\n'.encode("gbk")),
                 "not UTF-8 text; save the profile as UTF-8", "不是 UTF-8 文本；请把配置文件另存为 UTF-8 编码"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", [pytest.param(k, marks=posix_only) if k == "fifo" else k for k in sorted(PROFILE_PROBLEMS)])
@pytest.mark.parametrize("command", [["profile"], ["check", "--facts", READY]])
def test_a_profile_that_cannot_be_read_says_why_in_the_language_asked(run, tmp_path, monkeypatch, kind, lang,
                                                                      command):
    make, en, zh = PROFILE_PROBLEMS[kind]
    path = tmp_path / "site.toml"
    make(path, monkeypatch)
    result = run(*command, "--profile", path, "--lang", lang)
    expected = f"error: {path}: {en}" if lang == "en" else f"错误：{path}：{zh}"
    said = result.stderr.strip()
    assert result.exit_code == 2 and (said == expected or expected.endswith(": ") and said.startswith(expected))
    assert not result.stdout and "Traceback" not in result.stderr
