import os
import re

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


# --- the profile step: a file a person completes by pasting (issue 28 items 1 and 7) -------------

def _settings():
    from readiness.core.plugin import load_checks
    from readiness.core.settings import CORE_SETTINGS

    return CORE_SETTINGS + load_checks(reserved_keys=(s.key for s in CORE_SETTINGS)).settings


def _load(tmp_path, text):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path, _settings())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_profile_then_pasted_sections_load(tmp_path, lang):
    """`readiness profile > site.toml`, then the [server] lines `serve` prints and the README's
    [upstream] and [exam] blocks pasted at the end: one declaration each, no TOML error."""
    settings = _settings()
    text = to_toml(load_profile(None, settings), settings, lang)
    assert "\n[server]" not in text and "\n# [server]" in text
    text += ('\n[server]\nurl = "http://192.168.1.10:8765"\ntoken = "a-long-submit-token-0123456789"\n'
             '\n[upstream]\nurl = "http://10.1.0.5:8765"\ntoken = "site-1101-token-0123456789"\n'
             '\n[exam]\nstarts_at = ["2026-12-05T08:30:00+08:00"]\n\n[site]\nid = "1101"\nseats = 40\n')
    profile = _load(tmp_path, text)
    assert profile["server.url"] == "http://192.168.1.10:8765" and profile["site.seats"] == 40
    assert profile["upstream.url"] == "http://10.1.0.5:8765" and profile["bandwidth.streams"] == 4


def test_a_section_that_holds_a_setting_stays_live_and_round_trips(tmp_path):
    settings = _settings()
    p = _load(tmp_path, '[site]\nid = "1101"\nseats = 40\n')
    text = to_toml(p, settings)
    assert "\n[site]\n" in text and '\nid = "1101"' in text and "\n# [bandwidth]" in text
    again = tmp_path / "again.toml"
    again.write_text(text, encoding="utf-8")
    assert load_profile(again, settings).values == p.values


def test_a_section_declared_twice_says_where_the_first_is(tmp_path):
    text = '[site]\nid = "1101"\n\n[server]\nurl = "http://a:8765"\n\n[exam]\n\n[server]\nurl = "http://b:8765"\ntoken = "t"\n'
    with pytest.raises(ProfileError) as caught:
        _load(tmp_path, text)
    reason = caught.value.reason
    assert "line 9: [server] is already at line 4: put url and token there" in reason.en
    assert "第 9 行：[server] 已在第 4 行出现：请把 url和token 写到那一节里" in reason.zh
    assert "Cannot declare" not in reason.en + reason.zh


@pytest.mark.parametrize("text,zh", [
    ('[site]\nid = "1101"\nseats = 40 x\n', "第 3 行第 12 列：一行只能写一个键值"),
    ('[site]\nid = 1101abc\n', "第 2 行第 10 列"),
    ('[site\nid = "1101"\n', "第 1 行"),
    ('[site]\nname = "未结束\n', "字符串缺少结尾的引号"),
])
def test_a_toml_syntax_error_in_chinese_carries_no_parser_english(tmp_path, text, zh):
    with pytest.raises(ProfileError) as caught:
        _load(tmp_path, text)
    said = caught.value.reason.zh.split("：", 1)[1]  # after the file's path
    assert zh in said and not re.search(r"[A-Za-z]{3,}", said.replace("TOML", "")), said
    assert "not valid TOML" in caught.value.reason.en and "line" in caught.value.reason.en


def test_an_unknown_section_suggests_the_near_one(tmp_path):
    with pytest.raises(ProfileError) as caught:
        _load(tmp_path, '[sites]\nid = "1101"\nseats = 40\n')
    assert "there is no section [sites]: did you mean [site]?" in caught.value.reason.en
    assert "是指 [site] 吗" in caught.value.reason.zh
    assert caught.value.keys == ("sites.id", "sites.seats")
    with pytest.raises(ProfileError) as caught:  # a key of a known section keeps its own hint
        _load(tmp_path, '[site]\nseat = 40\n')
    assert "known keys here" in caught.value.reason.en and "did you mean" not in caught.value.reason.en


@pytest.mark.parametrize("key,example", [
    ("server", "http://192.168.1.10:8765"), ("upstream", "https://branch.example:8765"),
    ("bandwidth", "http://192.168.1.10/exam.bin"),
])
def test_a_url_without_its_scheme_shows_an_example_of_its_own_kind(tmp_path, key, example):
    with pytest.raises(ProfileError) as caught:
        _load(tmp_path, f'[{key}]\nurl = "192.168.1.10:8765"\n')
    assert f"e.g. {example})" in caught.value.reason.en and f"例如 {example}）" in caught.value.reason.zh


def test_a_key_uncommented_without_its_section_says_where_it_belongs(tmp_path):
    settings = _settings()
    text = to_toml(load_profile(None, settings), settings).replace("# seats = 50", "seats = 40")
    with pytest.raises(ProfileError) as caught:
        _load(tmp_path, text)
    assert "seats: unknown key (outside any section: it belongs under [site]" in caught.value.reason.en
    assert "它属于 [site]" in caught.value.reason.zh and caught.value.keys == ("seats",)
    assert caught.value.lines and caught.value.lines[0][0] == "seats"
