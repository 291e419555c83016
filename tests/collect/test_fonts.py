import os
from pathlib import Path

import pytest

from readiness.collect.fonts import collect_fonts, font_families
from tests.helpers import write_ttc, write_ttf


class FakeSystem:
    def __init__(self, env, registered=None):
        self.env = env
        self.registered = registered

    def environ(self):
        return self.env

    def registered_fonts(self):
        return self.registered


def settings(system_dir: Path, user_dir: Path):
    return {"fonts.system_dirs": [str(system_dir)], "fonts.user_dirs": [str(user_dir)]}


def test_reads_family_from_ttc(tmp_path):
    path = write_ttc(tmp_path / "msyh.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    family, families = font_families(str(path))
    assert family == "Microsoft YaHei"
    assert "Microsoft YaHei UI" in families


def test_reads_chinese_names_too(tmp_path):
    path = write_ttf(tmp_path / "msyh.ttf", "Microsoft YaHei", chinese="微软雅黑")
    family, families = font_families(str(path))
    assert family == "Microsoft YaHei" and "微软雅黑" in families


@pytest.mark.parametrize("content", [b"", b"not a font at all", b"ttcf\x00\x01", b"\x00\x01\x00\x00" + b"\x00" * 8])
def test_not_a_font(tmp_path, content):
    path = tmp_path / "msyh.ttc"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a font|name table"):
        font_families(str(path))


def test_collects_system_and_user_fonts(tmp_path):
    sys_dir, user_dir = tmp_path / "Windows" / "Fonts", tmp_path / "user" / "Fonts"
    sys_dir.mkdir(parents=True)
    user_dir.mkdir(parents=True)
    write_ttc(sys_dir / "MSYH.TTC", ["Microsoft YaHei", "Microsoft YaHei UI"])
    write_ttf(sys_dir / "msyhbd.ttc", "Microsoft YaHei")  # bold alone does not count
    write_ttf(user_dir / "msyh.ttf", "Microsoft YaHei")
    (sys_dir / "simsun.ttc").write_bytes(b"x")
    fonts = collect_fonts(settings(sys_dir, user_dir), FakeSystem({}, {"system": {"msyh.ttc"}, "user": set()}), {})
    got = {(Path(e["path"]).name, e["scope"], e["family"], e["registered"]) for e in fonts["msyh"]}
    assert got == {("MSYH.TTC", "system", "Microsoft YaHei", True), ("msyh.ttf", "user", "Microsoft YaHei", False)}


def test_a_fake_font_and_a_folder_are_reported_not_raised(tmp_path):
    sys_dir = tmp_path / "Fonts"
    sys_dir.mkdir()
    (sys_dir / "msyh.ttc").write_text("<html>download page</html>")
    (sys_dir / "msyh.ttf").mkdir()
    fonts = collect_fonts(settings(sys_dir, tmp_path / "none"), FakeSystem({}), errors := {})
    by_name = {Path(e["path"]).name: e for e in fonts["msyh"]}
    assert "not a font" in by_name["msyh.ttc"]["error"]
    assert "folder" in by_name["msyh.ttf"]["error"]
    assert errors == {}


def test_no_font_folder_is_unknown_not_missing(tmp_path):
    errors = {}
    fonts = collect_fonts({"fonts.system_dirs": ["%WINDIR%\\Fonts"], "fonts.user_dirs": []}, FakeSystem({}), errors)
    assert fonts["msyh"] is None and "not set" in errors["fonts.msyh"]["en"]


def test_windir_is_expanded(tmp_path):
    (tmp_path / "Fonts").mkdir()
    write_ttc(tmp_path / "Fonts" / "msyh.ttc", ["Microsoft YaHei"])
    fonts = collect_fonts({"fonts.system_dirs": ["%WINDIR%\\Fonts"], "fonts.user_dirs": []},
                          FakeSystem({"windir": str(tmp_path)}), {})
    assert len(fonts["msyh"]) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_msyh_is_reported_without_blocking(tmp_path):
    sys_dir = tmp_path / "Fonts"
    sys_dir.mkdir()
    os.mkfifo(sys_dir / "msyh.ttc")
    fonts = collect_fonts(settings(sys_dir, tmp_path / "none"), FakeSystem({}), {})
    assert "FIFO" in fonts["msyh"][0]["error"]
