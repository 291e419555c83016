"""Smoke tests of the built readiness.exe (one file) and of the one-folder zip, run under Wine in an
English and a Chinese (cp936) Windows, as processes with real files, real servers on 127.0.0.1 and
a real console.

They need the build: `python scripts/build_exe.py` (dist/readiness.exe and the zip); `.ci/run`
builds it and runs this module. Without the build (or without Wine) the module is skipped, saying so.
READINESS_EXE points at another exe; READINESS_EXE_WINEPREFIX at another prefix.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(os.environ.get("READINESS_EXE") or ROOT / "dist" / "readiness.exe")
DIST = EXE.parent  # the one-folder zip is built beside it
ON_WINDOWS = sys.platform == "win32"

REQUIRED = bool(os.environ.get("READINESS_EXE"))  # named explicitly (as .ci/run does): missing is a failure


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if not EXE.is_file():
    unavailable(f"{EXE} is not built (python scripts/build_exe.py builds it under Wine; .ci/run does)")
if not ON_WINDOWS and shutil.which("wine") is None:
    unavailable("Wine is not installed: the exe cannot run here")

sys.path.insert(0, str(ROOT / "scripts"))
import build_exe  # noqa: E402
import wine_runtime  # noqa: E402

from tests.helpers import PE_FIXTURES, with_facts  # noqa: E402
from tests.pc.net.servers import Server  # noqa: E402

LOCALES = {"en": "en_US.UTF-8", "zh": "zh_CN.UTF-8"}
CODE_PAGES = {"en": "cp437", "zh": "gbk"}  # text away from a console: the console's (OEM) code page
CHECK_IDS = sorted(re.findall(r'^([a-z-]+) = "readiness\.checks\.', (ROOT / "pyproject.toml").read_text(), re.M))


@dataclass
class Run:
    code: int
    out: str
    err: str


def decode(data: bytes, lang: str) -> str:
    """Output to a pipe: UTF-8 (JSON) or the ANSI code page (text)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(CODE_PAGES[lang], "replace")


def winpath(path: Path) -> str:
    return str(path) if ON_WINDOWS else build_exe.winpath(path)


