"""The server on 127.0.0.1 with real HTTP clients: the contract of docs/schemas.md."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from readiness.site.aggregate.build import aggregate
from readiness.cli import main
from readiness.reports import site_csv, site_json
from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.server import KEY, PHONE_TOKEN, TOKEN, running

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path, profile):
    with running(tmp_path / "data", profile) as srv:
        yield srv


def post(srv, body: bytes, token: str = TOKEN, **kw):
    return requests.post(srv.url + "/api/reports", data=body, timeout=10,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, **kw)


def reports_folder(tmp_path: Path, hosts=("PC-01", "PC-02", "PC-03")) -> list[Path]:
    prof = site_profile(tmp_path)
    made = [make_report(tmp_path / "reports", h, prof, minutes=i) for i, h in enumerate(hosts)]
    made.append(make_report(tmp_path / "reports", "PC-04", prof, {"memory.installed_bytes": 2 * 2**30,
                                                                   "memory.usable_bytes": 2 * 2**30}, minutes=9))
    return made


def without(doc, keys=("generated_at",)):
    doc = {k: v for k, v in doc.items() if k not in keys}
    for s in doc.get("sites", []):
        for m in s.get("machines", []):
            m.pop("path")
    return doc


def test_submit_stores_once_and_the_site_is_aggregates(server, tmp_path):
    files = reports_folder(tmp_path)
    first = post(server, files[0].read_bytes())
    assert first.status_code == 201 and first.json()["stored"] == "new" and first.json()["hostname"] == "PC-01"
    again = post(server, files[0].read_bytes())
    assert again.status_code == 200 and again.json()["stored"] == "already" and again.json()["id"] == first.json()["id"]
    for f in files[1:]:
        assert post(server, f.read_bytes()).status_code == 201
    assert server.store.count_reports() == len(files)
    site = requests.get(server.url + "/api/site", headers=server.manager_headers(), timeout=10)
    assert site.status_code == 200
    expected = json.loads(site_json.render(aggregate([str(tmp_path / "reports")], workers=1)))
    assert without(site.json()) == without(expected)
    assert [m["path"] for m in site.json()["sites"][0]["machines"]] == ["#1", "#2", "#3", "#4"]


def test_the_reports_are_stored_verbatim(server, tmp_path):
    body = reports_folder(tmp_path)[3].read_bytes()
    rid = post(server, body).json()["id"]
    assert server.store.report(rid).body == body


def test_tokens_submit_only_adds_manager_key_for_the_rest(server, tmp_path):
    body = reports_folder(tmp_path)[0].read_bytes()
    assert post(server, body, token="wrong").status_code == 401
    assert requests.post(server.url + "/api/reports", data=body, timeout=10).status_code == 401
    for path in ("/api/site", "/api/state", "/api/phones", "/download/site.json", "/machine/1", "/qr/phone.svg"):
        assert requests.get(server.url + path, timeout=10).status_code == 401, path
        r = requests.get(server.url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert r.status_code == 401, path
    assert post(server, body, token=KEY).status_code == 201  # the manager may add too
    assert server.store.count_reports() == 1


def test_key_in_the_address_sets_the_cookie(server):
    s = requests.Session()
    wrong = s.get(server.url + "/?key=nope", timeout=10, allow_redirects=False)
    assert wrong.status_code == 401 and "readiness_key" not in s.cookies
    r = s.get(server.url + f"/?key={KEY}", timeout=10, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    page = s.get(server.url + "/", timeout=10)
    assert page.status_code == 200 and "/assets/dashboard.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert s.get(server.url + "/api/state", timeout=10).json()["sites"] == []


def test_oversized_bodies_are_refused(server):
    big = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    r = post(server, big)
    assert r.status_code == 413 and "MB" in r.json()["error"]

    def chunks():
        for _ in range(40):
            yield b" " * 65536  # 2.5 MB without a Content-Length

    try:
        r = post(server, chunks())
        assert r.status_code == 413
    except requests.ConnectionError:
        pass  # the server may close while the client is still sending: refused either way
    assert server.store.count_reports() == 0


@pytest.mark.parametrize("body, reason", [
    (b"not json", "not valid JSON"),
    (b"[1, 2]", "another shape"),
    (b'{"schema": "readiness.report/9", "results": []}',
     "this server reads readiness.report/1: update the site server (the version that wrote it or later)"),
    (b'{"schema": "readiness.report/2", "tool": {"version": "1.0.0"}, "results": []}',
     "this server reads readiness.report/1: update the site server (readiness 1.0.0 or later)"),
    (b'{"schema": "readiness.facts/1", "host": {}}', "facts snapshot"),
    (b'{"schema": "readiness.report/1", "results": []}', "no results"),
    (b"\xff\xfe\x00garbage", ""),
])
def test_rejected_reports_get_400_with_the_aggregate_reason(server, body, reason):
    r = post(server, body)
    assert r.status_code == 400
    assert reason.lower() in r.json()["error"].lower()
    assert server.store.count_reports() == 0


def test_rate_limit_per_client(tmp_path, profile):
    with running(tmp_path / "data", profile, rate_per_minute=10) as srv:
        codes = [requests.get(srv.url + "/api/clock", timeout=10).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429


def _raw(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_a_slow_client_cannot_hold_the_server(tmp_path, profile):
    with running(tmp_path / "data", profile, header_timeout_s=1.0, body_timeout_s=1.0) as srv:
        slow_head = _raw(srv.url)
        slow_head.sendall(b"GET /api/clock HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        slow_body = _raw(srv.url)
        slow_body.sendall(b"POST /api/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                          + b"\r\nContent-Length: 1000\r\n\r\n{\"sch")
        assert requests.get(srv.url + "/api/clock", timeout=5).status_code == 200  # others are served meanwhile
        slow_head.settimeout(10)
        started = time.monotonic()
        assert slow_head.recv(100) == b""  # closed by the server after the header timeout
        assert time.monotonic() - started < 9
        slow_body.settimeout(10)
        answer = slow_body.recv(1000)
        assert answer.startswith(b"HTTP/1.1 408")
        assert srv.store.count_reports() == 0
        idle = _raw(srv.url)  # a connection that never says anything is closed too
        idle.settimeout(10)
        assert idle.recv(10) == b""


def test_outbox_resent_when_the_server_comes_up(tmp_path, profile, monkeypatch):
    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    files = reports_folder(tmp_path)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://127.0.0.1:{port}"
    runner = CliRunner()
    down = runner.invoke(main, ["submit", str(files[0]), str(files[1]), "--server", url, "--token", TOKEN])
    assert down.exit_code == 3, down.output
    assert "outbox" in down.output
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 2
    again = runner.invoke(main, ["submit", str(files[0]), "--server", url, "--token", TOKEN])
    assert again.exit_code == 3 and len(list((tmp_path / "outbox").glob("*.json"))) == 2  # kept once
    with running(tmp_path / "data", profile, port=port) as srv:
        up = runner.invoke(main, ["check", "--facts", str(files[2]), "--output", str(tmp_path / "new.json"),
                                  "--server", url, "--token", TOKEN, "--lang", "en"])
        assert up.exit_code == 0, up.output
        assert srv.store.count_reports() == 3
        assert list((tmp_path / "outbox").glob("*.json")) == []
        sites = requests.get(url + "/api/site", headers=srv.manager_headers(), timeout=10).json()["sites"]
        hosts = sorted(m["hostname"] for s in sites for m in s["machines"])
        assert hosts == ["PC-01", "PC-02", "PC-03"]


def test_submit_from_a_stick_folder_and_zip(server, tmp_path, monkeypatch):
    import zipfile

    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    files = reports_folder(tmp_path)
    with zipfile.ZipFile(tmp_path / "stick.zip", "w") as zf:
        zf.write(files[3], "room2/PC-04.json")
    (tmp_path / "reports" / "notes.json").write_text("{broken", encoding="utf-8")
    r = CliRunner().invoke(main, ["submit", str(tmp_path / "reports"), str(tmp_path / "stick.zip"),
                                  "--server", server.url, "--token", TOKEN, "--lang", "en"])
    assert r.exit_code == 1, r.output  # notes.json refused, the rest delivered
    assert "refused" in r.output and "not valid JSON" in r.output
    assert server.store.count_reports() == 4


def test_a_wrong_token_is_a_refusal_naming_server_token_and_the_report_waits(server, tmp_path, monkeypatch):
    """Issue 28 item 2: a wrong token fails the same way at every run: said as a refusal naming the
    setting, exit 2 (a profile error), never "sent next time"; the path printed is the file's."""
    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    files = reports_folder(tmp_path)
    r = CliRunner().invoke(main, ["submit", str(files[0]), "--server", server.url, "--token", "wrong", "--lang", "en"])
    assert r.exit_code == 2, r.output
    assert "refused: the site server does not accept this submit token (401" in r.output
    assert "Correct server.token" in r.output and "next time" not in r.output
    (kept,) = (tmp_path / "outbox").glob("*.json")
    assert str(kept) in r.output
    checked = CliRunner().invoke(main, ["check", "--facts", str(ROOT / "examples" / "ready-pc.json"), "--output",
                                        str(tmp_path / "new.json"), "--server", server.url, "--token", "wrong",
                                        "--lang", "en"])
    assert checked.exit_code == 2, checked.output  # a ready PC, but server.token must be corrected
    assert f"{kept}: refused: the site server does not accept this submit token" in checked.output  # the outbox first
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 2 and server.store.count_reports() == 0
    r = CliRunner().invoke(main, ["submit", "--server", server.url, "--token", TOKEN])
    assert r.exit_code == 0 and server.store.count_reports() == 2


