"""A technician's PC, laid for real: registry values (both WOW64 views and HKCU, REG_SZ and
REG_EXPAND_SZ), files under Chinese folder names, fonts registered under HKLM and HKCU, a
Windows 11 build that calls itself Windows 10, a VirtualStore copy of user.ini; then `readiness`
runs as a process (facts, check, fix, fix --undo) and the verdicts, the bytes of the files and the
encodings of what it writes are checked. The lane runs this under an English and a Chinese
Windows; everything laid is removed again (the Wine prefix is reused). It writes HKLM, the Fonts
folder and the Desktop, so it runs only where READINESS_TESTS_MAY_CHANGE_THIS_PC=1 (the lane).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.windows.conftest import CHANGES_THIS_PC, NEEDS_WINDOWS, may_change_this_pc

if os.name != "nt":
    pytest.skip(NEEDS_WINDOWS, allow_module_level=True)
if not may_change_this_pc():
    pytest.skip(CHANGES_THIS_PC, allow_module_level=True)

import winreg  # noqa: E402

from readiness.pc.console import console_encoding  # noqa: E402
from tests.helpers import EXAMPLES, PE_FIXTURES, write_ttc, write_ttf  # noqa: E402
from tests.windows.conftest import chinese_windows  # noqa: E402

CONSOLE = console_encoding()  # what text to a pipe is written in: the console's code page

CURRENT_VERSION = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
FONTS = CURRENT_VERSION + r"\Fonts"
YAHEI_VALUE = "Microsoft YaHei & Microsoft YaHei UI (TrueType)"
CLIENT_FOLDER = "考试客户端"


class Reg:
    """Sets registry values and puts every one back (or deletes what was new) afterwards."""

    def __init__(self):
        self.undo = []

    def set(self, hive, path, name, value, kind, view=0):
        key = winreg.CreateKeyEx(hive, path, 0, winreg.KEY_ALL_ACCESS | view)
        with key:
            try:
                old = winreg.QueryValueEx(key, name)
            except FileNotFoundError:
                old = None
            winreg.SetValueEx(key, name, 0, kind, value)
        self.undo.append((hive, path, name, old, view))

    def delete(self, hive, path, name, view=0):
        with winreg.OpenKey(hive, path, 0, winreg.KEY_ALL_ACCESS | view) as key:
            try:
                old = winreg.QueryValueEx(key, name)
            except FileNotFoundError:
                return
            winreg.DeleteValue(key, name)
        self.undo.append((hive, path, name, old, view))

    def new_key(self, hive, path, values, view=0):
        for name, (value, kind) in values.items():
            self.set(hive, path, name, value, kind, view)
        self.undo.append((hive, path, None, "delete-key", view))

    def restore(self):
        for hive, path, name, old, view in reversed(self.undo):
            try:
                if old == "delete-key":
                    winreg.DeleteKeyEx(hive, path, winreg.KEY_ALL_ACCESS | view, 0)
                    continue
                with winreg.OpenKey(hive, path, 0, winreg.KEY_ALL_ACCESS | view) as key:
                    if old is None:
                        winreg.DeleteValue(key, name)
                    else:
                        winreg.SetValueEx(key, name, 0, old[1], old[0])
            except FileNotFoundError:
                pass


@pytest.fixture
def reg():
    r = Reg()
    yield r
    r.restore()


def env_path(name):
    return os.environ[name]  # os.environ itself is case-insensitive on Windows


@pytest.fixture
def pc(reg, tmp_path):
    """The PC: Windows 11 build named Windows 10, the client under a Chinese folder found through a
    REG_EXPAND_SZ InstallLocation in the 32-bit view, its user.ini fine but a VirtualStore copy not,
    YaHei registered under HKLM, a per-user font under HKCU."""
    hklm, hkcu = winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER
    for name, value, kind in (("CurrentBuildNumber", "22631", winreg.REG_SZ), ("CurrentBuild", "22631", winreg.REG_SZ),
                              ("ProductName", "Windows 10 Pro", winreg.REG_SZ), ("DisplayVersion", "23H2", winreg.REG_SZ),
                              ("EditionID", "Professional", winreg.REG_SZ), ("InstallationType", "Client", winreg.REG_SZ),
                              ("UBR", 2861, winreg.REG_DWORD)):
        reg.set(hklm, CURRENT_VERSION, name, value, kind, winreg.KEY_WOW64_64KEY)
    x86 = Path(env_path("ProgramFiles(x86)"))
    client = x86 / CLIENT_FOLDER / "ExamClient"
    client.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PE_FIXTURES / "client-1.2.1-0.exe", client / "ExamClient.exe")
    (client / "user.ini").write_bytes("\ufeff; 考试客户端设置\r\n[OpenGL]\r\nLevel=0\r\n".encode("utf-8"))
    store = Path(env_path("LOCALAPPDATA")) / "VirtualStore" / x86.name / CLIENT_FOLDER / "ExamClient"
    store.mkdir(parents=True, exist_ok=True)
    store_ini = store / "user.ini"
    store_ini.write_bytes("; 中文注释\r\n[OpenGL]\r\nLevel=2\r\n".encode("gbk"))
    reg.new_key(hklm, UNINSTALL + r"\ExamReadinessTest-Client", {
        "DisplayName": ("考试客户端 ExamClient", winreg.REG_SZ), "DisplayVersion": ("1.2.1-0", winreg.REG_SZ),
        "InstallLocation": (f"%SystemDrive%\\{x86.name}\\{CLIENT_FOLDER}\\ExamClient", winreg.REG_EXPAND_SZ)},
        winreg.KEY_WOW64_32KEY)
    reg.new_key(hklm, UNINSTALL + r"\ExamReadinessTest-Office", {"DisplayName": ("Office", winreg.REG_SZ)},
                winreg.KEY_WOW64_64KEY)
    reg.new_key(hkcu, UNINSTALL + r"\ExamReadinessTest-Tool", {"DisplayName": ("Tool", winreg.REG_SZ)})
    fonts = Path(env_path("WINDIR")) / "Fonts"
    fonts.mkdir(exist_ok=True)
    laid = [client.parent, store.parent]
    msyh = fonts / "msyh.ttc"
    if not msyh.exists():
        write_ttc(msyh, ["Microsoft YaHei", "Microsoft YaHei UI"])
        laid.append(msyh)
    reg.set(hklm, FONTS, YAHEI_VALUE, "msyh.ttc", winreg.REG_SZ, winreg.KEY_WOW64_64KEY)
    user_fonts = Path(env_path("LOCALAPPDATA")) / "Microsoft" / "Windows" / "Fonts"
    user_fonts.mkdir(parents=True, exist_ok=True)
    write_ttf(user_fonts / "simkai.ttf", "KaiTi")
    laid.append(user_fonts / "simkai.ttf")
    reg.set(hkcu, FONTS, "KaiTi (TrueType)", str(user_fonts / "simkai.ttf"), winreg.REG_SZ)
    yield {"client": client, "ini": client / "user.ini", "store_ini": store_ini, "fonts": fonts, "tmp": tmp_path,
           "backups": tmp_path / "backups"}
    for p in laid:
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def readiness(*args, cwd=None):
    """`python -m readiness ARGS` as a process, stdout a pipe (not a console)."""
    return subprocess.run([sys.executable, "-m", "readiness", *map(str, args)], capture_output=True,
                          stdin=subprocess.DEVNULL, cwd=cwd, timeout=300)


def test_facts_to_a_pipe_and_a_file_are_utf8_and_read_back(pc):
    out = pc["tmp"] / "pc.json"
    proc = readiness("facts", "--offline", "--output", out)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    piped = json.loads(proc.stdout.decode("utf-8"))  # UTF-8 bytes, not the ANSI code page
    assert CLIENT_FOLDER.encode("utf-8") in proc.stdout and CLIENT_FOLDER.encode("utf-8") in out.read_bytes()
    facts = json.loads(out.read_text(encoding="utf-8"))
    assert facts["os"]["build"] == 22631 and facts["os"]["product_name"] == "Windows 10 Pro"
    from readiness.pc.collect.winapi import Kernel32

    workstation = Kernel32().windows_version()[3] == 1  # a CI runner on real Windows is a server
    assert facts["os"]["version"] == "10.0" and facts["os"]["product_type"] == ("workstation" if workstation else "server")
    client = facts["client"]
    assert client["install_dir"] == str(pc["client"]) and client["found_by"] == "registry"
    assert client["version"] == "1.2.1-0" and client["user_ini"]["opengl_level"] == "0"
    assert client["user_ini_virtual_store"]["path"] == str(pc["store_ini"])
    assert client["user_ini_virtual_store"]["opengl_level"] == "2"
    yahei = [f for f in facts["fonts"]["msyh"] if f["scope"] == "system"]
    assert yahei and yahei[0]["registered"] is True and yahei[0]["family"] == "Microsoft YaHei"
    c = next(d for d in facts["disks"] if d["mountpoint"].upper() == "C:\\")
    assert c["kind"] == "fixed" and c["system"] is True and c["total_bytes"] > 0
    assert "disks.C:\\" not in facts["errors"]
    assert piped["client"] == client
    # the file is read back by check and aggregate
    judged = readiness("check", "--facts", out, "--format", "json", "--output", pc["tmp"] / "report.json")
    report = json.loads(judged.stdout.decode("utf-8"))
    by_id = {r["id"]: r["status"] for r in report["results"]}
    assert by_id["os"] == ("warn" if workstation else "fail") and by_id["client-version"] == "pass"
    assert by_id["font-msyh"] == "pass"
    assert by_id["opengl-level"] in ("warn", "fail")  # the VirtualStore copy says 2
    site = readiness("aggregate", pc["tmp"] / "report.json", "--format", "json")
    assert json.loads(site.stdout.decode("utf-8"))["sites"], site.stderr.decode("utf-8", "replace")


def test_text_to_a_pipe_is_in_the_console_code_page(pc):
    proc = readiness("check", "--facts", EXAMPLES / "not-ready-pc.json", "--output", pc["tmp"] / "r.json")
    assert proc.returncode == 1
    text = proc.stdout.decode(CONSOLE)
    if chinese_windows():
        assert CONSOLE == "cp936" and "未就绪" in text  # GBK, as the console shows it
    else:
        assert "NOT READY" in text
        assert ("≥ 8.0 GiB" if CONSOLE in ("cp437", "utf-8") else ">= 8.0 GiB") in text  # cp437 has ≥; else a stand-in


def test_fix_and_undo_change_exactly_the_virtual_store_copy(pc):
    main_before, store_before = pc["ini"].read_bytes(), pc["store_ini"].read_bytes()
    proc = readiness("fix", "--yes", "--lang", "en", "--backup-dir", pc["backups"])
    out = proc.stdout.decode(CONSOLE)
    assert proc.returncode == 0, out + proc.stderr.decode("utf-8", "replace")
    assert pc["ini"].read_bytes() == main_before  # already Level=0: untouched
    assert pc["store_ini"].read_bytes() == "; 中文注释\r\n[OpenGL]\r\nLevel=0\r\n".encode("gbk")  # GBK, CRLF kept
    undo = readiness("fix", "--undo", "--lang", "en", "--backup-dir", pc["backups"])
    assert undo.returncode == 0 and pc["store_ini"].read_bytes() == store_before
    assert pc["ini"].read_bytes() == main_before


def test_fix_refuses_while_the_client_runs_and_names_it(pc):
    """A real process named EXAMCLIENT.EXE (a copy of this Python): matched without regard to case."""
    fake = pc["tmp"] / "runtime"
    fake.mkdir()
    home = Path(sys.executable).parent
    for p in home.iterdir():
        if p.suffix.lower() in (".dll", ".zip") or p.name.lower() == "python.exe":
            shutil.copyfile(p, fake / ("EXAMCLIENT.EXE" if p.name.lower() == "python.exe" else p.name))
    stdlib = [p.name for p in home.glob("python3*.zip")] or [str(home / "Lib"), str(home / "DLLs")]
    (fake / "EXAMCLIENT._pth").write_text("\r\n".join([*stdlib, "."]) + "\r\n", encoding="utf-8")
    child = subprocess.Popen([str(fake / "EXAMCLIENT.EXE"), "-c", "import time; time.sleep(60)"],
                             stdin=subprocess.DEVNULL)
    try:
        proc = readiness("fix", "--yes", "--lang", "en", "--backup-dir", pc["backups"])
    finally:
        child.kill()
        child.wait()
    text = proc.stdout.decode(CONSOLE)
    assert proc.returncode == 1 and f"EXAMCLIENT.EXE (PID {child.pid})" in text
    assert pc["store_ini"].read_bytes() == "; 中文注释\r\n[OpenGL]\r\nLevel=2\r\n".encode("gbk")


def _found_through_uninstall(reg, tmp_path, folder, entry: str, name: str, icon: str) -> dict:
    """The client copied into folder, an Uninstall entry named `name` with that DisplayIcon and an
    UninstallString beside the exe, no InstallLocation: what `facts` says of the client."""
    shutil.copyfile(PE_FIXTURES / "client-1.1.9-0.exe", folder / "ExamClient.exe")
    reg.new_key(winreg.HKEY_CURRENT_USER, UNINSTALL + "\\" + entry, {
        "DisplayName": (name, winreg.REG_SZ),
        "DisplayIcon": (icon, winreg.REG_SZ),
        "UninstallString": (f'"{folder}\\uninst.exe" /S', winreg.REG_SZ)})
    profile = tmp_path / "site.toml"
    profile.write_text(f'[client]\ndisplay_names = ["{name}"]\n', encoding="utf-8")
    proc = readiness("facts", "--offline", "--profile", profile)
    return dict(json.loads(proc.stdout.decode("utf-8"))["client"])


def test_an_entry_with_only_displayicon_is_found(reg, tmp_path):
    folder = tmp_path / "另一个" / "Client"
    folder.mkdir(parents=True)
    client = _found_through_uninstall(reg, tmp_path, folder, "ExamReadinessTest-IconOnly", "OtherExam",
                                      f'"{folder}\\ExamClient.exe",0')
    assert client["install_dir"] == str(folder) and client["version"] == "1.1.9-0"


def test_an_icon_in_a_sub_folder_and_an_uninstaller_beside_the_exe(reg, tmp_path):
    """No InstallLocation, a DisplayIcon in res\\: the UninstallString's folder is tried too."""
    folder = tmp_path / "第三个" / "Client"
    (folder / "res").mkdir(parents=True)
    client = _found_through_uninstall(reg, tmp_path, folder, "ExamReadinessTest-IconInRes", "ResExam",
                                      f"{folder}\\res\\app.ico")
    assert client["install_dir"] == str(folder) and str(folder / "res") in client["searched"]


