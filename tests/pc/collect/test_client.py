import os
import shutil
from pathlib import Path

import pytest

from readiness.pc.collect.client import collect_client, pe_version, read_user_ini, registry_candidates
from tests.helpers import PE_FIXTURES


class FakeSystem:
    def __init__(self, env=None, entries=None):
        self._env = env or {}
        self._entries = entries or []

    def environ(self):
        return self._env

    def uninstall_entries(self):
        if isinstance(self._entries, Exception):
            raise self._entries
        return self._entries


def settings(**over):
    base = {"client.install_dir": None, "client.exe_name": "ExamClient.exe",
            "client.display_names": ["ExamClient", "考试客户端"],
            "client.search_dirs": ["%ProgramFiles(x86)%\\ExamClient", "%ProgramFiles%\\ExamClient",
                                   "%ProgramW6432%\\ExamClient"]}
    base.update(over)
    return base


def install(folder: Path, exe: str = "client-1.2.1-0.exe", ini: bytes | None = b"[OpenGL]\r\nLevel=0\r\n",
            d3d: bool = True, exe_name: str = "ExamClient.exe") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PE_FIXTURES / exe, folder / exe_name)
    if ini is not None:
        (folder / "user.ini").write_bytes(ini)
    if d3d:
        (folder / "D3DCompiler_47.dll").write_bytes(b"MZ")
    return folder


@pytest.mark.parametrize("exe,version,source", [
    ("client-1.2.1-0.exe", "1.2.1-0", "pe:ProductVersion"),
    ("client-1.1.9-0.exe", "1.1.9-0", "pe:ProductVersion"),
    ("client-1.10.0-0.exe", "v1.10.0-0", "pe:ProductVersion"),
    ("fixed-only-1.2.2.exe", "1.2.2.0", "pe:fixed"),
])
def test_pe_version_from_real_resources(exe, version, source):
    assert pe_version(str(PE_FIXTURES / exe)) == (version, source)


@pytest.mark.parametrize("content,words", [
    (None, "no version resource"),
    (b"this is not a program", "not a Windows program"),
    (b"", "not a Windows program"),
    (b"MZ" + b"\x00" * 100, "not a Windows program"),
])
def test_pe_version_refuses(tmp_path, content, words):
    path = tmp_path / "ExamClient.exe"
    if content is None:
        shutil.copy(PE_FIXTURES / "no-version.exe", path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=words):
        pe_version(str(path))


def test_found_through_profile_dir(tmp_path):
    folder = install(tmp_path / "Exam Client")
    errors = {}
    client = collect_client(settings(**{"client.install_dir": str(folder)}), FakeSystem(), errors)
    assert client["install_dir"] == str(folder) and client["found_by"] == "profile"
    assert client["version"] == "1.2.1-0"
    assert client["user_ini"]["opengl_level"] == "0" and client["user_ini"]["found"]
    assert client["d3dcompiler_47"] is True
    assert errors == {}


def test_found_through_uninstall_entry(tmp_path):
    folder = install(tmp_path / "x86" / "ExamClient", d3d=False, ini=None)
    entries = [{"DisplayName": "Other"}, {"DisplayName": "考试客户端 1.2.1", "DisplayIcon": f'"{folder / "ExamClient.exe"}",0'}]
    client = collect_client(settings(), FakeSystem(entries=entries), {})
    assert client["found_by"] == "registry" and Path(client["install_dir"]) == folder
    assert client["d3dcompiler_47"] is False
    assert client["user_ini"]["found"] is False and client["user_ini"]["path"].endswith("user.ini")


def test_found_in_program_files(tmp_path):
    install(tmp_path / "pf86" / "ExamClient")
    env = {"ProgramFiles(x86)": str(tmp_path / "pf86"), "PROGRAMFILES": str(tmp_path / "pf")}
    client = collect_client(settings(), FakeSystem(env=env), {})
    assert client["found_by"] == "default" and client["version"] == "1.2.1-0"


