"""In Chinese, the dashboard, the phone page and the rehearsal agent show no English sentence
(names, addresses, versions, units and the commands to type aside): every word they show comes
from the one bilingual table (readiness/site/words.py) or is born bilingual where it is said."""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests

from readiness.pc.agent import Agent
from readiness.core.i18n import Lang
from readiness.site.words import WORDS
from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.browser import NEEDS_CHROMIUM
from tests.serve.server import KEY, PHONE_TOKEN, TOKEN, running

# Names that stay as they are in Chinese text: products, formats, units, what a person types.
NAMES = {"PC", "QR", "HTML", "CSV", "XLSX", "JSON", "App", "Android", "iPhone", "iOS", "English", "HTTP", "IP",
         "readiness", "check", "submit", "rehearse", "seat", "KB", "MB", "GB", "GiB", "Chrome", "Safari", "SHA"}


def english(text: str) -> list[str]:
    """The English words of a text: what is left once addresses, paths, dotted keys, units and
    --options are taken out, and names are allowed."""
    text = re.sub(r"\S*[./:\\]\S*|--\S+", " ", text)
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in NAMES]


def test_the_detector_finds_what_leaked_before() -> None:
    assert english("状态: done") == ["done"]
    assert english("第 1 轮 roundof") == ["roundof"]
    assert english("失败: did not finish") == ["did", "not", "finish"]
    assert english("Android 手机 14 · 下行 12.5 Mbit/s · rehearsal.url · readiness check --submit") == []


def test_every_word_has_chinese() -> None:
    assert all(w.zh.strip() for w in WORDS.values())
    assert all(english(w.zh) == [] for k, w in WORDS.items() if k not in ("of",)), \
        [(k, english(w.zh)) for k, w in WORDS.items() if english(w.zh)]