def test_a_server_that_is_not_running_is_said_in_words(tmp_path, monkeypatch):
    """Issue 28 item 3: not the exception's name."""
    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    files = reports_folder(tmp_path)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    r = CliRunner().invoke(main, ["submit", str(files[0]), "--server", url, "--token", TOKEN, "--lang", "en"])
    assert r.exit_code == 3, r.output
    assert "not sent (server unreachable: the connection was refused" in r.output and "ConnectionError" not in r.output
    (kept,) = (tmp_path / "outbox").glob("*.json")
    assert f"the report waits in the outbox: {kept} (`readiness submit`" in r.output


def test_submit_needs_a_server(tmp_path):
    r = CliRunner().invoke(main, ["check", "--facts", str(ROOT / "examples" / "ready-pc.json"), "--submit"])
    assert r.exit_code == 2 and "server.url" in r.output


def test_machine_text_is_escaped_in_the_machine_page(server, tmp_path):
    prof = site_profile(tmp_path)
    evil = '<img src=x onerror="alert(1)">'
    body = make_report(tmp_path / "r", evil, prof, name="evil.json").read_bytes()  # < > " not in Windows names
    rid = post(server, body).json()["id"]
    page = requests.get(server.url + f"/machine/{rid}", headers=server.manager_headers(), timeout=10)
    assert page.status_code == 200
    assert evil not in page.text and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text  # markupsafe: " is &#34;
    assert requests.get(server.url + "/machine/999", headers=server.manager_headers(), timeout=10).status_code == 404


