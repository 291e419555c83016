import os
from pathlib import Path

import pytest

from readiness.pc.collect.fonts import collect_fonts, font_families
from tests.helpers import write_ttc, write_ttf


class FakeSystem:
    """registered: {scope: file names} as bare names under values of no YaHei name; registrations:
    (scope, value name, file) as the Fonts keys hold them. None: the registry cannot be read."""

    def __init__(self, env, registered=None, registrations=None):
        self.env = env
        self.registrations = registrations
        if registered is not None:
            self.registrations = (registrations or []) + [
                (scope, f"Font {i} (TrueType)", name) for scope, names in registered.items()
                for i, name in enumerate(sorted(names))]

    def environ(self):
        return self.env

    def font_registrations(self):
        return self.registrations


FAMILIES = {"fonts.families": ["Microsoft YaHei", "Microsoft YaHei UI"]}


def settings(system_dir: Path, user_dir: Path):
    return {"fonts.system_dirs": [str(system_dir)], "fonts.user_dirs": [str(user_dir)], **FAMILIES}


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
    fonts = collect_fonts({"fonts.system_dirs": ["%WINDIR%\\Fonts"], "fonts.user_dirs": [], **FAMILIES}, FakeSystem({}), errors)
    assert fonts["msyh"] is None and "not set" in errors["fonts.msyh"]["en"]


def test_windir_is_expanded(tmp_path):
    (tmp_path / "Fonts").mkdir()
    write_ttc(tmp_path / "Fonts" / "msyh.ttc", ["Microsoft YaHei"])
    fonts = collect_fonts({"fonts.system_dirs": ["%WINDIR%\\Fonts"], "fonts.user_dirs": [], **FAMILIES},
                          FakeSystem({"windir": str(tmp_path)}), {})
    assert len(fonts["msyh"]) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_msyh_is_reported_without_blocking(tmp_path):
    sys_dir = tmp_path / "Fonts"
    sys_dir.mkdir()
    os.mkfifo(sys_dir / "msyh.ttc")
    fonts = collect_fonts(settings(sys_dir, tmp_path / "none"), FakeSystem({}), {})
    assert "FIFO" in fonts["msyh"][0]["error"]


def test_the_registry_value_leads_to_its_file_and_wins(tmp_path, profile, loaded):
    """After `fix --font` over a broken msyh.ttc: the value names msyh_1.ttc; the collector follows
    it and the old file is listed as unregistered. The check then passes."""
    from readiness.core.model import Status
    from tests.checks.judge import judge_one
    from tests.helpers import with_facts

    fonts_dir = tmp_path / "Fonts"
    fonts_dir.mkdir()
    (fonts_dir / "msyh.ttc").write_bytes(b"not a font at all")
    write_ttc(fonts_dir / "msyh_1.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    write_ttc(fonts_dir / "msyhbd.ttc", ["Microsoft YaHei"])  # registered too, but not the face needed
    system = FakeSystem({}, registrations=[
        ("system", "Microsoft YaHei & Microsoft YaHei UI (TrueType)", "MSYH_1.TTC"),
        ("system", "Microsoft YaHei Bold & Microsoft YaHei UI Bold (TrueType)", "msyhbd.ttc"),
        ("system", "SimSun & NSimSun (TrueType)", "simsun.ttc")])
    fonts = collect_fonts(settings(fonts_dir, tmp_path / "none"), system, {})
    got = [(Path(e["path"]).name, e["registered"], e["family"], e["style"]) for e in fonts["msyh"]]
    assert got == [("msyh_1.ttc", True, "Microsoft YaHei", "Regular"), ("msyh.ttc", False, None, None)]
    result = judge_one(loaded, "font-msyh", with_facts({"fonts.msyh": fonts["msyh"]}), profile)
    assert result.status is Status.PASS and "msyh_1.ttc" in result.observed.en


def test_a_registered_file_that_is_missing_says_so(tmp_path):
    fonts_dir = tmp_path / "Fonts"
    fonts_dir.mkdir()
    system = FakeSystem({}, registrations=[("system", "Microsoft YaHei & Microsoft YaHei UI (TrueType)", "msyh.ttc")])
    entry, = collect_fonts(settings(fonts_dir, tmp_path / "none"), system, {})["msyh"]
    assert entry["registered"] is True and "not there" in entry["error"] and entry["reason"]["zh"]


@pytest.mark.parametrize("style,expected", [("Regular", "Regular"), ("Bold", "Bold"), ("Light", "Light")])
def test_the_style_is_read_from_the_name_table(tmp_path, style, expected):
    """msyhbd.ttc says "Microsoft YaHei" in name ID 1 and its style in ID 2 (and 17)."""
    from readiness.pc.collect.fonts import font_names
    from tests.helpers import make_font

    path = tmp_path / "msyh.ttf"
    make_font("Microsoft YaHei", style=style).save(str(path))
    assert font_names(str(path)).style == expected


def test_a_bold_yahei_named_msyh_fails_and_names_its_style(tmp_path, profile, loaded):
    from readiness.core.model import Status
    from tests.checks.judge import judge_one
    from tests.helpers import make_font, with_facts

    fonts_dir = tmp_path / "Fonts"
    fonts_dir.mkdir()
    make_font("Microsoft YaHei", style="Bold").save(str(fonts_dir / "msyh.ttf"))
    system = FakeSystem({}, registrations=[("system", "Microsoft YaHei (TrueType)", "msyh.ttf")])
    fonts = collect_fonts(settings(fonts_dir, tmp_path / "none"), system, {})
    result = judge_one(loaded, "font-msyh", with_facts({"fonts.msyh": fonts["msyh"]}), profile)
    assert result.status is Status.FAIL and "Bold, not Regular" in result.observed.en
