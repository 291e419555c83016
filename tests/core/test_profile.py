import os

import pytest

from readiness.core.profile import ProfileError, load_profile, to_toml
from readiness.core.settings import CORE_SETTINGS


@pytest.fixture
def settings(loaded):
    return CORE_SETTINGS + loaded.settings


def test_builtin_encodes_the_plan(profile):
    assert profile["site.seats"] == 50 and profile["site.listening"] is False
    assert profile["client.min_version"] == "1.2.1-0"
    assert profile["memory.min_installed_gib"] == 8 and profile["disk.min_total_gb"] == 200
    assert profile["os.families"] == ["10"] and profile["client.opengl_level"] == "0"
    assert profile["fonts.system_dirs"] == ["%WINDIR%\\Fonts"]
    assert profile["fonts.user_dirs"] == ["%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts"]


def test_site_profile_overrides(tmp_path, settings):
    path = tmp_path / "site.toml"
    path.write_text('[site]\nid = "1101"\nname = "海淀学习中心"\nseats = 100\nlistening = true\n'
                    'public_ips = ["203.0.113.7", "2001:db8::1"]\n[client]\ninstall_dir = "D:\\\\Exam"\n'
                    '[os]\nfamilies = ["10", "11"]\n', encoding="utf-8")
    p = load_profile(path, settings)
    assert p["site.name"] == "海淀学习中心" and p["site.seats"] == 100 and p["client.install_dir"] == "D:\\Exam"
    assert p["os.families"] == ["10", "11"] and p["client.min_version"] == "1.2.1-0"
    assert p.source == str(path)


@pytest.mark.parametrize("toml,words", [
    ("[site]\nseats = \"fifty\"\n", "site.seats: expected a whole number"),
    ("[site]\nseats = 0\n", "site.seats: must be at least 1"),
    ("[site]\nseat = 50\n", "site.seat: unknown key (known keys here: site.id"),
    ("[nonsense]\nx = 1\n", "nonsense.x: unknown key"),
    ("[site]\npublic_ips = [\"1.2.3\"]\n", "'1.2.3' is not an IP address"),
    ("[site]\npublic_ips = \"1.2.3.4\"\n", "expected a list of strings"),
    ("[client]\nmin_version = \"latest\"\n", "client.min_version: not a version"),
    ("[os]\nfamilies = [\"7\"]\n", "unknown Windows family"),
    ("[site]\nlistening = \"yes\"\n", "expected true or false"),
    ("[site\nseats = 1\n", "not valid TOML"),
])
def test_bad_profiles_name_file_key_and_problem(tmp_path, settings, toml, words):
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path, settings)
    assert str(path) in str(info.value) and words in str(info.value)


def test_unreadable_and_gbk_profiles(tmp_path, settings):
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.toml", settings)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[site]\nname = "海淀"\n'.encode("gbk"))
    with pytest.raises(ProfileError, match="UTF-8"):
        load_profile(gbk, settings)


def test_shown_profile_loads_back_to_the_same(tmp_path, settings, profile):
    for lang in ("en", "zh"):
        path = tmp_path / f"shown-{lang}.toml"
        path.write_text(to_toml(profile, settings, lang), encoding="utf-8")
        assert dict(load_profile(path, settings).values) == dict(profile.values)


def test_the_readme_profile_example_is_valid(tmp_path, settings):
    from tests.helpers import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Site profile", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    (tmp_path / "site.toml").write_text(block, encoding="utf-8")
    p = load_profile(tmp_path / "site.toml", settings)
    assert p["site.id"] == "1101" and p["bandwidth.url"].startswith("http://")


def test_the_readme_branch_examples_are_valid(tmp_path, settings):
    """The branch's profile and the site's [upstream] lines in "For branches" load as written."""
    from tests.helpers import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## For branches", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in text.split("```toml")[1:]]
    assert len(blocks) == 2
    for i, block in enumerate(blocks):
        (tmp_path / f"b{i}.toml").write_text(block, encoding="utf-8")
    branch = load_profile(tmp_path / "b0.toml", settings)
    assert branch["branch.id"] == "11" and len(branch["branch.sites"]) == 2 and branch["exam.starts_at"]
    site = load_profile(tmp_path / "b1.toml", settings)
    assert site["upstream.url"] and site["upstream.token"] in branch["branch.sites"].values()


@pytest.mark.parametrize("toml,words", [
    ("[memory]\nmin_installed_gib = nan\n", "memory.min_installed_gib: expected a finite number"),
    ("[network]\ntimeout_s = inf\n", "network.timeout_s: expected a finite number"),
    ("[disk]\nmin_total_gb = -inf\n", "disk.min_total_gb: expected a finite number"),
    ("[bandwidth]\nurl = \"192.168.1.10/exam.bin\"\n", "bandwidth.url: '192.168.1.10/exam.bin' is not an http"),
    ("[bandwidth]\nurl = \"ftp://192.168.1.10/exam.bin\"\n", "bandwidth.url: 'ftp://192.168.1.10/exam.bin' is not"),
    ("[bandwidth]\nurl = \"http://\"\n", "bandwidth.url: 'http://' names no host"),
    ("[bandwidth]\nurl = \"https://:443/x\"\n", "names no host"),
    ("[bandwidth]\nurl = \"http://host:99999/\"\n", "not a valid URL"),
    ("[network]\nendpoints = [\"http://\"]\n", "network.endpoints: 'http://' names no host"),
    ("[network]\nip_echo_urls = [\"api.ipify.org\"]\n", "network.ip_echo_urls: 'api.ipify.org' is not an http"),
    # beyond any real site: a typo, refused rather than judged ("≥ 1e+308 GiB" would fail every PC)
    ("[site]\nseats = 100000000000000000000000\n", "site.seats: must be at most 10000"),
    ("[memory]\nmin_installed_gib = 1e308\n", "memory.min_installed_gib: must be at most 4096"),
    ("[bandwidth]\ntolerance_percent = 150\n", "bandwidth.tolerance_percent: must be at most 100"),
    ("[network]\ndeadline_s = 86400\n", "network.deadline_s: must be at most 3600"),
])
def test_values_that_would_fail_later_are_refused_at_load(tmp_path, settings, toml, words):
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path, settings)
    assert words in str(info.value)


