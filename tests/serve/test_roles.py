"""A server is what its profile makes it (Profile.is_site, Profile.is_branch): a site, a branch, or
both. It starts, prints and opens as that: a branch only prints no PCs' [server] block, submit token
or QR code, its home and its printed link lead to the branch dashboard, its login page says which
dashboard the key opens, and a site's addresses answer a 404 that says it is a branch; a site and
branch at once prints both, each under its heading. The CLI as a process (exit codes after Ctrl+C),
the addresses on a real server on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

from readiness.core.profile import build_profile, load_profile
from readiness.core.settings import CORE_SETTINGS
from tests.serve.server import KEY, TOKEN, PHONE_TOKEN, running

SITES = {"1101": "a-long-random-token-for-1101", "1102": "another-token-for-1102"}
SERVER = f'[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\nphone_token = "{PHONE_TOKEN}"\n\n'
BRANCH = ('[branch]\nid = "11"\nname = "北区分部"\n\n[branch.sites]\n'
          + "".join(f'"{k}" = "{v}"\n' for k, v in SITES.items()) + "\n")
PROFILES = {
    "site": SERVER + '[site]\nid = "1101"\nname = "朝阳考点"\nseats = 4\n',
    "branch": SERVER + BRANCH,
    "both": SERVER + '[site]\nid = "1101"\nname = "朝阳考点"\n\n' + BRANCH,
    # a site's section copied into a branch's profile, its id not among the branch's sites: a branch only, said so
    "half": SERVER + '[site]\nid = "1199"\nseats = 40\npublic_ips = ["203.0.113.7"]\n\n' + BRANCH,
}
QR = ("█", "##")  # the console's QR code, in either alphabet


def profile_of(role: str, folder: Path):
    """The profile as `serve --profile` reads it."""
    path = folder / f"{role}.toml"
    path.write_text(PROFILES[role], encoding="utf-8")
    return load_profile(path, CORE_SETTINGS)


# -- what `serve` prints ------------------------------------------------------------------------

def serve_output(tmp_path: Path, role: str, lang: str, text: str | None = None) -> tuple[str, int]:
    """`readiness serve` as a process: its start-up text up to the Ctrl+C line, then Ctrl+C (SIGINT)
    once it serves, and what it printed after; (everything printed, the exit code). A server that
    does not stop within a minute is killed (the test then fails on its exit code)."""
    import threading

    profile = tmp_path / f"{role}.toml"
    profile.write_text(PROFILES[role] if text is None else text, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "serve", "--profile", str(profile), "--data",
                             str(tmp_path / f"data-{role}"), "--host", "127.0.0.1", "--port", "0", "--lang", lang],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            env=dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8"))
    assert proc.stdout is not None
    lines: list[str] = []
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:  # to the end: what it prints after the start-up text too (its warnings)
            lines.append(line)
            if "Ctrl+C" in line:  # the start-up text's last line, in either language
                ready(url_in("".join(lines)))  # Ctrl+C once the server serves (before, it stops the start: exit 130)
                proc.send_signal(signal.SIGINT)
        proc.wait(30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    return "".join(lines), proc.returncode


def ready(url: str) -> None:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/assets/style.css", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} does not answer")


def started(tmp_path: Path, role: str, lang: str, text: str | None = None) -> tuple[str, str, list[str]]:
    """What `serve` printed for that role and language (it stopped cleanly on Ctrl+C: exit 0), the
    address it serves and the printed lines."""
    out, code = serve_output(tmp_path, role, lang, text)
    assert code == 0, out
    return out, url_in(out), out.splitlines()


def url_in(out: str) -> str:
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", out)
    assert found, out
    return found.group(1)


posix_only = pytest.mark.skipif(os.name != "posix", reason="Ctrl+C sent as SIGINT (a console's Ctrl+C on Windows)")


@posix_only
@pytest.mark.parametrize("role", ["branch", "half"])
def test_a_branch_only_prints_as_a_branch(tmp_path, role):
    out, url, lines = started(tmp_path, role, "en")
    assert lines[0] == "exam-readiness branch server is running.", out
    assert "Branch 11 (北区分部): 2 sites expected: 1101, 1102" in lines
    assert f"  {url}/branch?key={KEY}" in lines  # straight to the branch dashboard
    at = lines.index("  [upstream]")  # what each site pastes: the address it pushes to and its own token
    assert lines[at + 1] == f'  url = "{url}"'
    assert lines[at + 2].startswith('  token = "…"  # its own token, from [branch.sites] in ') \
        and lines[at + 2].endswith(f"{role}.toml")
    assert f"Manager's key: {KEY}" in lines
    assert "If the sites cannot connect, open the port in Windows Firewall (administrator command prompt):" in lines
    assert lines[-1 if role == "branch" else -2] == ("Stop the server with Ctrl+C; the sites' documents are kept in "
                                                     "the data folder."), out
    said = out.split("\nwarning: ")[0]
    for site_only in ("site server", "[server]", "Submit token", TOKEN, PHONE_TOKEN, "/phone", "Invigilators",
                      f"{url}/?key=", "PCs", "Site dashboard", *QR):
        assert site_only not in said, site_only
    if role == "half":  # the [site] that makes it no site is named, with both ways out
        assert lines[-1].startswith("warning: [site] id 1199 is not in [branch.sites]: this server is a branch only")
        assert 'list "1199" in [branch.sites] with a token of its own' in lines[-1]
    else:
        assert "warning" not in out


@posix_only
def test_a_branch_only_prints_as_a_branch_in_chinese(tmp_path):
    out, url, lines = started(tmp_path, "branch", "zh")
    assert lines[0] == "exam-readiness 分部服务器已启动。", out
    assert "分部 11（北区分部）：应上报 2 个考点：1101、1102" in lines
    assert "分部看板（管理员专用，请勿外传）：" in lines and f"  {url}/branch?key={KEY}" in lines
    assert "各考点服务器所用的配置文件中填写：" in lines and "  [upstream]" in lines
    assert "如各考点无法连接，请在 Windows 防火墙中开放端口（以管理员身份运行命令提示符）：" in lines
    assert f"管理员密钥：{KEY}" in lines and lines[-1] == "按 Ctrl+C 停止服务器；各考点的上报保存在数据目录中。"
    for site_only in ("考点服务器已启动", "考点看板", "考试机", "提交令牌", "手机令牌", "监考", "[server]", TOKEN, "/phone", *QR):
        assert site_only not in out, site_only
    words = [ln for ln in lines if not ln.startswith("  netsh ")]  # the command is the command
    assert not [ln for ln in words if re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", ln)], out  # no English sentence


@posix_only
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_site_only_prints_as_a_site(tmp_path, lang):
    out, url, lines = started(tmp_path, "site", lang)
    assert lines[0] == ("exam-readiness site server is running." if lang == "en" else "exam-readiness 考点服务器已启动。")
    at = lines.index("Site dashboard (manager, keep this link to yourself):" if lang == "en" else "考点看板（管理员专用，请勿外传）：")
    assert lines[at + 1] == f"  {url}/?key={KEY}"  # the link named for the dashboard it opens
    at = lines.index("  [server]")
    assert lines[at + 1:at + 3] == [f'  url = "{url}"', f'  token = "{TOKEN}"']
    assert f"{'Submit token: ' if lang == 'en' else '提交令牌：'}{TOKEN}" in lines
    assert f"  {url}/phone?t={PHONE_TOKEN}" in lines and any(q in out for q in QR)
    for branch_only in ("/branch", "[upstream]", "Branch", "分部", "==", "site and branch", "sites cannot"):
        assert branch_only not in out, branch_only


@posix_only
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_site_and_branch_prints_both_each_under_its_heading(tmp_path, lang):
    out, url, lines = started(tmp_path, "both", lang)
    en = lang == "en"
    headings = (["== The site: its PCs and phones ==", "== The branch: its sites ==", "== This server =="] if en
                else ["== 考点：考试机与手机 ==", "== 分部：各考点 ==", "== 本服务器 =="])
    assert lines[0] == ("exam-readiness site and branch server is running." if en
                        else "exam-readiness 考点兼分部服务器已启动。")
    order = [lines.index(h) for h in headings[:1]] + [lines.index(f"  {url}/?key={KEY}"), lines.index("  [server]"),
                                                      lines.index(headings[1]), lines.index(f"  {url}/branch?key={KEY}"),
                                                      lines.index("  [upstream]"), lines.index(headings[2])]
    assert order == sorted(order), out  # the site's lines, then the branch's, then the server's own
    phone = lines.index(f"  {url}/phone?t={PHONE_TOKEN}")
    assert order[0] < phone < order[3]  # the QR code is the site's
    assert (f"Manager's key: {KEY}" if en else f"管理员密钥：{KEY}") in lines[order[-1]:]
    assert ("If the PCs or the sites cannot connect" if en else "如考试机或各考点无法连接") in out


@posix_only
def test_the_readme_shows_what_a_branch_prints(tmp_path):
    """README "For branches": the branch's start-up text as a run of its own branch.toml prints it,
    line for line (the address, the generated key, the data folder and the port aside)."""
    from tests.helpers import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## For branches", 1)[1].split("\n## ", 1)[0]
    profile = section.split("```toml", 1)[1].split("```", 1)[0]
    shown = next(b for b in section.split("```")[1::2] if b.lstrip().startswith("exam-readiness branch server"))
    out, _url, lines = started(tmp_path, "branch", "en", textwrap.dedent(profile))
    key = next(ln.split(": ", 1)[1] for ln in lines if ln.startswith("Manager's key: "))
    readme = textwrap.dedent(shown).strip().splitlines()
    readme_key = next(ln.split(": ", 1)[1] for ln in readme if ln.startswith("Manager's key: "))
    ran = re.sub(r"http://127\.0\.0\.1:\d+", "http://192.168.1.10:8765", out)
    ran = re.sub(r'(name="exam-readiness )\d+(" dir=in action=allow protocol=TCP localport=)\d+', r"\g<1>8765\g<2>8765",
                 ran)
    ran = ran.replace(key, readme_key).replace(str(tmp_path / "branch.toml"), "branch.toml")
    ran = re.sub(r"Data folder: .*", lambda m: next(ln for ln in readme if ln.startswith("Data folder: ")), ran)
    assert ran.strip().splitlines() == readme


def test_a_branch_without_its_id_does_not_start_and_says_why(tmp_path):
    from click.testing import CliRunner

    from readiness.cli import main

    profile = tmp_path / "branch.toml"
    profile.write_text(PROFILES["branch"].replace('id = "11"\n', ""), encoding="utf-8")
    r = CliRunner().invoke(main, ["serve", "--profile", str(profile), "--data", str(tmp_path / "d"), "--host",
                                  "127.0.0.1", "--port", "0", "--lang", "en"])
    assert r.exit_code == 2 and "a branch server needs its own id" in r.output and "running" not in r.output


# -- the roles decided once ---------------------------------------------------------------------

@pytest.mark.parametrize("role, site, branch", [("site", True, False), ("branch", False, True), ("both", True, True),
                                                ("half", False, True)])
def test_what_a_profile_makes_a_server(role, site, branch, tmp_path):
    p = profile_of(role, tmp_path)
    assert (p.is_site, p.is_branch) == (site, branch)
    assert build_profile({}, CORE_SETTINGS).is_site  # the built-in profile: a site server, as ever


# -- the addresses ------------------------------------------------------------------------------

def get(url: str, **kw):
    return requests.get(url, allow_redirects=False, timeout=10, **kw)


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html)
    assert found, html[:300]
    return found.group(1)


SITE_TITLE = {"en": "Exam readiness — site dashboard", "zh": "考前就绪检查 — 考点看板"}
BRANCH_TITLE = {"en": "Exam readiness — branch dashboard", "zh": "考前就绪检查 — 分部看板"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_branch_onlys_home_is_the_branch_dashboard(tmp_path, lang):
    with running(tmp_path / "d", profile_of("branch", tmp_path)) as srv:
        home = get(srv.url + f"/?lang={lang}")
        assert home.status_code == 303 and home.headers["location"] == f"/branch?lang={lang}"
        assert get(srv.url + "/").headers["location"] == "/branch"
        login = get(srv.url + f"/branch?lang={lang}")
        assert login.status_code == 401 and title(login.text) == BRANCH_TITLE[lang]
        assert f"<h1>{BRANCH_TITLE[lang]}</h1>" in login.text and 'action="/branch"' in login.text
        assert SITE_TITLE[lang] not in login.text
        followed = requests.get(srv.url + f"/?lang={lang}", timeout=10)  # what a browser shows for /
        assert followed.url.endswith(f"/branch?lang={lang}") and title(followed.text) == BRANCH_TITLE[lang]
        for link in (f"/branch?key={KEY}", f"/?key={KEY}", f"/?key={KEY}&next=branch"):  # printed now, and before
            signed = get(srv.url + link)
            assert signed.status_code == 303 and signed.headers["location"] == "/branch", link
            assert signed.cookies.get("readiness_key") == KEY
        cookie = {"readiness_key": KEY}
        assert get(srv.url + "/", cookies=cookie).headers["location"] == "/branch"
        board = get(srv.url + f"/branch?lang={lang}", cookies=cookie)
        assert board.status_code == 200 and title(board.text) == BRANCH_TITLE[lang]
        assert 'href="/"' not in board.text  # no site dashboard to go to
        wrong = get(srv.url + f"/?key=not-the-key&lang={lang}")
        assert wrong.status_code == 401 and title(wrong.text) == BRANCH_TITLE[lang]
        assert ("That key is not right." if lang == "en" else "密钥不正确。") in wrong.text


SITE_ADDRESSES = [("POST", "/api/reports", "submit"), ("GET", "/api/state", "key"), ("GET", "/api/site", "key"),
                  ("GET", "/download/site.html", "key"), ("GET", "/machine/1", "key"), ("GET", "/qr/phone.svg", "key"),
                  ("GET", f"/phone?t={PHONE_TOKEN}", None), ("POST", "/api/phones", "phone"),
                  ("GET", "/api/rehearsals/poll?seat=A", "submit"), ("POST", "/api/rehearsals", "key"),
                  ("GET", "/api/rehearsals/latest", "key"), ("GET", "/download/rehearsals.json", "key"),
                  ("GET", "/paper/1", "submit"), ("POST", "/api/exam/ticks", "key"), ("POST", "/api/machines/hide", "key"),
                  ("GET", "/api/clock", None)]


@pytest.mark.parametrize("role", ["branch", "half"])
def test_a_sites_addresses_on_a_branch_only_say_it_is_a_branch(tmp_path, role):
    """Not an empty site: every address of a site's answers 404 naming what this server is, whoever
    asks; the branch's own addresses and the pages' files work."""
    keys = {"submit": TOKEN, "key": KEY, "phone": PHONE_TOKEN, None: None}
    with running(tmp_path / "d", profile_of(role, tmp_path)) as srv:
        for method, path, who in SITE_ADDRESSES:
            headers = {"Authorization": f"Bearer {keys[who]}"} if who else {}
            r = requests.request(method, srv.url + path, headers=headers, json={}, timeout=10, allow_redirects=False)
            assert r.status_code == 404, (path, r.status_code, r.text[:200])
            said = r.json()
            assert said["error"].startswith("this server is a branch server, not a site's"), path
            assert said["error_text"]["zh"].startswith("本服务器是分部服务器，不是考点服务器"), path
        assert get(srv.url + "/assets/style.css").status_code == 200
        assert get(srv.url + "/api/branch", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert get(srv.url + "/no/such/thing").json()["error"] == "not found"  # not a site's address: not said to be


def test_a_pc_pointed_at_a_branch_is_told_so_and_keeps_its_report(tmp_path):
    from readiness.pc.submit import Delivery, Submitter
    from tests.site.aggregate.reports import make_report, site_profile

    body = make_report(tmp_path / "r", "PC01", site_profile(tmp_path, "1101", seats=2)).read_bytes()
    with running(tmp_path / "d", profile_of("branch", tmp_path)) as srv:
        delivery, why = Submitter(srv.url, TOKEN, tmp_path / "outbox").post(body)
    assert delivery is Delivery.QUEUED
    assert why.en.startswith("404: this server is a branch server, not a site's") and "check server.url" in why.en
    assert why.zh.startswith("404：本服务器是分部服务器") and "请检查 server.url" in why.zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_site_onlys_login_is_the_sites_and_it_has_no_branch_page(tmp_path, lang):
    with running(tmp_path / "d", profile_of("site", tmp_path)) as srv:
        login = get(srv.url + f"/?lang={lang}")
        assert login.status_code == 401 and title(login.text) == SITE_TITLE[lang] and 'action="/"' in login.text
        assert BRANCH_TITLE[lang] not in login.text
        board = get(srv.url + f"/?lang={lang}", cookies={"readiness_key": KEY})
        assert board.status_code == 200 and title(board.text) == SITE_TITLE[lang]
        for path in ("/branch", f"/branch?key={KEY}", "/branch/sites/1101", "/api/branch", "/download/branch.csv"):
            r = get(srv.url + path)  # no login page first for a dashboard that is not here
            assert r.status_code == 404 and r.json()["error"].startswith("this server is not a branch server"), path
        r = requests.post(srv.url + "/api/sites", json={}, headers={"Authorization": f"Bearer {SITES['1101']}"},
                          timeout=10)
        assert r.status_code == 404 and r.json()["error"].startswith("this server is not a branch server")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_site_and_branch_opens_both_each_login_named_for_its_dashboard(tmp_path, lang):
    with running(tmp_path / "d", profile_of("both", tmp_path)) as srv:
        site_login, branch_login = get(srv.url + f"/?lang={lang}"), get(srv.url + f"/branch?lang={lang}")
        assert (site_login.status_code, title(site_login.text)) == (401, SITE_TITLE[lang])
        assert (branch_login.status_code, title(branch_login.text)) == (401, BRANCH_TITLE[lang])
        assert get(srv.url + f"/?key={KEY}").headers["location"] == "/"
        assert get(srv.url + f"/branch?key={KEY}").headers["location"] == "/branch"
        assert get(srv.url + f"/?key={KEY}&next=branch").headers["location"] == "/branch"
        cookie = {"readiness_key": KEY}
        assert title(get(srv.url + f"/?lang={lang}", cookies=cookie).text) == SITE_TITLE[lang]
        board = get(srv.url + f"/branch?lang={lang}", cookies=cookie)
        assert title(board.text) == BRANCH_TITLE[lang]
        assert f'<a href="/">{"Site dashboard" if lang == "en" else "考点看板"}</a>' in board.text  # and back
        assert requests.post(srv.url + "/api/reports", data=b"{}", timeout=10,
                             headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 400  # a site's door: open