def test_multi_string_and_binary_values_in_an_uninstall_entry(reg, tmp_path):
    """winreg gives REG_MULTI_SZ as a list and REG_BINARY as bytes: the first string is the folder,
    the bytes are ignored, and neither becomes the text "['C:\\x']" or "b'...'"."""
    from readiness.pc.collect.system import current_system

    folder = tmp_path / "多字符串" / "Client"
    folder.mkdir(parents=True)
    shutil.copyfile(PE_FIXTURES / "client-1.2.1-0.exe", folder / "ExamClient.exe")
    reg.new_key(winreg.HKEY_CURRENT_USER, UNINSTALL + r"\ExamReadinessTest-MultiSz", {
        "DisplayName": ("MultiExam", winreg.REG_SZ),
        "InstallLocation": ([str(folder), "D:\\elsewhere"], winreg.REG_MULTI_SZ),
        "DisplayIcon": (str(folder / "ExamClient.exe").encode("utf-16-le"), winreg.REG_BINARY)})
    entry = next(e for e in current_system().uninstall_entries() if e["DisplayName"] == "MultiExam")
    assert entry == {"DisplayName": "MultiExam", "InstallLocation": str(folder)}
    profile = tmp_path / "site.toml"
    profile.write_text('[client]\ndisplay_names = ["MultiExam"]\n', encoding="utf-8")
    proc = readiness("facts", "--offline", "--profile", profile)
    client = json.loads(proc.stdout.decode("utf-8"))["client"]
    assert client["install_dir"] == str(folder) and client["version"] == "1.2.1-0"