def test_case_insensitive_names(tmp_path):
    folder = install(tmp_path / "c", exe_name="examclient.EXE", ini=None, d3d=False)
    (folder / "USER.INI").write_bytes(b"[opengl]\nlevel=0\n")
    (folder / "d3dcompiler_47.DLL").write_bytes(b"MZ")
    client = collect_client(settings(**{"client.install_dir": str(folder)}), FakeSystem(), {})
    assert client["version"] == "1.2.1-0" and client["user_ini"]["opengl_level"] == "0"
    assert client["d3dcompiler_47"] is True


def test_not_found_lists_where_it_looked(tmp_path):
    env = {"ProgramFiles": str(tmp_path / "pf")}
    client = collect_client(settings(), FakeSystem(env=env, entries=OSError("denied")), errors := {})
    assert client["install_dir"] is None
    assert client["searched"] == [str(tmp_path / "pf" / "ExamClient")]  # %ProgramFiles(x86)% is unset
    assert "denied" in errors["client.registry"]["en"]


def test_version_falls_back_to_registry(tmp_path):
    folder = install(tmp_path / "c", exe="no-version.exe")
    entries = [{"DisplayName": "ExamClient", "InstallLocation": str(folder), "DisplayVersion": "1.2.1-0"}]
    client = collect_client(settings(), FakeSystem(entries=entries), errors := {})
    assert client["version"] == "1.2.1-0" and client["version_source"] == "registry:DisplayVersion"
    assert errors == {}


def test_unreadable_version_is_an_error_with_reason(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "ExamClient.exe").write_text("not a program")
    client = collect_client(settings(**{"client.install_dir": str(folder)}), FakeSystem(), errors := {})
    assert client["install_dir"] == str(folder) and client["version"] is None
    assert "not a Windows program" in errors["client.version"]["en"]


@pytest.mark.parametrize("make,words", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_bytes(b"\x00\x00binary"), "NUL"),
])
def test_bad_user_ini(tmp_path, make, words):
    path = tmp_path / "user.ini"
    make(path)
    facts = read_user_ini(str(path))
    assert facts["found"] and facts["opengl_level"] is None and words in facts["error"]


