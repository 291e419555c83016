"""What `readiness serve` prints, on any console; and that the other commands stay light."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from readiness.core.i18n import Lang
from readiness.serve.launch import Keys, KeysClash, banner, base_urls, firewall_command, keys_for, qr_text
from readiness.site.store import Store


@pytest.mark.parametrize("encoding, cell", [("gbk", "█"), ("cp936", "█"), ("utf-8", "██"), ("ascii", "##"),
                                            ("cp437", "██")])
def test_the_qr_code_uses_characters_the_console_has(encoding, cell):
    text = qr_text("http://192.168.1.10:8765/phone?t=abc", encoding)
    text.encode(encoding)  # never a UnicodeEncodeError on that console
    if cell == "█":  # a GBK console draws it two columns wide, as wide as the two spaces of a dark module
        text, cell = text.replace("█", "@@"), "@@"
    rows = text.splitlines()
    assert len({len(r) for r in rows}) == 1 and rows[0] == cell * (len(rows[0]) // len(cell))  # quiet zone
    assert len(rows[0]) // 2 == len(rows)  # square: two columns and one row per module


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "ascii"])
def test_the_qr_code_decodes_to_the_phone_address(encoding):
    """The console's QR code, drawn as a phone's camera sees it (spaces are the dark modules on a
    dark console), read back by a real decoder (zxing-cpp): not segno asked again."""
    import zxingcpp
    from PIL import Image

    url = "http://192.168.1.10:8765/phone?t=abc"
    text = qr_text(url, encoding)
    if encoding == "gbk":  # there one █ is two columns wide, as wide as the two spaces of a dark module
        text = text.replace("█", "@@")
    rows = [r[::2] for r in text.splitlines()]  # two columns a module
    scale = 8
    image = Image.new("L", (len(rows[0]) * scale, len(rows) * scale), 255)
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            if ch == " ":
                image.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    found = zxingcpp.read_barcodes(image)
    assert [(r.format, r.text) for r in found] == [(zxingcpp.BarcodeFormat.QRCode, url)]


@pytest.mark.parametrize("lang, encoding", [(Lang.ZH, "gbk"), (Lang.EN, "ascii"), (Lang.ZH, "utf-8")])
def test_the_banner_names_addresses_keys_and_the_firewall(tmp_path, lang, encoding, make_profile):
    urls = base_urls("0.0.0.0", 8765, ["192.168.1.10", "10.0.0.2"])
    text = banner(make_profile(), urls, Keys("TOKEN1", "KEY1", "PHONE1"), 8765, lang, encoding, tmp_path)
    text.encode(encoding, "strict" if encoding != "ascii" else "replace")
    assert "http://192.168.1.10:8765/?key=KEY1" in text and "http://10.0.0.2:8765/?key=KEY1" in text
    assert 'token = "TOKEN1"' in text and "http://192.168.1.10:8765/phone?t=PHONE1" in text
    assert "phone?t=TOKEN1" not in text  # the PCs' token never in the phones' link
    assert firewall_command(8765) in text and "localport=8765" in text
    assert ("防火墙" in text) == (lang is Lang.ZH)


def test_addresses_for_one_host_or_every_one():
    assert base_urls("127.0.0.1", 80, ["192.168.1.10"]) == ["http://127.0.0.1:80"]
    assert base_urls("0.0.0.0", 80, []) == ["http://127.0.0.1:80"]


def test_keys_from_the_profile_or_the_data_folder(tmp_path, make_profile):
    store = Store(tmp_path)
    try:
        generated = keys_for(make_profile(), store)
        assert generated == keys_for(make_profile(), store)
        assert len({generated.token, generated.admin_key, generated.phone_token}) == 3
        given = keys_for(make_profile(server__token="t" * 20, server__admin_key="k" * 20,
                                      server__phone_token="p" * 20), store)
        assert (given.token, given.admin_key, given.phone_token) == ("t" * 20, "k" * 20, "p" * 20)
        assert keys_for(make_profile(server__token="t" * 20), store).phone_token == generated.phone_token
        for same in ({"server__token": "same-key", "server__admin_key": "same-key"},
                     {"server__token": "same-key", "server__phone_token": "same-key"},
                     {"server__admin_key": "same-key", "server__phone_token": "same-key"}):
            with pytest.raises(KeysClash, match="differ"):
                keys_for(make_profile(**same), store)
        with pytest.raises(KeysClash, match="server.phone_token"):
            keys_for(make_profile(server__phone_token="short"), store)
    finally:
        store.close()


@pytest.mark.parametrize("modules", ["readiness.cli", "readiness.cli, readiness.pc.submit, readiness.pc.agent"])
def test_check_does_not_load_the_server_stack(modules):
    code = (f"import sys, {modules}; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'segno', 'anyio', 'h11', 'readiness.serve.app') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_reports_carry_no_server_secrets(make_profile, loaded):
    from readiness.core.judging import judge_machine
    from tests.helpers import ready_facts

    profile = make_profile(server__token="tok-secret", server__admin_key="key-secret", server__url="http://10.0.0.1:8765")
    doc = judge_machine(ready_facts(), profile, loaded).to_dict()
    text = str(doc)
    assert "tok-secret" not in text and "key-secret" not in text and "http://10.0.0.1:8765" in text


@pytest.mark.parametrize("token, key", [
    ("考点提交令牌2026", "k" * 20),  # not ASCII: no HTTP header nor cookie can carry it as typed
    ("t" * 20, "my key with spaces"),
    ("t" * 20, 'k";Domain=x'),
    ("t" * 20, "short"),  # guessable at the rate limit within a preparation day
])
def test_unusable_keys_from_the_profile_stop_the_start_with_a_reason(tmp_path, token, key):
    from click.testing import CliRunner

    from readiness.cli import main

    profile = tmp_path / "site.toml"
    profile.write_text(f'[server]\ntoken = "{token}"\nadmin_key = "{key.replace(chr(34), chr(92) + chr(34))}"\n',
                       encoding="utf-8")
    r = CliRunner().invoke(main, ["serve", "--profile", str(profile), "--host", "127.0.0.1", "--port", "0",
                                  "--data", str(tmp_path / "d"), "--lang", "en"])
    assert r.exit_code == 2, r.output
    assert "letters, digits" in r.output and ("server.token" in r.output or "server.admin_key" in r.output)


def test_the_default_routes_address_leads_the_qr_and_the_profile_lines():
    from readiness.serve.launch import default_route_address, order_addresses

    found = ["172.17.0.1", "10.8.0.6", "192.168.1.10", "203.0.113.5", "192.168.1.9"]
    assert order_addresses(found, "192.168.1.10") == ["192.168.1.10", "10.8.0.6", "172.17.0.1", "192.168.1.9",
                                                      "203.0.113.5"]
    assert order_addresses(found, None)[0] == "10.8.0.6"  # numeric, not text order: 10 before 172 before 192
    assert order_addresses(["192.168.1.100", "192.168.1.9"], None) == ["192.168.1.9", "192.168.1.100"]
    got = default_route_address()  # this machine's own answer: an address, or None without a route
    assert got is None or got.count(".") == 3


@pytest.mark.parametrize("lang, said", [
    ("en", "error: server.token, server.admin_key and server.phone_token must all differ: each opens only its own "
           "doors"),
    ("zh", "错误：server.token、server.admin_key 与 server.phone_token 必须互不相同：各自只能用于各自的用途"),
])
def test_keys_that_clash_stop_the_start_in_the_language_asked(tmp_path, lang, said):
    prof = tmp_path / "site.toml"
    prof.write_text('[server]\ntoken = "same-key-for-both-doors"\nadmin_key = "same-key-for-both-doors"\n',
                    encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "readiness", "serve", "--profile", str(prof), "--data",
                          str(tmp_path / "data"), "--host", "127.0.0.1", "--port", "0", "--lang", lang],
                         capture_output=True, text=True, encoding="utf-8", timeout=60,
                         env=dict(os.environ, PYTHONIOENCODING="utf-8"))  # a pipe: else the system's code page (GBK, cp437)
    assert run.returncode == 2 and run.stdout.strip() == said, run.stdout + run.stderr
