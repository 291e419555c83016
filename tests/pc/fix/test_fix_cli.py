"""`readiness fix` on real client folders in temp dirs."""

import codecs
import json
import os
import shutil
import stat
import subprocess
import time

import pytest
from click.testing import CliRunner

from readiness.cli import main
from tests.helpers import PE_FIXTURES, write_ttc


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("READINESS_LANG", "en")
    client = tmp_path / "ExamClient"
    client.mkdir()
    shutil.copy(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
    profile = tmp_path / "site.toml"
    profile.write_text(f'[client]\ninstall_dir = {json.dumps(str(client))}\n', encoding="utf-8")
    backups = tmp_path / "backups"

    def fix(*args, input=None):
        argv = ["fix", "--profile", str(profile), "--backup-dir", str(backups), *map(str, args)]
        return CliRunner().invoke(main, argv, input=input, catch_exceptions=False)

    fix.client = client
    fix.ini = client / "user.ini"
    fix.backups = backups
    return fix


VARIANTS = {
    "crlf": b"[OpenGL]\r\nLevel=2\r\n",
    "bom gbk-free": codecs.BOM_UTF8 + b"[OpenGL]\r\nLevel=1\r\n",
    "gbk comments": "; 考试客户端设置\r\n[OpenGL]\r\nLevel=2 ; 白屏\r\n[Net]\r\nServer=x\r\n".encode("gbk"),
    "no section": b"[Net]\nServer=x\n",
    "lowercase": b"[opengl]\nlevel = 3\n",
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_fix_then_undo_gives_back_identical_bytes(site, name):
    original = VARIANTS[name]
    site.ini.write_bytes(original)
    result = site("--yes")
    assert result.exit_code == 0, result.output
    assert "opengl-level: WARN -> PASS" in result.output
    changed = site.ini.read_bytes()
    assert changed != original
    assert site("--yes").output.strip().endswith("Nothing to change.")  # a second fix is a no-op
    assert site.ini.read_bytes() == changed
    undone = site("--undo")
    assert undone.exit_code == 0, undone.output
    assert site.ini.read_bytes() == original


def test_missing_user_ini_is_created_and_undo_removes_it(site):
    assert site("--yes").exit_code == 0
    assert site.ini.read_bytes() == b"[OpenGL]\r\nLevel=0\r\n"
    assert site("--undo").exit_code == 0
    assert not site.ini.exists()


def test_dry_run_changes_nothing(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    result = site("--dry-run")
    assert result.exit_code == 0 and "Level=0" in result.output and "Dry run" in result.output
    if os.name != "nt":
        assert "Not fixed by this command (see `readiness check`): os (FAIL)" in result.output  # not Windows
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n" and not site.backups.exists()


def test_asks_before_changing(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    assert site(input="n\n").exit_code == 1
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"
    assert site(input="y\n").exit_code == 0
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=0\n"


def test_read_only_user_ini_is_refused_and_untouched(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    site.ini.chmod(0o444)
    result = site("--yes")
    assert result.exit_code == 1 and "read-only" in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


@pytest.mark.skipif(os.name == "nt", reason="POSIX only: on Windows chmod sets no folder permissions")
@pytest.mark.skipif(os.name != "nt" and os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_refused(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    site.client.chmod(0o555)
    try:
        result = site("--yes")
    finally:
        site.client.chmod(0o755)
    assert result.exit_code == 1 and "not writable" in result.output


def test_a_folder_the_os_will_not_write_is_refused(site, monkeypatch):
    """What root cannot see (it writes anywhere): creating the probe fails with EACCES, as POSIX
    open(2) with O_CREAT and Windows' CreateFileW (ERROR_ACCESS_DENIED) report a folder without
    write permission. Nothing is changed."""
    import tempfile

    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    real = tempfile.mkstemp

    def denied(*args, **kwargs):
        if kwargs.get("dir") is not None and str(kwargs["dir"]) == str(site.client):
            raise PermissionError(13, "Permission denied", str(kwargs["dir"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    result = site("--yes")
    assert result.exit_code == 1 and "not writable" in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


def test_unsafe_user_ini_is_refused(site):
    raw = codecs.BOM_UTF16_LE + "[OpenGL]\r\nLevel=2\r\n".encode("utf-16-le")
    site.ini.write_bytes(raw)
    result = site("--yes")
    assert result.exit_code == 1 and "UTF-16" in result.output
    assert site.ini.read_bytes() == raw


def test_user_ini_folder_is_refused(site):
    site.ini.mkdir()
    result = site("--yes")
    assert result.exit_code == 1 and "folder" in result.output


def test_failure_while_replacing_leaves_the_original_intact(site, monkeypatch):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")

    real_replace = os.replace

    def failing_replace(src, dst):
        if os.path.basename(dst) == "user.ini":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    def failing_replace_file(replaced, replacement):  # Windows replaces user.ini with ReplaceFileW first
        raise OSError(28, "No space left on device")

    from readiness.core import win32

    monkeypatch.setattr(os, "replace", failing_replace)
    monkeypatch.setattr(win32, "replace_file", failing_replace_file)
    result = site("--yes")
    assert result.exit_code == 1 and "No space left" in result.output
    monkeypatch.undo()
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"
    assert [p.name for p in site.client.iterdir() if p.name.startswith(".")] == []  # no temp file left
    journal = json.loads(next(site.backups.glob("*/journal.json")).read_text())
    assert journal["state"] == "failed" and journal["changes"][0]["state"] == "failed"
    assert site("--undo").exit_code == 0
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


def test_unwritable_backup_folder_changes_nothing(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    site.backups.write_text("a file where the backup folder should be")
    result = site("--yes", "--backup-dir", site.backups / "inside-a-file")
    assert result.exit_code == 1 and "backup folder" in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


@pytest.mark.skipif(os.name == "nt", reason="runs a copy of POSIX sleep; the Windows lane runs a real ExamClient.exe")
def test_refuses_while_the_client_runs(site, tmp_path):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    fake_client = tmp_path / "ExamClient.exe"
    shutil.copy(shutil.which("sleep"), fake_client)  # a real process whose name is ExamClient.exe
    proc = subprocess.Popen([str(fake_client), "30"])
    try:
        time.sleep(0.2)
        result = site("--yes")
    finally:
        proc.kill()
        proc.wait()
    assert result.exit_code == 1 and "is running" in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


def test_white_screen_moves_the_dll_and_undo_puts_it_back(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=0\n")
    dll = site.client / "D3DCompiler_47.dll"
    dll.write_bytes(b"MZ dll")
    assert site("--yes").output.strip().endswith("Nothing to change.")  # opt-in only
    assert dll.exists()
    assert site("--white-screen", "--yes").exit_code == 0
    assert not dll.exists()
    assert [p.read_bytes() for p in site.backups.glob("*/*D3DCompiler_47.dll")] == [b"MZ dll"]
    assert site("--undo").exit_code == 0
    assert dll.read_bytes() == b"MZ dll"


def test_undo_twice_and_with_nothing_to_undo(site):
    assert site("--undo").output.startswith("Nothing to undo")
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    site("--yes")
    assert site("--undo").exit_code == 0
    assert site("--undo").output.startswith("Nothing to undo")


def test_undo_leaves_a_file_edited_since_alone(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    site("--yes")
    site.ini.write_bytes(b"[OpenGL]\nLevel=0\nEdited=by hand\n")
    result = site("--undo")
    assert result.exit_code == 1 and "changed since" in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=0\nEdited=by hand\n"


@pytest.mark.skipif(os.name == "nt", reason="off Windows only (on Windows it would install the font; tests/windows does)")
def test_font_is_refused_off_windows(site, tmp_path):
    font = write_ttc(tmp_path / "msyh.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    result = site("--font", font, "--yes")
    assert result.exit_code == 1 and "Windows only" in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"  # nothing at all changed


def tree(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("extra", [[], ["--yes"], ["--white-screen", "--yes"]])
def test_undo_with_dry_run_changes_nothing(site, tmp_path, extra):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    assert site("--yes").exit_code == 0
    before = tree(tmp_path)
    result = site("--undo", "--dry-run", *extra)
    assert result.exit_code == 0 and "Dry run: nothing was changed." in result.output
    assert str(site.ini) in result.output  # what the real undo would restore
    assert tree(tmp_path) == before
    assert site("--undo").exit_code == 0 and site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


def test_a_dry_run_shows_the_refusals_of_the_real_run(site, tmp_path):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    site.ini.chmod(0o444)
    before = tree(tmp_path)
    result = site("--dry-run")
    assert result.exit_code == 1 and "would refuse" in result.output and "read-only" in result.output
    assert tree(tmp_path) == before


def test_the_undo_hint_names_the_backup_folder(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    result = site("--yes")
    assert f'Undo with `readiness fix --undo --backup-dir "{site.backups}"`' in result.output


@pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks")
def test_a_symlinked_user_ini_stays_a_link(site, tmp_path):
    real = tmp_path / "shared" / "user.ini"
    real.parent.mkdir()
    real.write_bytes(b"[OpenGL]\nLevel=2\n")
    site.ini.symlink_to(real)
    assert site("--yes").exit_code == 0
    assert site.ini.is_symlink() and real.read_bytes() == b"[OpenGL]\nLevel=0\n"
    assert site("--undo").exit_code == 0
    assert site.ini.is_symlink() and real.read_bytes() == b"[OpenGL]\nLevel=2\n"


@pytest.mark.skipif(os.name == "nt", reason="FIFOs are POSIX")
def test_a_fifo_as_user_ini_is_refused_without_hanging(site):
    os.mkfifo(site.ini)
    result = site("--yes")
    assert result.exit_code == 1 and "FIFO" in result.output
    assert stat.S_ISFIFO(os.lstat(site.ini).st_mode) and not site.backups.exists()



@pytest.mark.skipif(os.name == "nt", reason="FIFOs are POSIX")
def test_a_fifo_as_a_journal_does_not_hang_undo(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    assert site("--yes").exit_code == 0
    fake = site.backups / "99999999-999999-999999"
    fake.mkdir()
    os.mkfifo(fake / "journal.json")
    assert site("--undo").exit_code == 0 and site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


def test_no_input_to_the_question_is_a_no_not_an_interruption(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    result = site(input="")
    assert result.exit_code == 1 and "Nothing was changed." in result.output
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


@pytest.mark.skipif(os.name == "nt", reason="FIFOs are POSIX")
def test_undo_when_user_ini_became_a_fifo_names_it_and_does_not_hang(site):
    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    assert site("--yes").exit_code == 0
    site.ini.unlink()
    os.mkfifo(site.ini)
    result = site("--undo")
    assert result.exit_code == 1 and "FIFO" in result.output
    assert stat.S_ISFIFO(os.lstat(site.ini).st_mode)


@pytest.mark.skipif(os.name == "nt", reason="FIFOs are POSIX")
@pytest.mark.parametrize("dry", [[], ["--dry-run"]])
def test_a_fifo_named_like_the_dll_is_refused_without_hanging(site, dry):
    site.ini.write_bytes(b"[OpenGL]\nLevel=0\n")
    os.mkfifo(site.client / "D3DCompiler_47.dll")
    result = site("--white-screen", "--yes", *dry)
    assert result.exit_code == 1 and "FIFO" in result.output
    assert stat.S_ISFIFO(os.lstat(site.client / "D3DCompiler_47.dll").st_mode)


def test_a_confirmation_read_from_nul_is_a_no_not_ctrl_c(site, tmp_path):
    """A script or a scheduled task runs `readiness fix < NUL`. On Windows isatty() is true for NUL
    (bpo-28654), so the prompt must not trust it: the end of input is a "no", exit 1, nothing changed
    (issue 17, item 5; the Windows lane runs this on Windows' own CPython)."""
    import sys

    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    with open(os.devnull, "rb") as nul:
        done = subprocess.run([sys.executable, "-m", "readiness", "fix", "--lang", "en", "--profile",
                               str(tmp_path / "site.toml"), "--backup-dir", str(site.backups)],
                              stdin=nul, capture_output=True, text=True, encoding="utf-8", timeout=120,
                              env=dict(os.environ, READINESS_LANG="en"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Nothing was changed" in done.stdout + done.stderr and "interrupted" not in done.stderr
    assert site.ini.read_bytes() == b"[OpenGL]\nLevel=2\n"


def test_undo_without_the_rights_of_the_fix_says_run_as_administrator(site, monkeypatch):
    """An elevated fix keeps its journal where only administrators write (%ProgramData%); an undo
    from a plain prompt is told so, changing nothing (issue 17, item 10). The denial is what
    CreateFileW reports for a folder whose ACL refuses the user (ERROR_ACCESS_DENIED → PermissionError)."""
    import tempfile

    site.ini.write_bytes(b"[OpenGL]\nLevel=2\n")
    assert site("--yes").exit_code == 0
    fixed = site.ini.read_bytes()
    real = tempfile.mkstemp

    def denied(*args, **kwargs):
        if kwargs.get("dir") is not None and str(site.backups) in str(kwargs["dir"]):
            raise PermissionError(13, "Access is denied", str(kwargs["dir"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    result = site("--undo")
    assert result.exit_code == 1 and "as administrator" in result.output and "Traceback" not in result.output
    assert site.ini.read_bytes() == fixed


@pytest.mark.parametrize("user, session, said", [
    ("admin2", "exam", True),       # elevated with another administrator's credentials
    ("EXAM", "exam", False),        # the same account (Windows compares names without case)
    ("exam", None, False),          # who is signed in could not be told: nothing to compare
])
def test_fix_says_whose_files_it_checks(profile, loaded, tmp_path, user, session, said):
    """Issue 17, item 9: `fix` elevated with another admin account reads and changes that account's
    per-user files; it says so, naming both (the facts carry GetUserNameW's and
    WTSQuerySessionInformationW's answers)."""
    from readiness.pc.fix.service import FixIO, run_fix
    from readiness.pc.fix.winfont import NoFontHost
    from readiness.core.i18n import Lang
    from tests.helpers import with_facts

    facts = with_facts({"host.user": user, "host.session_user": session})
    lines: list[str] = []
    io = FixIO(echo=lines.append, confirm=lambda q: False, collect=lambda: facts, running=lambda: [],
               font_host=NoFontHost(), lang=Lang.EN)
    run_fix(profile, loaded, io, backup_root=tmp_path / "b", yes=False, dry_run=True, white_screen=False, font=None)
    text = "\n".join(lines)
    assert ("runs as admin2, but exam is signed in" in text) is said, text


def test_the_facts_name_the_user(profile):
    from readiness.pc.collect import collect_facts

    facts = collect_facts(profile.values, offline=True, include_cpu=False)
    assert isinstance(facts["host"]["user"], str) and facts["host"]["user"]
    assert "session_user" in facts["host"]