def test_the_machine_page_says_its_times_in_the_sites_zone_not_the_pcs(server, tmp_path):
    """Issue 28 items 10 and 11: the seat page showed raw ISO times, twice. A PC set to UTC wrote
    01:00Z: the site (the exam's zone, +08:00) reads 09:00, its zone said, once."""
    prof = site_profile(tmp_path)
    path = make_report(tmp_path / "r", "PC-UTC", prof)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["checked_at"] = "2026-11-24T01:00:00+00:00"
    rid = post(server, json.dumps(doc).encode()).json()["id"]
    for lang, checked in (("en", "Checked"), ("zh", "检查时间")):
        page = requests.get(server.url + f"/machine/{rid}?lang={lang}", headers=server.manager_headers(), timeout=10).text
        meta = page[page.index('<p class="meta">'):]
        meta = meta[:meta.index("</p>")]
        assert f"{checked} 2026-11-24 09:00 UTC+08:00" in meta and "T01:00" not in meta and "+00:00" not in meta
        assert meta.count("UTC+08:00") == 2  # checked, then received (today: a different minute)


def test_two_hosts_with_one_machine_id_are_flagged_not_merged(server, tmp_path):
    prof = site_profile(tmp_path)
    for i, host in enumerate(("CLONE-A", "CLONE-B")):
        body = make_report(tmp_path / "r", host, prof, {"host.machine_id": "same-guid"}, minutes=i).read_bytes()
        assert post(server, body).status_code == 201
    site = requests.get(server.url + "/api/site", headers=server.manager_headers(), timeout=10).json()["sites"][0]
    assert sorted(m["hostname"] for m in site["machines"]) == ["CLONE-A", "CLONE-B"]
    assert any("same-guid" in f["message"]["en"] and f["status"] == "warn" for f in site["findings"])
    state = requests.get(server.url + "/api/state", headers=server.manager_headers(), timeout=10).json()
    assert [s["clone"] for s in state["sites"][0]["seats"]] == [True, True]