def test_each_uninstall_entry_once_from_both_views_and_hkcu(pc):
    from readiness.pc.collect.system import current_system

    names = [e["DisplayName"] for e in current_system().uninstall_entries()]
    for name in ("考试客户端 ExamClient", "Office", "Tool"):
        assert names.count(name) == 1, names
    client = next(e for e in current_system().uninstall_entries() if e["DisplayName"] == "考试客户端 ExamClient")
    assert client["InstallLocation"] == str(pc["client"])  # REG_EXPAND_SZ expanded


def test_the_32_bit_view_is_read_with_a_stripped_environment(pc):
    """No PROCESSOR_ARCHITECTURE (a scheduled task, a stripped environment): the client under
    KEY_WOW64_32KEY is still listed, once."""
    from readiness.pc.collect.system import WindowsSystem
    from readiness.pc.collect.winapi import Kernel32, WinRegistry

    stripped = WindowsSystem(WinRegistry(), Kernel32(), {"SystemDrive": env_path("SystemDrive")})
    names = [e["DisplayName"] for e in stripped.uninstall_entries()]
    assert names.count("考试客户端 ExamClient") == 1 and names.count("Office") == 1, names


def test_a_letter_defined_on_a_folder_is_an_alias_not_a_drive(tmp_path):
    """What subst does (DefineDosDeviceW): QueryDosDeviceW then maps the letter to "\\??\\" and the
    folder, and the collector leaves such a letter out. (Wine's subst.exe is a stub, and Wine does
    not list the letter as a drive, so the call is made here.)"""
    import ctypes
    import string

    from readiness.pc.collect.system import WindowsSystem
    from readiness.pc.collect.winapi import Kernel32, WinRegistry

    used = set(os.listdrives()) if hasattr(os, "listdrives") else set()
    letter = next(f"{c}:" for c in reversed(string.ascii_uppercase)
                  if f"{c}:\\" not in used and not os.path.exists(f"{c}:\\"))
    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    assert k32.DefineDosDeviceW(0, letter, str(tmp_path)), ctypes.get_last_error()
    try:
        assert WindowsSystem(WinRegistry(), Kernel32()).drive_alias(letter + "\\").lower() == str(tmp_path).lower()
    finally:
        k32.DefineDosDeviceW(2, letter, str(tmp_path))  # DDD_REMOVE_DEFINITION