@pytest.fixture(scope="session")
def prefix():
    """The build's Wine prefix, with a persistent wineserver for the session (starts are faster)."""
    if ON_WINDOWS:
        yield None
        return
    path = Path(os.environ.get("READINESS_EXE_WINEPREFIX") or build_exe.default_prefix())
    if not path.is_dir():
        unavailable(f"no Wine prefix at {path} (python scripts/build_exe.py makes it)")
    env = wine_runtime.wine_env(path)
    subprocess.run(["wineserver", "-p"], env=env, check=False)
    # Start Wine's own services now, on /dev/null: started by a test's run they would inherit its
    # pipes and keep them open after the exe has ended.
    subprocess.run(["wine", "cmd", "/c", "ver"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, timeout=300)
    yield path
    subprocess.run(["wineserver", "-k"], env=env, check=False)


@pytest.fixture(scope="session")
def onedir(tmp_path_factory):
    """readiness.exe of the one-folder zip, unpacked as a technician would."""
    archives = sorted(DIST.glob("readiness-*-win64.zip"))
    if not archives:
        unavailable(f"no one-folder zip in {DIST} (python scripts/build_exe.py builds it)")
    target = tmp_path_factory.mktemp("onedir")
    with zipfile.ZipFile(archives[-1]) as zf:
        zf.extractall(target)
    exe = target / "readiness" / "readiness.exe"
    assert exe.is_file() and (target / "readiness" / "_internal").is_dir()
    return exe


@pytest.fixture(params=["onefile", "onedir"])
def exe(request):
    return EXE if request.param == "onefile" else request.getfixturevalue("onedir")


def command(prefix: Path | None, exe: Path, args: tuple[str, ...]) -> list[str]:
    return [str(exe), *args] if ON_WINDOWS else ["wine", str(exe), *args]


def environment(prefix: Path | None, lang: str) -> dict[str, str]:
    if ON_WINDOWS:
        if lang != "en":
            pytest.skip("on Windows the system code page cannot be chosen per process (under Wine, LANG does)")
        return dict(os.environ, READINESS_LANG=lang)
    return wine_runtime.wine_env(prefix, LOCALES[lang], {"READINESS_LANG": lang})


def run(prefix, exe: Path, *args: str, lang: str = "en", cwd: Path | None = None, timeout: float = 300) -> Run:
    """The exe with all three standard streams on pipes (Windows programs under Wine need them)."""
    proc = subprocess.run(command(prefix, exe, args), input=b"", capture_output=True, cwd=cwd,
                          env=environment(prefix, lang), timeout=timeout)
    return Run(proc.returncode, decode(proc.stdout, lang), decode(proc.stderr, lang))


def test_version_resource_and_manifest(exe):
    """Read from the PE file itself (pefile): what Explorer's Properties and Windows' loader see."""
    import pefile

    pe = pefile.PE(str(exe))
    version = build_exe.package_version()
    tables = {t.LangID.decode(): {k.decode(): v.decode() for k, v in t.entries.items()}
              for info in pe.FileInfo[0] if hasattr(info, "StringTable") for t in info.StringTable}
    assert tables["040904B0"]["FileVersion"] == tables["080404B0"]["ProductVersion"] == version
    assert tables["040904B0"]["OriginalFilename"] == "readiness.exe"
    fixed = pe.VS_FIXEDFILEINFO[0]
    assert [fixed.FileVersionMS >> 16, fixed.FileVersionMS & 0xFFFF, fixed.FileVersionLS >> 16] == [
        int(n) for n in re.findall(r"\d+", version)[:3]]
    manifests = [e for e in pe.DIRECTORY_ENTRY_RESOURCE.entries if e.id == 24]  # RT_MANIFEST
    data = manifests[0].directory.entries[0].directory.entries[0].data.struct
    manifest = pe.get_data(data.OffsetToData, data.Size).decode("utf-8")
    assert 'level="asInvoker"' in manifest
    assert "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}" in manifest  # Windows 10 and 11
    assert "{1f676c76-80e1-4239-95bb-83d0f6d0da78}" in manifest  # Windows 8.1
    assert b"UPX!" not in Path(exe).read_bytes()[:4096]  # no UPX-packed headers


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_version(prefix, exe, lang):
    r = run(prefix, exe, "--version", lang=lang)
    assert (r.code, r.out.strip()) == (0, f"exam-readiness, version {build_exe.package_version()}"), r.err


@pytest.mark.parametrize("lang, title", [("en", "Memory"), ("zh", "内存")])
def test_checks_lists_every_built_in_check(prefix, exe, lang, title):
    r = run(prefix, exe, "checks", lang=lang)
    assert r.code == 0, r.err
    listed = sorted(line.split()[0] for line in r.out.splitlines() if line.strip())
    assert listed == CHECK_IDS and "ERROR" not in r.out and title in r.out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("example, code", [("ready-pc.json", 0), ("not-ready-pc.json", 1)])
def test_check_facts_on_the_examples(prefix, tmp_path, lang, example, code):
    shutil.copy(ROOT / "examples" / example, tmp_path / example)
    r = run(prefix, EXE, "check", "--facts", example, "--output", "r.json", lang=lang, cwd=tmp_path)
    assert r.code == code, r.out + r.err
    assert ("READY" if lang == "en" else "就绪") in r.out
    report = json.loads((tmp_path / "r.json").read_bytes().decode("utf-8"))
    assert sorted(x["id"] for x in report["results"]) == CHECK_IDS


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_live_check_offline(prefix, tmp_path, lang):
    r = run(prefix, EXE, "check", "--offline", "--output", "r.json", lang=lang, cwd=tmp_path)
    assert r.code in (0, 1, 3) and "Traceback" not in r.err, r.out + r.err
    report = json.loads((tmp_path / "r.json").read_bytes().decode("utf-8"))
    results = {x["id"]: x["status"] for x in report["results"]}
    assert sorted(results) == CHECK_IDS
    assert {results[i] for i in ("bandwidth", "public-ip", "exam-server")} == {"skip"}
    assert report["facts"]["os"]["build"] >= 10240  # the prefix is a Windows 10


def test_facts_then_check_them_on_linux(prefix, tmp_path):
    r = run(prefix, EXE, "facts", "--offline", "--output", "pc.json", lang="zh", cwd=tmp_path)
    assert r.code == 0, r.err
    snapshot = json.loads((tmp_path / "pc.json").read_bytes().decode("utf-8"))
    assert snapshot["schema"] == "readiness.facts/1" and snapshot["host"]["hostname"]
    from click.testing import CliRunner

    from readiness.cli import main

    judged = CliRunner().invoke(main, ["check", "--facts", str(tmp_path / "pc.json"), "--output",
                                       str(tmp_path / "r.json")])
    assert judged.exit_code in (0, 1, 3), judged.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fix_dry_run_on_a_laid_client_folder(prefix, tmp_path, lang):
    client = tmp_path / "考试 客户端" / "ExamClient"
    client.mkdir(parents=True)
    shutil.copy(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
    ini = "; 考试客户端\r\n[OpenGL]\r\nLevel=2\r\n".encode("gbk")
    (client / "user.ini").write_bytes(ini)
    (tmp_path / "site.toml").write_text(f"[client]\ninstall_dir = {json.dumps(winpath(client))}\n", encoding="utf-8")
    r = run(prefix, EXE, "fix", "--dry-run", "--profile", "site.toml", "--backup-dir", "backups", lang=lang,
            cwd=tmp_path)
    assert r.code == 0, r.out + r.err
    assert ("Level=0" if lang == "en" else "Level 设为 0") in r.out and "ExamClient\\user.ini" in r.out
    if lang == "zh":  # an English (cp437) console cannot show the Chinese folder name
        assert "考试 客户端\\ExamClient\\user.ini" in r.out
    assert (client / "user.ini").read_bytes() == ini and not (tmp_path / "backups").exists()


def write_reports(folder: Path, n: int) -> None:
    from readiness.core.loading import load_checks_and_profile
    from readiness.core.judging import judge_machine

    loaded, profile = load_checks_and_profile(None)
    texts = [json.dumps(judge_machine(with_facts(dict({"host.hostname": "@HOST@", "host.machine_id": "@ID@"}, **changes)),
                              profile, loaded).to_dict(), ensure_ascii=False)
             for changes in ({}, {"memory.installed_bytes": 4 * 2**30})]
    for i in range(n):
        sub = folder / f"room{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        text = texts[i % 7 == 0].replace("@HOST@", f"PC{i:05d}").replace("@ID@", f"id-{i:05d}")
        (sub / f"readiness-report-PC{i:05d}.json").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def many_reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aggregate") / "reports"
    write_reports(folder, 2500)  # above PARALLEL_FROM: the exe starts worker processes of itself
    return folder


def test_aggregate_thousands_of_reports_with_worker_processes(prefix, exe, many_reports):
    r = run(prefix, exe, "aggregate", "reports", "--workers", "2", "--format", "json", "--html", "site.html",
            cwd=many_reports.parent, timeout=600)
    assert r.code == 1, r.err  # one PC in seven lacks memory
    doc = json.loads(r.out)
    machines = sum(len(site["machines"]) for site in doc["sites"])
    assert machines == 2500 and doc["rejected"] == []
    assert "PC02499" in (many_reports.parent / "site.html").read_text(encoding="utf-8")


def test_bandwidth_against_a_local_server(prefix):
    with Server(mbps=200) as server:
        r = run(prefix, EXE, "bandwidth", "--url", server.url("/file?size=" + str(64 * 2**20)), "--duration", "1",
                "--warmup", "0", "--streams", "2", "--format", "json")
    assert r.code == 0, r.out + r.err
    doc = json.loads(r.out)
    assert doc["status"] == "pass" and 100 < doc["download_mbps"] < 300


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_site_server_runs_from_the_exe(prefix, onedir, tmp_path):
    """`readiness.exe serve` on the site manager's PC: uvicorn, Starlette and SQLite frozen."""
    import threading
    import urllib.error
    import urllib.request

    port = free_port()
    proc = subprocess.Popen(command(prefix, onedir, ("serve", "--host", "127.0.0.1", "--port", str(port), "--data",
                                                     "data")),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
                            env=environment(prefix, "en"))
    shown: list[bytes] = []
    reader = threading.Thread(target=lambda: shown.extend(iter(lambda: proc.stdout.read1(4096), b"")), daemon=True)
    reader.start()
    try:
        key = None
        for _ in range(120):
            key = re.search(rb"Manager's key: (\S+)", b"".join(shown))
            if key or proc.poll() is not None:
                break
            time.sleep(0.5)
        assert key, b"".join(shown).decode("utf-8", "replace")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30)
        assert refused.value.code == 401  # the dashboard wants the manager's key
        assert b'<input name="key" type="password"' in refused.value.read()  # its login page: the templates came along
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/site",
                                         headers={"Authorization": f"Bearer {key.group(1).decode()}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200 and json.loads(answer.read())["schema"] == "readiness.site/1"
        assert (tmp_path / "data").is_dir()
    finally:
        proc.kill()  # one process (the one-folder exe): its port closes with it
        proc.wait(timeout=60)


def site_toml(server: Server) -> str:
    return "\n".join([
        '[site]', 'id = "XJ-0731"', 'seats = 10', 'public_ips = ["203.0.113.7"]',
        '[bandwidth]', f'url = "{server.url("/file?size=" + str(64 * 2**20))}"', 'duration_s = 1.0',
        'warmup_s = 0.0', 'streams = 2',
        '[network]', f'ip_echo_urls = ["{server.url("/echo")}"]', f'endpoints = ["{server.url("/ok")}"]',
        'deadline_s = 60.0', ''])


@pytest.fixture
def stick(tmp_path):
    """E:\\考点 工具\\readiness (1).exe: a Chinese folder with a space, the exe renamed by a copy, and a
    site.toml whose network settings point at a server on 127.0.0.1 (the check runs the network part)."""
    folder = tmp_path / "考点 工具"
    folder.mkdir()
    shutil.copy(EXE, folder / "readiness (1).exe")
    with Server(mbps=200) as server:
        (folder / "site.toml").write_text(site_toml(server), encoding="utf-8")
        yield folder


def run_open_stdin(prefix, exe: Path, lang: str, cwd: Path, timeout: float = 300) -> Run:
    """The exe with its standard input a pipe that stays open: a wait for Enter would hang here."""
    import threading

    proc = subprocess.Popen(command(prefix, exe, ()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=environment(prefix, lang))
    chunks: dict[str, bytes] = {}

    def read(name: str, stream) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=read, args=(n, s), daemon=True) for n, s in (("out", proc.stdout),
                                                                                    ("err", proc.stderr))]
    for t in readers:
        t.start()
    try:
        code = proc.wait(timeout=timeout)
    finally:
        proc.kill()
        assert proc.stdin is not None
        proc.stdin.close()
    for t in readers:
        t.join()
    return Run(code, decode(chunks["out"], lang), decode(chunks["err"], lang))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_double_click_flow_in_a_script_never_waits(prefix, stick, lang):
    """No arguments: site.toml beside the exe, the report into reports\\ beside it; standard input
    stays open, so a wait for Enter would hang here (it must not: this console is not its own)."""
    r = run_open_stdin(prefix, stick / "readiness (1).exe", lang, stick.parent)
    text = r.out + r.err
    assert r.code in (0, 1, 3), text
    saved = sorted((stick / "reports").glob("readiness-report-*.json"))
    assert len(saved) == 1 and saved[0].name in text, text
    report = json.loads(saved[0].read_bytes())
    results = {x["id"]: x["status"] for x in report["results"]}
    assert report["site"]["id"] == "XJ-0731"
    assert results["bandwidth"] == "pass" and results["public-ip"] == "pass" and results["exam-server"] == "pass"
    assert ("Site profile:" if lang == "en" else "考点配置：") in text
    page = run(prefix, stick / "readiness (1).exe", "aggregate", lang=lang, cwd=stick.parent)
    assert page.code in (0, 1, 3), page.err
    assert report["facts"]["host"]["hostname"] in (stick / "site.html").read_text(encoding="utf-8")


def test_a_renamed_exe_still_calls_itself_readiness(prefix, stick):
    r = run(prefix, stick / "readiness (1).exe", "--help", cwd=stick)
    assert r.code == 0 and r.out.startswith("Usage: readiness [OPTIONS] COMMAND"), r.out + r.err


def test_two_pcs_saving_into_the_same_folder_at_once_overwrite_nothing(prefix, stick):
    """Two double-clicks at the same moment (two PCs, one shared folder; here also one host name, as
    on PCs cloned from one image): two reports, both whole, whatever the second they land in."""
    import threading

    results: list[Run] = []
    runs = [threading.Thread(target=lambda: results.append(run_open_stdin(prefix, stick / "readiness (1).exe", "en",
                                                                          stick.parent))) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert [r.code in (0, 1, 3) for r in results] == [True, True], results
    saved = sorted((stick / "reports").glob("readiness-report-*.json"))
    assert len(saved) == 2 and all(json.loads(p.read_bytes())["results"] for p in saved)
    assert not [p for p in (stick / "reports").iterdir() if p not in saved]  # no temp file left


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_double_click_with_an_invalid_site_toml_names_file_and_line(prefix, stick, lang):
    (stick / "site.toml").write_text('[site]\nid = "XJ-0731"\nseats = \n', encoding="utf-8")
    r = run(prefix, stick / "readiness (1).exe", cwd=stick.parent, lang=lang)
    assert r.code == 2, r.out + r.err
    assert "\\site.toml" in r.err and ("第 3 行" if lang == "zh" else "line 3") in r.err  # the line, in the reader's words
    if lang == "zh":  # an English (cp437) console cannot show the Chinese folder name
        assert "考点 工具\\site.toml" in r.err
    assert not (stick / "reports").exists()


ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def console_text(data: bytes) -> str:
    """What Wine's console drew on the terminal, without escape sequences or spaces (it moves the
    cursor instead of printing spaces)."""
    return re.sub(r"\s+", "", ANSI.sub(b"", data).decode("utf-8", "replace"))


def in_console(prefix, args: list[str], cwd: Path, until: str, timeout: float = 300) -> tuple[subprocess.Popen, str]:
    """Start args on a terminal of their own (a pseudo-terminal: Wine gives the program a console);
    read what it shows until `until` (or the program ends)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=environment(prefix, "en"),
                            start_new_session=True)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while until not in console_text(seen) and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # the program ended and closed the terminal
                    break
            elif proc.poll() is not None:
                break
        proc.master = master  # type: ignore[attr-defined]
        return proc, console_text(seen)
    except BaseException:
        proc.kill()
        os.close(master)
        raise


@pytest.mark.skipif(ON_WINDOWS, reason="a pseudo-terminal stands in for Explorer's console under Wine")
def test_double_click_waits_for_enter_in_a_console_of_its_own(prefix, stick):
    proc, shown = in_console(prefix, ["wine", str(stick / "readiness (1).exe")], stick.parent,
                             until="PressEntertoclosethiswindow.")
    try:
        assert "PressEntertoclosethiswindow." in shown, shown
        assert proc.poll() is None  # waiting
        saved = list((stick / "reports").glob("readiness-report-*.json"))
        assert len(saved) == 1
        for _ in range(60):  # Enter (again, should the first arrive before the program reads)
            os.write(proc.master, b"\r")  # type: ignore[attr-defined]
            try:
                proc.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                continue
        assert proc.returncode in (0, 1, 3)
    finally:
        proc.kill()
        os.close(proc.master)  # type: ignore[attr-defined]


@pytest.mark.skipif(ON_WINDOWS, reason="a pseudo-terminal stands in for a cmd window under Wine")
def test_no_wait_in_a_batch_file_sharing_the_console(prefix, stick):
    (stick / "run.bat").write_bytes(b'@"%~dp0readiness (1).exe"\r\n')
    proc, shown = in_console(prefix, ["wine", "cmd", "/c", "run.bat"], stick, until="Reportsaved:")
    try:
        assert "Reportsaved:" in shown, shown
        assert proc.wait(timeout=60) in (0, 1, 3)  # ended by itself: cmd.exe shares the console
        assert "PressEnter" not in shown
    finally:
        proc.kill()
        os.close(proc.master)  # type: ignore[attr-defined]
