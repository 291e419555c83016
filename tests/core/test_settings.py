"""The declarations themselves: one declaration that serves two sections must read, default and
refuse exactly as the two it replaced did (the words below are those of the two copies before)."""

from __future__ import annotations

import pytest

from readiness.core.profile import ProfileError, build_profile, to_toml
from readiness.core.settings import CORE_SETTINGS, TRUST_PEERS

DECLARED = {s.key: s for s in CORE_SETTINGS}

HELP = {
    "server.fingerprint": (
        "The site server's certificate, pinned: \"sha256:...\" as `readiness serve` prints it (no CA or host "
        "name check then).",
        "固定考点服务器证书：`readiness serve` 显示的 \"sha256:…\"（此时不再核对 CA 和主机名）。"),
    "upstream.fingerprint": (
        "The branch server's certificate, pinned: \"sha256:...\" as its `readiness serve` prints it (no CA or "
        "host name check then).",
        "固定分部服务器证书：其 `readiness serve` 显示的 \"sha256:…\"（此时不再核对 CA 和主机名）。"),
    "server.ca_file": (
        "A private CA (PEM) that issued the site server's certificate (the host name is checked); a relative "
        "path is beside the profile.",
        "签发考点服务器证书的私有 CA（PEM，核对主机名）；相对路径相对于配置文件所在目录。"),
    "upstream.ca_file": (
        "A private CA (PEM) that issued the branch server's certificate (the host name is checked); a relative "
        "path is beside the profile.",
        "签发分部服务器证书的私有 CA（PEM，核对主机名）；相对路径相对于配置文件所在目录。"),
    "server.allow_plain_http": (
        "Allow an http:// server.url beyond the LAN (a closed network only: the token travels in clear).",
        "允许 server.url 为局域网以外的 http:// 地址（仅限封闭网络：令牌以明文传输）。"),
    "upstream.allow_plain_http": (
        "Allow an http:// upstream.url beyond the LAN (a closed network only: the token travels in clear).",
        "允许 upstream.url 为局域网以外的 http:// 地址（仅限封闭网络：令牌以明文传输）。"),
}


@pytest.mark.parametrize("key", sorted(HELP))
def test_each_trust_setting_keeps_its_help_kind_and_default(key):
    setting = DECLARED[key]
    assert (setting.help.en, setting.help.zh) == HELP[key]
    name = key.rpartition(".")[2]
    assert (setting.kind, setting.default) == (("bool", False) if name == "allow_plain_http" else ("optional_str", None))


def test_each_section_declares_the_trust_settings_once_and_in_its_place():
    keys = [s.key for s in CORE_SETTINGS]
    for section in TRUST_PEERS:
        trio = [f"{section}.{n}" for n in ("fingerprint", "ca_file", "allow_plain_http")]
        assert all(keys.count(k) == 1 for k in trio)
        at = keys.index(trio[0])
        assert keys[at:at + 3] == trio  # together, as the profile file lists them


FINGERPRINT_EN = ("'sha1:abc' is not a SHA-256 fingerprint: \"sha256:\" and 64 hex digits (colons allowed), as "
                  "`readiness serve` prints it, got \"sha1:abc\"")
FINGERPRINT_ZH = ("'sha1:abc' 不是 SHA-256 指纹：应为 \"sha256:\" 加 64 位十六进制数（可含冒号），即 `readiness serve` "
                  "显示的那一行，实际为 \"sha1:abc\"")


@pytest.mark.parametrize("section", ["server", "upstream"])
@pytest.mark.parametrize("name,value,en,zh", [
    ("fingerprint", "sha1:abc", FINGERPRINT_EN, FINGERPRINT_ZH),
    ("fingerprint", 3, "expected a string, got 3", "应为字符串，实际为 3"),
    ("ca_file", True, "expected a string, got true", "应为字符串，实际为 true"),
    ("allow_plain_http", "yes", "expected true or false, got \"yes\"", "应为 true 或 false，实际为 \"yes\""),
])
def test_both_sections_refuse_a_bad_trust_value_in_the_same_words(section, name, value, en, zh):
    with pytest.raises(ProfileError) as err:
        build_profile({section: {name: value}}, CORE_SETTINGS, source="site.toml")
    assert err.value.reason.en == f"site.toml: {section}.{name}: {en}"
    assert err.value.reason.zh == f"site.toml：{section}.{name}：{zh}"
    assert err.value.keys == (f"{section}.{name}",)


@pytest.mark.parametrize("section", ["server", "upstream"])
def test_a_good_pin_is_stored_and_the_profile_file_shows_the_help(section):
    pin = "sha256:" + "ab" * 32
    profile = build_profile({section: {"fingerprint": pin, "allow_plain_http": True}}, CORE_SETTINGS)
    assert profile[f"{section}.fingerprint"] == pin and profile[f"{section}.allow_plain_http"] is True
    assert profile[f"{section}.ca_file"] is None
    for lang, pick in (("en", 0), ("zh", 1)):
        text = to_toml(profile, CORE_SETTINGS, lang)
        assert f"# {HELP[f'{section}.fingerprint'][pick]}\nfingerprint = \"{pin}\"" in text
        assert f"# {HELP[f'{section}.allow_plain_http'][pick]}\nallow_plain_http = true" in text
