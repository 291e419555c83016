
import pytest
from readiness.core.facts import Facts
from readiness.core.i18n import Text, same
from readiness.core.model import Finding, Status
from readiness.core.plugin import assemble, check, load_checks
from readiness.core.judging import judge_checks
from readiness.core.settings import CORE_SETTINGS, Setting


@check("extra", title=Text("Extra", "额外"), settings=(Setting("extra.limit", 3, Text("l", "l"), "int"),))
def extra_check(facts: Facts, profile) -> Finding:
    return Finding(Status.PASS, same("ok"), same("ok"), same("ok"))


@check("boom", title=Text("Boom", "崩溃"))
def boom_check(facts, profile):
    raise ZeroDivisionError("division by zero")


@check("liar", title=Text("Liar", "错误"))
def liar_check(facts, profile):
    return "pass"


def not_a_check(facts, profile):
    return None


def broken_import():
    raise ImportError("No module named 'missing_dependency'")


def test_builtin_checks_load_through_entry_points():
    loaded = load_checks(reserved_keys=[s.key for s in CORE_SETTINGS])
    assert [c.id for c in loaded.checks] == ["os", "restore", "memory", "disk", "client-version", "font-msyh",
                                          "opengl-level", "bandwidth", "public-ip", "exam-server", "clock"]
    assert loaded.failures == ()


def test_each_load_is_isolated():
    loaded = assemble([("broken", broken_import), ("plain", lambda: not_a_check), ("extra", lambda: extra_check),
                       ("again", lambda: extra_check)])
    assert [c.id for c in loaded.checks] == ["extra"]
    reasons = {f.name: f.reason.en for f in loaded.failures}
    assert "missing_dependency" in reasons["broken"]
    assert "@check" in reasons["plain"]
    assert "already used" in reasons["again"]


def test_a_plugin_may_not_take_a_core_setting():
    @check("thief", title=same("thief"), settings=(Setting("site.seats", 1, same("x"), "int"),))
    def thief(facts, profile):
        raise AssertionError

    loaded = assemble([("thief", lambda: thief)], reserved_keys=[s.key for s in CORE_SETTINGS])
    assert loaded.checks == () and "site.seats" in loaded.failures[0].reason.en


def test_broken_checks_become_error_results_and_the_rest_still_run(profile):
    loaded = assemble([("broken", broken_import), ("boom", lambda: boom_check), ("liar", lambda: liar_check),
                       ("extra", lambda: extra_check)])
    results = {r.id: r for r in judge_checks({}, profile, loaded)}
    assert results["extra"].status is Status.PASS
    assert results["boom"].status is Status.ERROR and "ZeroDivisionError" in results["boom"].message.en
    assert results["liar"].status is Status.ERROR and "not a Finding" in results["liar"].message.en
    assert results["broken"].status is Status.ERROR and "could not be loaded" in results["broken"].message.en


def test_checks_are_still_plain_functions():
    assert extra_check(Facts({}), None).status is Status.PASS


def _pairs(eps):
    return [(ep.name, ep.value, ep.group) for ep in eps]


@pytest.mark.parametrize("group", ["readiness.checks", "console_scripts", "pytest11"])
def test_the_fast_entry_point_scan_finds_what_importlib_metadata_finds(group):
    import importlib.metadata

    from readiness.core.plugin import entry_points_of

    assert _pairs(entry_points_of(group)) == _pairs(importlib.metadata.entry_points(group=group))


def _folders(path):
    """sys.path without its zips (Windows' embeddable python has its standard library in one),
    which send the scan to importlib.metadata: what is left is what the scan reads itself."""
    import os

    return [p for p in path if not os.path.isfile(p or ".")]


def _dist(folder, name, text=None):
    info = folder / name
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.split('-')[0]}\nVersion: 1\n")
    if text is not None:
        (info / "entry_points.txt").write_text(text, encoding="utf-8")


def test_a_third_party_plugin_on_sys_path_is_found_as_importlib_metadata_finds_it(tmp_path, monkeypatch):
    """Two folders on sys.path holding the same distribution under differently spelt names (the
    first wins), an .egg-info, comments and other groups: the scan and importlib.metadata agree,
    and the third party's check loads and runs."""
    import importlib.metadata
    import sys

    from readiness.core.plugin import _scan_entry_points, load_checks

    first, second = tmp_path / "a", tmp_path / "b"
    (first / "acme_checks.py").parent.mkdir()
    (first / "acme_checks.py").write_text(
        "from readiness.core.plugin import check\nfrom readiness.core.i18n import same\nfrom readiness.core.model import Finding, Status\n"
        "@check('acme', title=same('Acme'))\ndef acme(facts, profile):\n"
        "    return Finding(Status.PASS, same('ok'), same('ok'), same('ok'))\n")
    _dist(first, "Acme_Checks-1.0.dist-info", "# a comment\n[readiness.checks]\nacme = acme_checks:acme\n\n[console_scripts]\nacme = x:y\n")
    _dist(second, "acme.checks-2.0.dist-info", "[readiness.checks]\nacme-old = acme_old:acme\n")  # shadowed
    _dist(second, "other.egg-info", "[readiness.checks]\n  other =  acme_checks : acme  \n")
    _dist(second, "plain-1.0.dist-info")  # no entry points
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second), *_folders(sys.path)])
    for group in ("readiness.checks", "console_scripts"):
        assert _pairs(_scan_entry_points(group)) == _pairs(importlib.metadata.entry_points(group=group))
    names = [ep.name for ep in _scan_entry_points("readiness.checks")]
    assert names[:2] == ["acme", "other"] and "acme-old" not in names
    loaded = load_checks()
    assert "acme" in [c.id for c in loaded.checks]


def test_what_the_scan_cannot_read_goes_to_importlib_metadata(tmp_path, monkeypatch):
    import sys
    import zipfile

    from readiness.core.plugin import _scan_entry_points

    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", "[readiness.checks]\nzipped = z:z\n")
    monkeypatch.setattr(sys, "path", _folders(sys.path))
    assert _scan_entry_points("readiness.checks") is not None
    monkeypatch.setattr(sys, "path", [str(archive), *sys.path])
    assert _scan_entry_points("readiness.checks") is None
    monkeypatch.setattr(sys, "path", sys.path[1:])
    broken = tmp_path / "broken"
    _dist(broken, "broken-1.0.dist-info", "[readiness.checks]\nno equals sign\n")
    monkeypatch.setattr(sys, "path", [str(broken), *sys.path])
    assert _scan_entry_points("readiness.checks") is None