def _seat_result(url: str, rid: int, seat: str, start: float, **doc) -> None:
    r = requests.post(f"{url}/api/rehearsals/{rid}/results", json={"seat": seat, "start": start, "bytes": 0,
                                                                   "samples_mbps": [], **doc},
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert r.status_code == 201, r.text


ANDROID_7 = ("Mozilla/5.0 (Linux; Android 7.0; SM-G930F Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/64.0.3282.137 Mobile Safari/537.36")


@pytest.mark.parametrize("_", [0], ids=["zh"])
@NEEDS_CHROMIUM[0]
@NEEDS_CHROMIUM[1]
def test_the_dashboard_and_the_phone_page_in_chinese(browser, tmp_path, make_profile, _) -> None:
    submit = {"Authorization": f"Bearer {TOKEN}"}
    prof = site_profile(tmp_path, seats=4)
    with running(tmp_path / "d", make_profile(rehearsal__lead_s=1.0, bandwidth__paper_mb=0.2)) as srv:
        for host, facts in (("PC-01", None), ("PC-02", {"memory.installed_bytes": 2 * 2**30,
                                                        "memory.usable_bytes": 2 * 2**30})):
            body = make_report(tmp_path / "r", host, prof, facts).read_bytes() if facts else \
                make_report(tmp_path / "r", host, prof).read_bytes()
            assert requests.post(srv.url + "/api/reports", data=body, headers=submit, timeout=10).status_code == 201
        phone = {"schema": "readiness.phone/1", "user_agent": ANDROID_7, "ua_ch": None, "device_memory": 2,
                 "screen": {"width": 360, "height": 640}, "max_touch_points": 5, "app_version": "2.4.3",
                 "name": "李老师", "room": "101"}
        assert requests.post(srv.url + "/api/phones", json=phone, timeout=10,
                             headers={"Authorization": f"Bearer {PHONE_TOKEN}"}).status_code == 201
        for seat in ("R-1", "R-2", "R-3"):
            requests.get(srv.url + "/api/rehearsals/poll", params={"seat": seat}, headers=submit, timeout=10)
        started = requests.post(srv.url + "/api/rehearsals", json={"url": None, "paper_mb": 0.2, "lead_s": 1},
                                headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()
        requests.get(srv.url + "/api/rehearsals/poll", params={"seat": "R-4"}, headers=submit, timeout=10)  # late
        at = started["start_at"]
        _seat_result(srv.url, started["id"], "R-1", at, finish=at + 2.0, bytes=200_000)
        _seat_result(srv.url, started["id"], "R-2", at, finish=None)  # no reason given: the server's own words
        _seat_result(srv.url, started["id"], "R-3", at, finish=None, error="gave up at the round's deadline",
                     error_text={"en": "gave up at the round's deadline", "zh": "已到本轮截止时间，放弃下载"})

        ctx = browser.new_context(locale="zh-CN")
        page = ctx.new_page()
        try:
            page.goto(srv.url + f"/?key={KEY}&lang=zh")
            page.locator('#round[data-state="done"]').wait_for(timeout=15000)
            page.locator("section.phones tr[data-status]").wait_for(timeout=10000)
            text = page.locator("body").inner_text()
            assert english(text) == [], text
            assert "第 1 轮" in text and "已结束" in text and "未完成下载" in text and "Android 手机 7.0" in text

            page.goto(srv.url + f"/phone?t={PHONE_TOKEN}&lang=zh")
            page.fill("#app", "2.4.3")
            page.fill("#name", "王老师")
            page.fill("#room", "102")
            page.click("#send")
            page.locator("#verdict").wait_for(timeout=10000)
            page.evaluate("document.querySelectorAll('.other').forEach(e => e.remove())")  # the second language
            text = page.locator("body").inner_text()
            assert english(text) == [], text
        finally:
            ctx.close()


def test_the_agent_speaks_chinese(tmp_path, make_profile) -> None:
    lines: list[str] = []
    with running(tmp_path / "d", make_profile(rehearsal__lead_s=1.0, bandwidth__paper_mb=0.1,
                                              rehearsal__lan_mbps=20.0)) as srv:
        good = Agent(srv.url, TOKEN, "Z-1", 2**30, echo=lines.append, lang=Lang.ZH)
        bad = Agent(srv.url, TOKEN, "Z-2", 0, echo=lines.append, lang=Lang.ZH)  # nothing to load: fails
        threads = [threading.Thread(target=a.run, args=(1,), daemon=True) for a in (good, bad)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 20
        while requests.get(srv.url + "/api/state", headers={"Authorization": f"Bearer {KEY}"},
                           timeout=10).json()["rehearsal"]["waiting"] < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        r = requests.post(srv.url + "/api/rehearsals", json={"url": None, "paper_mb": 0.1, "lead_s": 1},
                          headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
        assert r.status_code == 201
        for th in threads:
            th.join(30)
        latest = requests.get(srv.url + "/api/rehearsals/latest", headers={"Authorization": f"Bearer {KEY}"},
                              timeout=10).json()
    assert len(lines) >= 4, lines
    assert all(english(line) == [] for line in lines), lines
    failed = next(s for s in latest["seats"] if s["hostname"] == "Z-2")
    assert failed["error"] == "the round names no bytes to load"  # the contract's English
    assert failed["error_text"]["zh"] == "本轮未指定要下载的字节数"


def test_the_machine_page_shows_each_checks_title(tmp_path, profile) -> None:
    prof = site_profile(tmp_path, seats=1)
    body = make_report(tmp_path / "r", "PC-01", prof).read_bytes()
    with running(tmp_path / "d", profile) as srv:
        rid = requests.post(srv.url + "/api/reports", data=body, timeout=10,
                            headers={"Authorization": f"Bearer {TOKEN}"}).json()["id"]
        page = requests.get(f"{srv.url}/machine/{rid}?lang=zh", headers={"Authorization": f"Bearer {KEY}"},
                            timeout=10).text
    row = re.search(r'<tr data-status="\w+" data-check="memory"><td>([^<]*)</td>', page)
    assert row is not None and row.group(1) == "内存"  # the title, not the id "memory"


def test_the_servers_refusals_in_chinese(tmp_path, profile) -> None:
    """Every kind of refusal carries error_text {en, zh}: the English is the contract's `error`, the
    Chinese holds no English sentence (the raw detail of a validator aside, after a Chinese one)."""
    from tests.english import english_runs

    submit = {"Authorization": f"Bearer {TOKEN}"}
    manager = {"Authorization": f"Bearer {KEY}"}
    with running(tmp_path / "d", profile) as srv:
        u = srv.url
        answers = [
            requests.get(u + "/api/state", timeout=10),  # no key
            requests.post(u + "/api/reports", data=b"{}", timeout=10),  # no token
            requests.post(u + "/api/phones", json={}, timeout=10),  # no phone token
            requests.post(u + "/api/rehearsals", cookies={"readiness_key": KEY}, timeout=10),
            requests.post(u + "/api/reports", data=b"x" * (64 * 2**20 + 1), headers=submit, timeout=30),
            requests.post(u + "/api/reports", data=b"not json", headers=submit, timeout=10),
            requests.get(u + "/api/rehearsals/poll", params={"seat": "a\u202eb"}, headers=submit, timeout=10),
            requests.get(u + "/api/rehearsals/poll", params={"seat": ""}, headers=submit, timeout=10),
            requests.post(u + "/api/rehearsals", data=b"[1]", headers=manager, timeout=10),
            requests.post(u + "/api/rehearsals", json={"url": "ftp://x"}, headers=manager, timeout=10),
            requests.post(u + "/api/rehearsals", json={"lead_s": 0}, headers=manager, timeout=10),
            requests.post(u + "/api/rehearsals/7/stop", headers=manager, timeout=10),
            requests.post(u + "/api/rehearsals/7/results", json={"seat": "x", "bytes": 0}, headers=submit, timeout=10),
            requests.post(u + "/api/rehearsals/7/results", data=b"nope", headers=submit, timeout=10),
            requests.get(u + "/paper/1000", headers=submit, timeout=10),
            requests.get(u + "/assets/nope.js", timeout=10),
            requests.get(u + "/download/site.pdf", headers=manager, timeout=10),
            requests.get(u + "/nowhere", timeout=10),
            requests.get(u + "/api/rehearsals/latest", headers=manager, timeout=10),  # no round yet
        ]
        requests.get(u + "/api/rehearsals/poll", params={"seat": "S-1"}, headers=submit, timeout=10)
        requests.post(u + "/api/rehearsals", json={"lead_s": 60}, headers=manager, timeout=10)  # one waiting seat
        answers.append(requests.post(u + "/api/rehearsals", json={"lead_s": 1}, headers=manager, timeout=10))
    for r in answers:
        assert r.status_code >= 400, (answers.index(r), r.request.url, r.status_code)
        body = r.json()
        assert body["error"] == body["error_text"]["en"], body
        zh = body["error_text"]["zh"]
        raw = re.findall(r"（([^（）]*)）$", zh)  # a validator's raw detail, after the Chinese sentence
        leaks = english_runs(zh.replace(raw[0], " ") if raw and "报告" in zh else zh)
        assert zh != body["error"] and leaks == [], (r.request.url, body)