def test_dangling_user_ini(tmp_path):
    (tmp_path / "user.ini").symlink_to(tmp_path / "gone.ini")
    facts = read_user_ini(str(tmp_path / "user.ini"))
    assert facts["found"] and "cannot read" in facts["error"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions: chmod 000 does not stop reading on Windows")
@pytest.mark.skipif(os.name != "nt" and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_user_ini(tmp_path):
    path = tmp_path / "user.ini"
    path.write_bytes(b"[OpenGL]\nLevel=0\n")
    path.chmod(0)
    assert "cannot read" in read_user_ini(str(path))["error"]


def test_unreadable_user_ini_as_the_os_denies_it(tmp_path, monkeypatch):
    """What root cannot see (it reads any file): open() failing with EACCES, as POSIX open(2) and
    Windows' CreateFileW (ERROR_ACCESS_DENIED, which Python raises as PermissionError) report it."""
    import readiness.pc.collect.client as client

    path = tmp_path / "user.ini"
    path.write_bytes(b"[OpenGL]\nLevel=0\n")

    def denied(p, limit):
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(client, "read_regular", denied)
    got = read_user_ini(str(path))
    assert "cannot read" in got["error"] and "Permission denied" in got["error"] and got["opengl_level"] is None


def test_registry_candidates_read_every_field():
    entries = [
        {"DisplayName": "ExamClient", "InstallLocation": "C:\\A\\"},
        {"DisplayName": "examclient 1.2", "DisplayIcon": "C:\\B\\ExamClient.exe,0"},
        {"DisplayName": "考试客户端", "UninstallString": "\"C:\\C D\\uninst.exe\" /S"},
        {"DisplayName": "ExamClient", "UninstallString": "C:\\E\\uninstall.exe /S"},
        {"DisplayName": "Office"},
    ]
    assert [d for d, _ in registry_candidates(entries, ["ExamClient", "考试客户端"])] == \
        ["C:\\A", "C:\\B", "C:\\C D", "C:\\E"]


def test_every_folder_of_an_entry_is_tried_icon_in_a_sub_folder(tmp_path):
    """An entry without InstallLocation whose DisplayIcon is in a sub-folder (res\\app.ico) and
    whose UninstallString is beside the exe: the icon's folder is tried, then the uninstaller's."""
    folder = install(tmp_path / "Client")
    (folder / "res").mkdir()
    entry = {"DisplayName": "ExamClient", "DisplayIcon": f"{folder / 'res' / 'app.ico'},0",
             "UninstallString": f'"{folder / "uninst.exe"}" /S'}
    client = collect_client(settings(**{"client.search_dirs": []}), FakeSystem(entries=[entry]), {})
    assert client["install_dir"] == str(folder) and client["found_by"] == "registry"
    assert client["searched"] == [str(folder / "res"), str(folder)]


def test_an_msi_icon_cache_is_never_taken_for_the_client_folder():
    """Windows Installer caches an MSI product's icon in %WINDIR%\\Installer\\{ProductCode}\\ and
    its UninstallString is MsiExec.exe /X{ProductCode}: neither is the program's folder; the
    InstallLocation still is."""
    entries = [{"DisplayName": "ExamClient", "InstallLocation": "D:\\Exam\\",
                "DisplayIcon": "C:\\Windows\\Installer\\{1D2A3B4C-0000-1111-2222-333344445555}\\app.exe,0",
                "UninstallString": "MsiExec.exe /X{1D2A3B4C-0000-1111-2222-333344445555}"},
               {"DisplayName": "ExamClient", "DisplayIcon": "C:\\Windows\\Installer\\{AB}\\icon.ico",
                "UninstallString": "\"C:\\Exam 2\\uninst.exe\""}]
    assert [d for d, _ in registry_candidates(entries, ["ExamClient"])] == ["D:\\Exam", "C:\\Exam 2"]


@pytest.mark.parametrize("folder,env,expected", [
    ("C:\\Program Files (x86)\\ExamClient", {"LOCALAPPDATA": "C:\\Users\\u\\AppData\\Local"},
     "C:\\Users\\u\\AppData\\Local\\VirtualStore\\Program Files (x86)\\ExamClient"),
    ("c:\\program files\\ExamClient", {"localappdata": "C:\\L"}, "C:\\L\\VirtualStore\\program files\\ExamClient"),
    ("D:\\ExamClient", {"LOCALAPPDATA": "C:\\L"}, None),
    ("C:\\Program Files\\ExamClient", {}, None),
    ("/opt/ExamClient", {"LOCALAPPDATA": "/home/u"}, None),
])
def test_virtual_store_dir(folder, env, expected):
    from readiness.pc.collect.client import virtual_store_dir
    from readiness.pc.collect.system import native_path

    assert virtual_store_dir(folder, env) == (native_path(expected) if expected else None)


def test_a_32_bit_python_finds_a_64_bit_client_through_programw6432(tmp_path):
    """Under WOW64 %ProgramFiles% is %ProgramFiles(x86)% (Microsoft's "WOW64 Implementation
    Details": ProgramFiles is redirected for 32-bit processes); %ProgramW6432% is the real one."""
    x86, real = tmp_path / "PF86", tmp_path / "PF"
    install(real / "ExamClient")
    env = {"PROGRAMFILES": str(x86), "PROGRAMFILES(X86)": str(x86), "PROGRAMW6432": str(real)}
    client = collect_client(settings(), FakeSystem(env), {})
    assert client["install_dir"] == str(real / "ExamClient") and client["found_by"] == "default"
    assert client["searched"] == [str(x86 / "ExamClient"), str(real / "ExamClient")]  # the same folder once



@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_user_ini_or_client_is_reported_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "user.ini")
    assert "FIFO" in read_user_ini(str(tmp_path / "user.ini"))["error"]
    os.mkfifo(tmp_path / "ExamClient.exe")
    with pytest.raises(OSError):
        pe_version(str(tmp_path / "ExamClient.exe"))