def test_downloads_are_aggregates_outputs(server, tmp_path):
    import openpyxl

    files = reports_folder(tmp_path)
    for f in files:
        post(server, f.read_bytes())
    agg = aggregate([str(tmp_path / "reports")], workers=1)
    h = server.manager_headers()
    got = requests.get(server.url + "/download/site.csv?lang=en", headers=h, timeout=10)
    assert got.headers["content-disposition"].startswith("attachment; filename=\"readiness-site-")
    assert got.content.startswith(b"\xef\xbb\xbf")
    ours = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    theirs = list(csv.reader(io.StringIO(site_csv.render(agg))))
    path_col = theirs[0].index("report")
    assert [r[:path_col] + r[path_col + 1:] for r in ours] == [r[:path_col] + r[path_col + 1:] for r in theirs]
    zh = requests.get(server.url + "/download/site.csv?lang=zh", headers=h, timeout=10).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(zh))) != ours  # the manager's language: the problems named as the page names them
    assert [r[:path_col] + r[path_col + 1:] for r in csv.reader(io.StringIO(zh))] == \
        [r[:path_col] + r[path_col + 1:] for r in csv.reader(io.StringIO(site_csv.render(agg, "zh")))]
    js = requests.get(server.url + "/download/site.json", headers=h, timeout=10).json()
    assert js["rehearsals"] == []  # the server's export adds the site's rehearsal rounds (none yet)
    assert js["rehearsal"] is None and js["exam"]["next_start"] is None  # its timeline (none in this profile)
    assert without(js, ("generated_at", "rehearsals", "rehearsal", "exam")) == without(json.loads(site_json.render(agg)))
    xlsx = requests.get(server.url + "/download/site.xlsx", headers=h, timeout=10)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) >= 1
    html = requests.get(server.url + "/download/site.html", headers=h, timeout=10)
    assert html.status_code == 200 and all(f"PC-0{i}" in html.text for i in range(1, 5))
    exe = requests.get(server.url + "/download/site.exe?lang=en", headers=h, timeout=10)
    assert exe.status_code == 404 and "text, html, csv, xlsx, json" in exe.text  # the format table's names
    text = requests.get(server.url + "/download/site.text?lang=en", headers=h, timeout=10)
    assert text.headers["content-type"].startswith("text/plain") and "Site 1101" in text.text and "NOT READY" in text.text


def test_rejudging_server_matches_aggregate_with_the_profile(tmp_path, profile):
    files = reports_folder(tmp_path)
    prof = site_profile(tmp_path, seats=6)
    with running(tmp_path / "data", profile, profile_path=str(prof)) as srv:
        for f in files:
            assert post(srv, f.read_bytes()).status_code == 201
        got = requests.get(srv.url + "/api/site", headers=srv.manager_headers(), timeout=10).json()
    expected = json.loads(site_json.render(aggregate([str(tmp_path / "reports")], str(prof), workers=1)))
    assert got["mode"] == "rejudged" and got["sites"][0]["missing"] == 2
    assert without(got, ("generated_at", "profile")) == without(expected, ("generated_at", "profile"))


def test_reports_survive_a_restart(tmp_path, profile):
    files = reports_folder(tmp_path)
    with running(tmp_path / "data", profile) as srv:
        for f in files:
            post(srv, f.read_bytes())
    with running(tmp_path / "data", profile) as srv:
        site = requests.get(srv.url + "/api/site", headers=srv.manager_headers(), timeout=10).json()
        assert site["sites"][0]["reports"] == 4


def test_phones_api(server):
    android = {"schema": "readiness.phone/1", "user_agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
               "(KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
               "ua_ch": {"platform": "Android", "platformVersion": "13.0.0", "model": "Pixel 7", "mobile": True,
                         "formFactors": ["Mobile"]},
               "device_memory": 8, "screen": {"width": 412, "height": 915}, "max_touch_points": 5,
               "app_version": "2.4.5", "name": "王老师", "room": "101"}
    r = requests.post(server.url + "/api/phones", json=android, headers=server.phone_headers(), timeout=10)
    assert r.status_code == 201 and r.json()["status"] == "pass", r.json()
    bad = requests.post(server.url + "/api/phones", json={"schema": "x"}, headers=server.phone_headers(), timeout=10)
    assert bad.status_code == 400 and "schema" in bad.json()["error"]
    assert requests.get(server.url + "/api/phones", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).status_code == 401
    listed = requests.get(server.url + "/api/phones", headers=server.manager_headers(), timeout=10).json()["phones"]
    assert [(p["name"], p["room"], p["status"]) for p in listed] == [("王老师", "101", "pass")]
    page = requests.get(server.url + f"/phone?t={PHONE_TOKEN}", timeout=10)
    assert page.status_code == 200 and "/assets/phone.js" in page.text


