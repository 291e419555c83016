"""The font part of fix, through a fake of the thin Windows font layer."""

from pathlib import Path

import pytest

from readiness.pc.fix.actions import InstallFont, apply, propose_changes, undo
from readiness.pc.fix.journal import Journal
from tests.helpers import make_font, write_ttc, write_ttf


class FakeFontHost:
    """As Windows behaves: winreg.DeleteValue raises FileNotFoundError for a missing value, and
    AddFontResourceW returns the number of fonts added (0 when it fails)."""

    def __init__(self, fonts_dir: Path, admin=True, adds=1):
        self.dir = fonts_dir
        self.admin = admin
        self.registry: dict[str, str] = {}
        self.loaded: list[str] = []
        self.broadcasts = 0
        self.adds = adds

    def unsupported(self):
        return None

    def is_admin(self):
        return self.admin

    def fonts_dir(self):
        return self.dir

    def registry_get(self, name):
        return self.registry.get(name)

    def registry_set(self, name, data):
        self.registry[name] = data

    def registry_delete(self, name):
        if name not in self.registry:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del self.registry[name]

    def add_font_resource(self, path):
        if self.adds:
            self.loaded.append(path)
        return self.adds

    def remove_font_resource(self, path):
        if path not in self.loaded:
            return False
        self.loaded.remove(path)
        return True

    def broadcast_font_change(self):
        self.broadcasts += 1


SETTINGS = {"client.opengl_level": "0", "fonts.families": ["Microsoft YaHei", "Microsoft YaHei UI"]}
NO_CLIENT = {"client": {"install_dir": None}}


@pytest.fixture
def host(tmp_path):
    (tmp_path / "Fonts").mkdir()
    return FakeFontHost(tmp_path / "Fonts")


def test_installs_and_undoes(tmp_path, host):
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    assert changes.refusals == [] and isinstance(changes.actions[0], InstallFont)
    journal = Journal.start(tmp_path / "b")
    apply(changes, journal, host)
    dest = host.dir / "msyh.ttc"
    assert dest.read_bytes() == source.read_bytes()
    assert host.registry == {"Microsoft YaHei & Microsoft YaHei UI (TrueType)": "msyh.ttc"}
    assert host.loaded == [str(dest)] and host.broadcasts == 1
    assert undo(journal, host) == []
    assert not dest.exists() and host.registry == {} and host.loaded == []


def test_an_existing_file_is_never_replaced_but_a_new_name_is_registered(tmp_path, host):
    """Windows locks a loaded font file: the old file stays, the value points at msyh_1.ttf."""
    (host.dir / "msyh.ttf").write_bytes(b"old broken font")
    host.registry["Microsoft YaHei (TrueType)"] = "msyh.ttf"
    source = write_ttf(tmp_path / "msyh.ttf", "Microsoft YaHei")
    journal = Journal.start(tmp_path / "b")
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    assert changes.actions[0].dest_name == "msyh_1.ttf"
    apply(changes, journal, host)
    assert (host.dir / "msyh.ttf").read_bytes() == b"old broken font"
    assert (host.dir / "msyh_1.ttf").read_bytes() == source.read_bytes()
    assert host.registry == {"Microsoft YaHei (TrueType)": "msyh_1.ttf"}
    assert undo(journal, host) == []
    assert not (host.dir / "msyh_1.ttf").exists() and (host.dir / "msyh.ttf").read_bytes() == b"old broken font"
    assert host.registry == {"Microsoft YaHei (TrueType)": "msyh.ttf"}


def test_a_registered_yahei_in_place_is_left_alone(tmp_path, host):
    write_ttc(host.dir / "msyh.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    host.registry["Microsoft YaHei & Microsoft YaHei UI (TrueType)"] = "msyh.ttc"
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    assert changes.actions == [] and changes.refusals == [] and "already installed" in changes.notes[-1].en


def test_a_yahei_copied_but_never_registered_is_registered_in_place(tmp_path, host):
    """msyh.ttc copied into Fonts by hand: its registry value is added and Windows loads it there;
    no msyh_1.ttc beside it. Undo takes the registration back and leaves the file."""
    write_ttc(host.dir / "msyh.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    before = (host.dir / "msyh.ttc").read_bytes()
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    action, = changes.actions
    assert action.in_place and action.dest_name == "msyh.ttc" and "register" in action.describe().en
    journal = Journal.start(tmp_path / "b")
    apply(changes, journal, host)
    assert sorted(p.name for p in host.dir.iterdir()) == ["msyh.ttc"]
    assert host.registry == {"Microsoft YaHei & Microsoft YaHei UI (TrueType)": "msyh.ttc"}
    assert host.loaded == [str(host.dir / "msyh.ttc")] and host.broadcasts == 1
    assert undo(journal, host) == []
    assert (host.dir / "msyh.ttc").read_bytes() == before and host.registry == {} and host.loaded == []


@pytest.mark.parametrize("style", ["Bold", "Light"])
def test_another_style_of_yahei_is_refused_by_name(tmp_path, host, style):
    """msyhbd.ttc carries "Microsoft YaHei" as its family (name ID 1) and "Bold" as its subfamily
    (ID 2); msyhl.ttc the family in ID 16 and "Light" in ID 17."""
    font = make_font("Microsoft YaHei" if style == "Bold" else "Microsoft YaHei Light",
                     style=style if style == "Bold" else "Regular")
    if style == "Light":
        font["name"].setName("Microsoft YaHei", 16, 3, 1, 0x409)
        font["name"].setName("Light", 17, 3, 1, 0x409)
    source = tmp_path / "msyh.ttf"
    font.save(str(source))
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    assert changes.actions == [] and f"Microsoft YaHei {style}, not the Regular style" in changes.refusals[0].en
    assert style in changes.refusals[0].zh and list(host.dir.iterdir()) == []


def test_a_registered_bold_is_not_taken_for_the_regular(tmp_path, host):
    make_font("Microsoft YaHei", style="Bold").save(str(host.dir / "msyh.ttf"))
    host.registry["Microsoft YaHei (TrueType)"] = "msyh.ttf"
    source = write_ttf(tmp_path / "download.ttf", "Microsoft YaHei")
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    action, = changes.actions
    assert not action.in_place and action.dest_name == "msyh_1.ttf"


def test_undo_treats_a_value_already_gone_as_done(tmp_path, host):
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    journal = Journal.start(tmp_path / "b")
    apply(propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host), journal, host)
    host.registry.clear()  # someone removed the value by hand
    assert undo(journal, host) == []
    assert not (host.dir / "msyh.ttc").exists()


def test_undo_removes_the_file_before_the_registry_value(tmp_path, host, monkeypatch):
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    journal = Journal.start(tmp_path / "b")
    apply(propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host), journal, host)

    def locked(self, missing_ok=False):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(Path, "unlink", locked)
    problems = undo(journal, host)
    assert problems and "being used" in problems[0].en
    assert host.registry == {"Microsoft YaHei & Microsoft YaHei UI (TrueType)": "msyh.ttc"}  # still names the file