def test_fonts_registered_under_hklm_and_hkcu(pc):
    from readiness.pc.collect.system import current_system

    registered = current_system().font_registrations()
    assert ("system", YAHEI_VALUE, "msyh.ttc") in registered
    assert ("user", "KaiTi (TrueType)", str(Path(env_path("LOCALAPPDATA")) / "Microsoft" / "Windows" / "Fonts" / "simkai.ttf")) in registered


def test_font_fix_leaves_a_registered_yahei_alone(pc):
    source = write_ttc(pc["tmp"] / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    before = (pc["fonts"] / "msyh.ttc").read_bytes()
    proc = readiness("fix", "--font", source, "--yes", "--lang", "en", "--backup-dir", pc["backups"])
    text = proc.stdout.decode(CONSOLE)
    assert "already installed" in text, text + proc.stderr.decode("utf-8", "replace")
    assert (pc["fonts"] / "msyh.ttc").read_bytes() == before
    assert not (pc["fonts"] / "msyh_1.ttc").exists()


def font_status(pc):
    """What `readiness check` says of the font on this PC now: facts, then check."""
    out = pc["tmp"] / "font-facts.json"
    assert readiness("facts", "--offline", "--output", out).returncode == 0
    judged = readiness("check", "--facts", out, "--format", "json", "--output", pc["tmp"] / "font-report.json")
    return next(r for r in json.loads(judged.stdout.decode("utf-8"))["results"] if r["id"] == "font-msyh")


def test_a_yahei_copied_but_not_registered_is_registered_in_place(pc, reg):
    """WARN (copied, never installed) → fix --font → PASS, with no second file beside it."""
    reg.delete(winreg.HKEY_LOCAL_MACHINE, FONTS, YAHEI_VALUE, winreg.KEY_WOW64_64KEY)
    before = (pc["fonts"] / "msyh.ttc").read_bytes()
    assert font_status(pc)["status"] == "warn"
    source = write_ttc(pc["tmp"] / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    proc = readiness("fix", "--font", source, "--yes", "--lang", "en", "--backup-dir", pc["backups"])
    assert proc.returncode == 0, proc.stdout.decode(CONSOLE) + proc.stderr.decode("utf-8", "replace")
    try:
        assert font_status(pc)["status"] == "pass"
        assert (pc["fonts"] / "msyh.ttc").read_bytes() == before and not (pc["fonts"] / "msyh_1.ttc").exists()
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, FONTS, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
            assert winreg.QueryValueEx(key, YAHEI_VALUE)[0] == "msyh.ttc"
    finally:
        undo = readiness("fix", "--undo", "--lang", "en", "--backup-dir", pc["backups"])
    assert undo.returncode == 0 and (pc["fonts"] / "msyh.ttc").read_bytes() == before
    assert font_status(pc)["status"] == "warn"


def test_a_bold_yahei_is_refused_by_fix_and_failed_by_the_check(pc, reg):
    from tests.helpers import make_font

    bold = pc["tmp"] / "msyhbd.ttf"
    make_font("Microsoft YaHei", style="Bold").save(str(bold))
    proc = readiness("fix", "--font", bold, "--yes", "--lang", "en", "--backup-dir", pc["backups"])
    assert "Bold, not the Regular style" in proc.stdout.decode(CONSOLE), proc.stdout.decode(CONSOLE)
    assert not (pc["fonts"] / "msyh_1.ttf").exists()
    planted = pc["fonts"] / "msyh_exam_test.ttf"  # a Bold registered under YaHei's own value
    shutil.copyfile(bold, planted)
    try:
        reg.set(winreg.HKEY_LOCAL_MACHINE, FONTS, YAHEI_VALUE, planted.name, winreg.REG_SZ, winreg.KEY_WOW64_64KEY)
        moved = pc["fonts"] / "msyh.ttc"
        hidden = pc["tmp"] / "msyh.ttc.away"
        try:
            shutil.move(moved, hidden)  # only the Bold is left
        except PermissionError:
            pytest.skip("this Windows has loaded its own msyh.ttc, which it locks")
        try:
            result = font_status(pc)
        finally:
            shutil.move(hidden, moved)
        assert result["status"] == "fail" and "Bold, not Regular" in json.dumps(result["observed"]), result
    finally:
        planted.unlink(missing_ok=True)


def test_font_fix_over_a_fake_msyh_installs_under_a_new_name_and_undoes(pc, reg):
    fake = pc["fonts"] / "msyh.ttc"
    original = fake.read_bytes()
    try:
        fake.write_bytes(b"not a font at all")
    except PermissionError:
        pytest.skip("this Windows has loaded its own msyh.ttc, which it locks")
    try:
        source = write_ttc(pc["tmp"] / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
        proc = readiness("fix", "--font", source, "--yes", "--lang", "en", "--backup-dir", pc["backups"])
        assert proc.returncode == 0, proc.stdout.decode(CONSOLE)
        assert (pc["fonts"] / "msyh_1.ttc").read_bytes() == source.read_bytes()
        assert fake.read_bytes() == b"not a font at all"
        assert font_status(pc)["status"] == "pass"  # the check follows the value to msyh_1.ttc
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, FONTS, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
            assert winreg.QueryValueEx(key, YAHEI_VALUE)[0] == "msyh_1.ttc"
        undo = readiness("fix", "--undo", "--lang", "en", "--backup-dir", pc["backups"])
        assert undo.returncode == 0 and not (pc["fonts"] / "msyh_1.ttc").exists()
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, FONTS, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
            assert winreg.QueryValueEx(key, YAHEI_VALUE)[0] == "msyh.ttc"
    finally:
        fake.write_bytes(original)
        (pc["fonts"] / "msyh_1.ttc").unlink(missing_ok=True)


def test_language_follows_windows(pc):
    proc = readiness("check", "--facts", EXAMPLES / "ready-pc.json", "--output", pc["tmp"] / "r.json")
    text = proc.stdout.decode(CONSOLE)
    assert ("就绪" in text) if chinese_windows() else ("READY" in text)


def test_a_report_from_system32_goes_to_the_desktop(tmp_path):
    from readiness.core.win32 import known_folder_desktop

    system32 = Path(env_path("WINDIR")) / "System32"
    desktop = Path(known_folder_desktop())
    desktop.mkdir(parents=True, exist_ok=True)
    before = set(desktop.glob("readiness-report-*.json"))
    proc = readiness("check", "--facts", EXAMPLES / "ready-pc.json", "--format", "json", cwd=system32)
    made = set(desktop.glob("readiness-report-*.json")) - before
    try:
        assert proc.returncode == 0 and len(made) == 1
        assert not list(system32.glob("readiness-report-*.json"))
        assert json.loads(next(iter(made)).read_text(encoding="utf-8"))["summary"]
    finally:
        for p in made:
            p.unlink()


def test_a_profile_redirected_to_a_file_loads_back(tmp_path):
    """`readiness profile > site.toml` on a Chinese console, then --profile site.toml."""
    shown = readiness("profile", "--lang", "zh")
    site = tmp_path / "site.toml"
    site.write_bytes(shown.stdout)
    assert "人数".encode("utf-8") in shown.stdout or "考点".encode("utf-8") in shown.stdout
    again = readiness("profile", "--profile", site, "--format", "json")
    assert again.returncode == 0, again.stderr.decode("utf-8", "replace")