def test_a_full_disk_is_503_and_the_pc_keeps_the_report(server, tmp_path, monkeypatch):
    import sqlite3

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(server.store, "add_report", full)
    monkeypatch.setenv("READINESS_OUTBOX", str(tmp_path / "outbox"))
    files = reports_folder(tmp_path)
    r = CliRunner().invoke(main, ["submit", str(files[0]), "--server", server.url, "--token", TOKEN])
    assert r.exit_code == 3 and "503" in r.output
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 1


def test_serve_says_when_the_port_is_taken(tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        r = CliRunner().invoke(main, ["serve", "--host", "127.0.0.1", "--port", str(taken.getsockname()[1]),
                                      "--data", str(tmp_path / "d"), "--lang", "en"])
    finally:
        taken.close()
    assert r.exit_code == 2 and "cannot listen" in r.output


def test_pages_in_chinese_or_english(server):
    s = requests.Session()
    s.get(server.url + f"/?key={KEY}", timeout=10)
    assert '<html lang="zh">' in s.get(server.url + "/", timeout=10).text  # Chinese unless asked
    en = s.get(server.url + "/?lang=en", timeout=10)
    assert '<html lang="en">' in en.text and "site dashboard" in en.text
    assert '<html lang="en">' in s.get(server.url + "/", timeout=10).text  # remembered
    login = requests.get(server.url + "/", headers={"Accept-Language": "en-US,en;q=0.9"}, timeout=10)
    assert login.status_code == 401 and "printed when the server started" in login.text
    assert "请输入管理员密钥" in requests.get(server.url + "/", timeout=10).text
    phone = requests.get(server.url + f"/phone?t={PHONE_TOKEN}&lang=en", timeout=10).text
    assert "About page" in phone


def test_a_check_that_passed_and_fails_again_is_named_on_the_seat(server, tmp_path):
    """Three submissions of one PC (fail, pass after a fix, fail after a restart) and another PC:
    /api/state names the reverted check on that seat only, with the words the dashboard shows."""
    prof = site_profile(tmp_path, seats=2)
    folder = tmp_path / "reports"
    no_font = {"fonts.msyh": []}
    runs = [make_report(folder, "PC-01", prof, no_font, minutes=0, name="1.json"),
            make_report(folder, "PC-01", prof, {}, minutes=60, name="2.json"),
            make_report(folder, "PC-01", prof, no_font, minutes=24 * 60, name="3.json"),
            make_report(folder, "PC-02", prof, no_font, minutes=0, name="4.json")]
    for f in runs:
        assert post(server, f.read_bytes()).status_code == 201
    state = requests.get(server.url + "/api/state", headers=server.manager_headers(), timeout=10).json()
    seats = {s["hostname"]: s for s in state["sites"][0]["seats"]}
    assert seats["PC-01"]["reverted"] == ["font-msyh"] and seats["PC-02"]["reverted"] == []
    (said,) = state["sites"][0]["reverted"]
    assert said["hostname"] == "PC-01" and "MSYH font passed on 2026-11-24 10:00 UTC+08:00 and fails now" in said["text"]["en"]
    assert "曾通过" in said["text"]["zh"]
    site = requests.get(server.url + "/api/site", headers=server.manager_headers(), timeout=10).json()
    machines = {m["hostname"]: m for m in site["sites"][0]["machines"]}
    assert machines["PC-01"]["reverted"] == ["font-msyh"]


def test_pcs_behind_the_managers_address_never_starve_the_dashboard(tmp_path, profile):
    """The PCs' budget is spent (429), yet the manager's requests from the same address go through:
    they count in a bucket of their own (a wrong key does not)."""
    with running(tmp_path / "data", profile, rate_per_minute=10) as srv:
        spent = [requests.get(srv.url + "/api/clock", timeout=10).status_code for _ in range(12)]
        assert spent[-1] == 429
        manager = [requests.get(srv.url + "/api/state", headers=srv.manager_headers(), timeout=10).status_code
                   for _ in range(5)]
        forged = requests.get(srv.url + "/api/state", headers={"Authorization": "Bearer not-the-key"}, timeout=10)
    assert manager == [200] * 5 and forged.status_code == 429


def test_the_language_chosen_with_the_key_outlives_the_redirect(tmp_path, profile):
    from tests.serve.server import KEY

    with running(tmp_path / "data", profile) as srv:
        s = requests.Session()
        first = s.get(srv.url + f"/?key={KEY}&lang=en", timeout=10, allow_redirects=False)
        assert first.status_code == 303 and first.cookies.get("lang") == "en"
        page = s.get(srv.url + "/", timeout=10, headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200 and '<html lang="en"' in page.text
        zh = requests.Session().get(srv.url + f"/?key={KEY}&lang=zh", timeout=10)  # the login form sends lang too
        assert '<html lang="zh' in zh.text


def test_a_stale_machine_can_be_hidden_logged_and_shown_again(tmp_path, profile):
    """A PC re-imaged under a new machine id shows twice and its stale fail keeps the site NOT READY:
    the manager hides the stale one (logged with time and address), and can show it again."""
    prof = site_profile(tmp_path, seats=1)
    stale = make_report(tmp_path / "r", "PC-01", prof, {"fonts.msyh": [], "host.machine_id": "old-image"}, name="a.json")
    fresh = make_report(tmp_path / "r", "PC-01", prof, {"host.machine_id": "new-image"}, minutes=60, name="b.json")
    with running(tmp_path / "data", profile) as srv:
        for f in (stale, fresh):
            assert post(srv, f.read_bytes()).status_code == 201
        h = dict(srv.manager_headers(), **{"Content-Type": "application/json"})

        def state():
            return requests.get(srv.url + "/api/state", headers=srv.manager_headers(), timeout=10).json()

        assert state()["status"] == "fail" and len(state()["sites"][0]["seats"]) == 2
        body = json.dumps({"machine_id": "old-image", "hostname": "pc-01"})
        assert requests.post(srv.url + "/api/machines/hide", data=body, headers=h, timeout=10).status_code == 200
        after = state()
        assert after["status"] == "pass" and [s["machine_id"] for s in after["sites"][0]["seats"]] == ["new-image"]
        assert [(x["machine_id"], x["hostname"]) for x in after["hidden"]] == [("old-image", "PC-01")]
        site = requests.get(srv.url + "/api/site", headers=srv.manager_headers(), timeout=10).json()
        assert site["status"] == "pass"  # the downloads agree with the dashboard
        assert requests.post(srv.url + "/api/machines/show", data=body, headers=h, timeout=10).status_code == 200
        assert state()["status"] == "fail" and state()["hidden"] == []
        log = srv.store._db.execute("SELECT action, machine_id, client FROM hidden_log ORDER BY id").fetchall()
        assert log == [("hide", "old-image", "127.0.0.1"), ("show", "old-image", "127.0.0.1")]
        # the PCs' token, a cookie without the page's header, nonsense: refused, nothing logged
        assert requests.post(srv.url + "/api/machines/hide", data=body, timeout=10,
                             headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
        assert requests.post(srv.url + "/api/machines/bury", data=body, headers=h, timeout=10).status_code == 404
        assert requests.post(srv.url + "/api/machines/hide", data=b"[]", headers=h, timeout=10).status_code == 400
        invisible = json.dumps({"machine_id": "x", "hostname": "\u202e\x00"})  # nothing a dashboard shows
        assert requests.post(srv.url + "/api/machines/hide", data=invisible, headers=h, timeout=10).status_code == 400
        assert len(srv.store._db.execute("SELECT id FROM hidden_log").fetchall()) == 2


def test_hidden_machines_stay_hidden_after_a_restart(tmp_path, profile):
    prof = site_profile(tmp_path, seats=1)
    report = make_report(tmp_path / "r", "PC-09", prof, {"fonts.msyh": []})
    body = json.dumps({"machine_id": "id-PC-09", "hostname": "PC-09"})
    with running(tmp_path / "data", profile) as srv:
        post(srv, report.read_bytes())
        requests.post(srv.url + "/api/machines/hide", data=body, timeout=10,
                      headers=dict(srv.manager_headers(), **{"Content-Type": "application/json"})).raise_for_status()
    with running(tmp_path / "data", profile) as srv:
        state = requests.get(srv.url + "/api/state", headers=srv.manager_headers(), timeout=10).json()
    assert state["sites"] == [] and [h["hostname"] for h in state["hidden"]] == ["PC-09"]