def test_a_font_windows_does_not_load_is_a_failure_that_undo_reverts(tmp_path, host):
    host.adds = 0  # AddFontResourceW returned 0
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    journal = Journal.start(tmp_path / "b")
    with pytest.raises(OSError, match="AddFontResourceW"):
        apply(propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host), journal, host)
    assert journal.data["state"] == "failed"
    assert undo(journal, host) == []
    assert not (host.dir / "msyh.ttc").exists() and host.registry == {}


@pytest.mark.parametrize("failure", ["AddFontResourceW", "registry"])
def test_fix_undo_finds_a_font_install_that_failed_part_way(tmp_path, host, failure):
    """The file was written, then AddFontResourceW added none (a security suite) or the HKLM write
    was refused: `fix --undo` (Journal.latest) must find that run and remove the file, not say
    "Nothing to undo"."""
    if failure == "AddFontResourceW":
        host.adds = 0
    else:
        def refused(name, data):
            raise PermissionError(13, "Access is denied")

        host.registry_set = refused
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    with pytest.raises(OSError):
        apply(propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host), Journal.start(tmp_path / "b"), host)
    assert (host.dir / "msyh.ttc").exists()
    journal = Journal.latest(tmp_path / "b")
    assert journal is not None and journal.data["state"] == "failed"
    assert undo(journal, host) == []
    assert not (host.dir / "msyh.ttc").exists() and host.registry == {}
    assert Journal.latest(tmp_path / "b") is None


def test_a_failed_font_install_is_worded_as_a_font_and_undone_by_fix_undo(tmp_path, host, profile, loaded):
    """The failure message no longer says "the file being changed is intact" when a font file was
    written and Windows refused to load it; `fix --undo` then removes it."""
    from readiness.pc.fix.service import FixIO, run_fix, run_undo
    from readiness.core.i18n import Lang

    host.adds = 0
    lines = []
    io = FixIO(echo=lines.append, confirm=lambda q: True, collect=lambda: NO_CLIENT, running=lambda: [],
               font_host=host, lang=Lang.EN)
    source = write_ttc(tmp_path / "download.ttc", ["Microsoft YaHei", "Microsoft YaHei UI"])
    code = run_fix(profile, loaded, io, backup_root=tmp_path / "b", yes=True, dry_run=False, white_screen=False,
                   font=source)
    said = "\n".join(lines)
    assert code == 1 and "AddFontResourceW" in said and "may be installed in part" in said and "intact" not in said
    assert (host.dir / "msyh.ttc").exists()
    lines.clear()
    assert run_undo(io, tmp_path / "b") == 0, lines
    assert not (host.dir / "msyh.ttc").exists() and host.registry == {}


def test_needs_administrator(tmp_path, host):
    host.admin = False
    source = write_ttc(tmp_path / "msyh.ttc", ["Microsoft YaHei"])
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    assert changes.actions == [] and "Run as administrator" in changes.refusals[0].en
    assert list(host.dir.iterdir()) == []


@pytest.mark.parametrize("make,words", [
    (lambda p: write_ttf(p, "SimSun"), "not Microsoft YaHei"),
    (lambda p: (p.write_bytes(b"<html>not a font</html>"), p)[1], "not a font"),
])
def test_refuses_what_is_not_yahei(tmp_path, host, make, words):
    source = make(tmp_path / "msyh.ttc")
    changes = propose_changes(NO_CLIENT, SETTINGS, font=source, font_host=host)
    assert changes.actions == [] and words in changes.refusals[0].en


def test_plan_edits_the_virtual_store_copy_too(tmp_path):
    main_ini, store_ini = tmp_path / "client" / "user.ini", tmp_path / "store" / "user.ini"
    for p in (main_ini, store_ini):
        p.parent.mkdir()
        p.write_bytes(b"[OpenGL]\nLevel=2\n")
    facts = {"client": {"install_dir": str(main_ini.parent), "user_ini": {"path": str(main_ini)},
                        "user_ini_virtual_store": {"path": str(store_ini)}}}
    changes = propose_changes(facts, SETTINGS)
    assert [a.path for a in changes.actions] == [main_ini, store_ini]
    journal = Journal.start(tmp_path / "b")
    apply(changes, journal)
    assert main_ini.read_bytes() == store_ini.read_bytes() == b"[OpenGL]\nLevel=0\n"
    assert undo(journal) == []
    assert store_ini.read_bytes() == b"[OpenGL]\nLevel=2\n"
