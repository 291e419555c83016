"""The data folder on a full disk (a real file-size limit on the server process: SQLite meets
EFBIG as it would ENOSPC): the server answers 503, the PCs keep their reports, nothing
acknowledged is lost, and after a restart with room the database is whole."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from readiness.site.store import Store
from tests.site.aggregate.reports import make_report, site_profile
from tests.serve.server import address_of, open_round

resource = pytest.importorskip("resource", reason="RLIMIT_FSIZE (a real file-size limit on a process) is POSIX")

TOKEN, KEY = "disk-token-0001", "disk-key-00001"


def _limited(max_bytes: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def start(data: Path, profile: Path, max_bytes: int | None = None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--data", str(data), "--profile", str(profile), "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            preexec_fn=_limited(max_bytes) if max_bytes else None)
    assert proc.stdout is not None
    return proc, address_of(proc)  # a site's link or a branch's; killed if it never comes


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX file-size limits")
def test_a_full_disk_answers_503_and_loses_nothing_acknowledged(tmp_path):
    prof = site_profile(tmp_path, seats=200)
    with prof.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\nrate_per_minute = 100000\n')
    template = json.loads(make_report(tmp_path / "r", "PC-000", prof).read_text(encoding="utf-8"))
    template["facts"]["padding"] = "x" * 20_000  # ~30 KB a report: the limit is met after a few dozen
    data = tmp_path / "data"
    Store(data).close()  # the database exists (a first run), as on the preparation day
    proc, url = start(data, prof, max_bytes=600_000)
    answers: dict[str, int] = {}
    try:
        for i in range(120):
            template["facts"]["host"]["hostname"] = f"PC-{i:03d}"
            body = json.dumps(template).encode("utf-8")
            r = requests.post(url + "/api/reports", data=body, timeout=30,
                              headers={"Authorization": f"Bearer {TOKEN}"})
            answers[f"PC-{i:03d}"] = r.status_code
            if r.status_code == 503:  # SQLite's words in English, their meaning in Chinese (not SQLite's English)
                said = r.json()
                why = re.fullmatch(r"the server cannot store it now \((.+)\); it will be sent again", said["error"])
                assert why is not None and why.group(1) in ("disk I/O error", "database or disk is full")
                assert said["error_text"]["zh"] in ("服务器暂时无法保存（磁盘读写错误（磁盘或 U 盘可能有问题））；考试机会重新发送",
                                                    "服务器暂时无法保存（数据库或磁盘已满）；考试机会重新发送")
        assert 503 in answers.values(), "the limit was never met"
        assert requests.get(url + "/api/clock", timeout=10).status_code == 200  # still serving
        site = requests.get(url + "/api/site", headers={"Authorization": f"Bearer {KEY}"}, timeout=30)
        assert site.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    stored = [h for h, code in answers.items() if code == 201]
    assert stored
    proc, url = start(data, prof)  # room again
    try:
        site = requests.get(url + "/api/site", headers={"Authorization": f"Bearer {KEY}"}, timeout=30).json()
        hosts = {m["hostname"] for s in site["sites"] for m in s["machines"]}
        assert set(stored) <= hosts  # every 201 is there
        again = requests.post(url + "/api/reports", data=json.dumps(dict(template, facts=dict(
            template["facts"], host=dict(template["facts"]["host"], hostname="PC-999")))).encode(),
            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert again.status_code == 201  # and it takes reports again
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    store = Store(data)
    try:
        assert store.integrity() == "ok"
    finally:
        store.close()


def _filled(tmp_path: Path, count: int = 30) -> Path:
    prof = site_profile(tmp_path, seats=count)
    data = tmp_path / "data"
    store = Store(data)
    try:
        for i in range(count):
            body = make_report(tmp_path / "r", f"PC-{i:03d}", prof).read_bytes()
            store.add_report(body + b" " * 5000, "192.0.2.1")  # ~20 KB each: the table spans many pages
        store.save_round(1, "{not json")  # and a round an old crash left half-written
    finally:
        store.close()
    return data


def _serve(data: Path, lang: str, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "readiness", "serve", "--host", "127.0.0.1", "--port", "0",
                           "--data", str(data), "--lang", lang, *more], capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


def test_a_damaged_database_stops_the_start_with_a_reason(tmp_path):
    data = _filled(tmp_path)
    db = data / "readiness-server.sqlite3"
    raw = bytearray(db.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 3000] = b"\xff" * 3000  # a bad sector in the middle of the reports
    db.write_bytes(bytes(raw))
    r = _serve(data, "en")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "is damaged" in r.stdout and "Traceback" not in r.stdout + r.stderr
    r = _serve(data, "zh")
    assert r.returncode == 2 and f"错误：数据库 {db} 已损坏（{db}：完整性检查（quick_check）未通过：" in r.stdout


@pytest.mark.parametrize("lang, said", [
    ("en", "error: the database {db} is damaged ({db}: file is not a database). Keep that folder"),
    ("zh", "错误：数据库 {db} 已损坏（{db}：不是数据库文件（已损坏或被其他文件覆盖））。请保留该目录"),
])
def test_a_file_that_is_no_database_is_said_in_the_language_asked(tmp_path, lang, said):
    data = tmp_path / "data"
    data.mkdir()
    db = data / "readiness-server.sqlite3"
    db.write_bytes(b"not a database, a copy of something else" * 100)
    r = _serve(data, lang)
    assert r.returncode == 2 and said.format(db=db) in r.stdout, r.stdout + r.stderr
    assert db.read_bytes().startswith(b"not a database")  # kept as it is for recovery


def test_an_unreadable_round_does_not_stop_the_start(tmp_path, profile):
    from tests.serve.server import KEY as MANAGER_KEY, running

    data = _filled(tmp_path, count=2)
    with running(data, profile) as srv:
        got = requests.get(srv.url + "/api/rehearsals", headers={"Authorization": f"Bearer {MANAGER_KEY}"}, timeout=10)
        assert got.status_code == 200 and got.json()["rounds"] == []
        assert srv.store.count_reports() == 2


def test_ctrl_c_stops_the_server_while_a_download_is_under_way(tmp_path):
    prof = tmp_path / "site.toml"
    prof.write_text(f'[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\n\n[rehearsal]\nlan_mbps = 1.0\n',
                    encoding="utf-8")
    proc, url = start(tmp_path / "data", prof)
    got = threading.Event()

    def read_slowly() -> None:
        try:
            with requests.get(url + "/paper/500000000", headers={"Authorization": f"Bearer {TOKEN}"}, stream=True,
                              timeout=60) as r:
                for _chunk in r.iter_content(65536):
                    got.set()
        except requests.RequestException:
            pass

    open_round(url, paper_mb=500, token=TOKEN, key=KEY)  # the server's paper is sent only during a round
    reader = threading.Thread(target=read_slowly, daemon=True)
    reader.start()
    try:
        assert got.wait(30), "the download did not start"
        proc.send_signal(signal.SIGINT)  # 500 MB at 1 Mbit/s: an hour, were the server to wait for it
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0


def _site_with_server(tmp_path: Path) -> Path:
    """A two-seat site profile with this module's submit token and manager's key."""
    prof = site_profile(tmp_path, seats=2)
    with prof.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\n')
    return prof


def test_two_servers_on_one_data_folder_the_second_refuses_naming_the_first(tmp_path):
    prof = _site_with_server(tmp_path)
    data = tmp_path / "data"
    proc, url = start(data, prof)
    try:
        second = _serve(data, "en", "--profile", str(prof))
        assert second.returncode == 2
        assert f"in use by another readiness server (process {proc.pid}" in second.stdout + second.stderr
        second = _serve(data, "zh", "--profile", str(prof))
        assert second.returncode == 2
        assert second.stdout.startswith(f"错误：{data}：数据目录正被另一个 readiness 服务器使用（process {proc.pid}")
        assert second.stdout.rstrip().endswith("；请先停止它，或用另一个 --data 目录启动")
    finally:
        proc.terminate()
        proc.wait(20)


def test_a_data_folder_moved_away_is_503_and_the_pc_keeps_its_report(tmp_path):
    from readiness.pc.submit import Delivery, Submitter

    prof = _site_with_server(tmp_path)
    data = tmp_path / "data"
    proc, url = start(data, prof)
    try:
        body = make_report(tmp_path / "r", "PC-01", prof).read_bytes()
        data.rename(tmp_path / "moved")
        r = requests.post(url + "/api/reports", data=body, timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        assert r.status_code == 503 and "gone" in r.json()["error"]
        assert "已不存在（数据目录被删除或移动）；请重启服务器" in r.json()["error_text"]["zh"]
        outbox = tmp_path / "outbox"
        outcome = Submitter(url, TOKEN, outbox).send(body, "PC-01")
        assert outcome.delivery is Delivery.QUEUED and len(list(outbox.iterdir())) == 1
    finally:
        proc.terminate()
        proc.wait(20)