@pytest.mark.parametrize("text", [
    "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "[" + ".".join(["a"] * 100_000) + "]\n",
    "a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n",
    "[" + ".".join(["s"] * 40) + "]\nx = 1\n",
    "x." * 200_000 + "y = 1\n",  # quadratic in the TOML parser: refused before parsing
    "a = {" + "x." * 100_000 + "y = 1}\n",
])
def test_deeply_nested_profiles_are_refused(tmp_path, settings, text):
    path = tmp_path / "deep.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path, settings)
    assert "nested" in str(info.value)


def test_a_huge_profile_is_refused_before_parsing(tmp_path, settings):
    path = tmp_path / "huge.toml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path, settings)
    assert "larger than" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX devices and FIFOs (on Windows /dev/zero would be a "
                    "path on the current drive)")
def test_device_and_fifo_profiles_are_refused(tmp_path, settings):
    fifo = tmp_path / "site.toml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", fifo):
        with pytest.raises(ProfileError) as info:
            load_profile(path, settings)
        assert "not a regular file" in str(info.value)


@pytest.mark.parametrize("lang,head", [("zh", "# 生效的配置；来源：内置（2023 年秋季应急预案）"),
                                       ("en", "# Effective profile; source: built-in (2023 autumn emergency plan)")])
def test_the_profile_file_speaks_the_chosen_language_from_its_first_line(settings, lang, head):
    from readiness.core.profile import to_toml

    text = to_toml(load_profile(None, settings), settings, lang)
    assert text.splitlines()[0] == head


def test_a_reports_profile_carries_no_secret(make_profile):
    secrets = {"server.token": "t" * 20, "server.admin_key": "k" * 20, "server.phone_token": "p" * 20}
    shown = make_profile(**{k.replace(".", "__"): v for k, v in secrets.items()}).redacted().values
    assert all(shown[k] == "<hidden>" for k in secrets)
    assert make_profile().redacted().values["server.phone_token"] is None  # unset stays unset


# --- the chain of command: [branch.sites] is one table setting, its tokens secrets ------------------

def _branch_profile(tmp_path, text):
    from readiness.core.profile import load_profile
    from readiness.core.settings import CORE_SETTINGS

    path = tmp_path / "branch.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path, CORE_SETTINGS)


def test_branch_sites_is_read_as_one_table(tmp_path):
    p = _branch_profile(tmp_path, '[branch]\nid = "11"\nname = "North"\n[branch.sites]\n"1101" = "token-1101-abc"\n'
                                  '"1102" = "token-1102-abc"\n')
    assert p["branch.sites"] == {"1101": "token-1101-abc", "1102": "token-1102-abc"}
    shown = p.redacted()["branch.sites"]
    assert shown == {"1101": "<hidden>", "1102": "<hidden>"}  # the ids stay, the tokens never travel


@pytest.mark.parametrize("table, words", [
    ('"1101" = "short"', "8 to 200"),
    ('"1101" = "same-token-123"\n"1102" = "same-token-123"', "share a token"),
    ('"1101" = 5', "table of strings"),
    ('" 1101" = "token-1101-abc"', "without spaces"),
    ('"\\u200b" = "token-1101-abc"', "visible"),
])
def test_branch_sites_refused(tmp_path, table, words):
    from readiness.core.profile import ProfileError

    with pytest.raises(ProfileError) as refused:
        _branch_profile(tmp_path, f"[branch.sites]\n{table}\n")
    assert words in str(refused.value)


def test_upstream_token_is_hidden_and_the_effective_profile_round_trips(tmp_path):
    from readiness.core.profile import load_profile, to_toml
    from readiness.core.settings import CORE_SETTINGS

    p = _branch_profile(tmp_path, '[upstream]\nurl = "http://10.1.0.5:8765"\ntoken = "site-token-1101"\n'
                                  '[branch.sites]\n"1101" = "token-1101-abc"\n')
    assert p.redacted()["upstream.token"] == "<hidden>"
    again = tmp_path / "again.toml"
    again.write_text(to_toml(p, CORE_SETTINGS), encoding="utf-8")
    assert load_profile(again, CORE_SETTINGS).values == p.values


def test_a_refused_token_is_never_echoed(tmp_path):
    from readiness.core.profile import ProfileError

    with pytest.raises(ProfileError) as refused:
        _branch_profile(tmp_path, '[branch.sites]\n"1101" = "short"\n"1102" = "REAL-SECRET-TOKEN-1102"\n'
                                  '[upstream]\ntoken = "bad token!"\n')
    said = str(refused.value) + refused.value.reason.zh
    assert "REAL-SECRET" not in said and "bad token" not in said and "<hidden>" in said
