"""kill -9 during a burst of submissions: after a restart every acknowledged (201) report is
there and SQLite's integrity check passes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest
import requests

from readiness.site.store import Store, digest
from tests.serve.server import address_of
from tests.site.aggregate.reports import make_report, site_profile

TOKEN, KEY = "durable-token", "durable-key"


def start(data: Path, profile: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--data", str(data), "--profile", str(profile), "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            env=dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8"))  # else the console's code page on Windows
    assert proc.stdout is not None
    return proc, address_of(proc)  # a site's link or a branch's; killed if it never comes


def kill_mid_burst(proc: subprocess.Popen, items: list, post: Callable[[object], bool], after: int) -> list:
    """Send the items 16 at a time; once `after` are acknowledged (post returns True), kill -9 the
    server (TerminateProcess on Windows) while others are in flight. The acknowledged items."""
    acknowledged: list = []
    lock = threading.Lock()
    killed = threading.Event()

    def send(item: object) -> None:
        if killed.is_set():
            return
        try:
            ok = post(item)
        except requests.RequestException:
            return
        if ok:
            with lock:
                acknowledged.append(item)
                if len(acknowledged) == after:
                    proc.kill()
                    killed.set()

    try:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(send, items))
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == (-signal.SIGKILL if os.name == "posix" else 1)  # Popen.kill: TerminateProcess(h, 1)
    assert len(acknowledged) >= after
    return acknowledged


def test_kill_9_during_a_burst_loses_no_acknowledged_report(tmp_path):
    prof = site_profile(tmp_path, seats=300)
    with prof.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[server]\ntoken = "{TOKEN}"\nadmin_key = "{KEY}"\nrate_per_minute = 100000\n')
    template = json.loads(make_report(tmp_path / "r", "PC-000", prof).read_text(encoding="utf-8"))
    bodies = []
    for i in range(300):
        template["facts"]["host"]["hostname"] = f"PC-{i:03d}"
        template["facts"]["host"]["machine_id"] = f"id-{i:03d}"
        bodies.append(json.dumps(template, ensure_ascii=False).encode("utf-8"))
    data = tmp_path / "data"
    proc, url = start(data, prof)

    def post(body: object) -> bool:
        r = requests.post(url + "/api/reports", data=body, timeout=10, headers={"Authorization": f"Bearer {TOKEN}"})
        return r.status_code == 201

    acknowledged = kill_mid_burst(proc, bodies, post, 60)

    store = Store(data)
    try:
        assert store.integrity() == "ok"
        kept = {digest(r.body) for r in store.reports()}
    finally:
        store.close()
    assert {digest(b) for b in acknowledged} <= kept

    proc, url = start(data, prof)  # and the server comes back with them
    try:
        site = requests.get(url + "/api/site", headers={"Authorization": f"Bearer {KEY}"}, timeout=30).json()
        assert site["sites"][0]["reports"] == len(kept)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child is POSIX; Windows delivers Ctrl+C to a console "
                    "group (GenerateConsoleCtrlEvent), which Wine's console-less processes do not have")
def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    prof = site_profile(tmp_path)
    proc, url = start(tmp_path / "data", prof)
    try:
        assert requests.get(url + "/api/clock", timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0
    finally:
        proc.kill()
    store = Store(tmp_path / "data")
    try:
        assert store.integrity() == "ok"
    finally:
        store.close()


def test_an_unusable_data_folder_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from readiness.cli import main

    (tmp_path / "file").write_text("x", encoding="utf-8")
    for lang, said in (("en", "cannot use the data folder"), ("zh", "无法使用数据目录")):  # not the system's language
        r = CliRunner().invoke(main, ["serve", "--host", "127.0.0.1", "--port", "0", "--lang", lang,
                                      "--data", str(tmp_path / "file" / "d")])
        assert r.exit_code == 2 and said in r.output, r.output


def test_kill_9_at_a_branch_loses_no_acknowledged_site_document(tmp_path):
    """The branch's store is the site server's: a 201 for a site's document survives kill -9."""
    from readiness.core.times import iso

    sites = {f"S{i:03d}": f"site-token-{i:03d}-xx" for i in range(120)}
    prof = tmp_path / "branch.toml"
    prof.write_text(f'[server]\nadmin_key = "{KEY}"\n[branch]\nid = "B"\nname = "分部"\n[branch.sites]\n'
                    + "".join(f'"{k}" = "{v}"\n' for k, v in sites.items()), encoding="utf-8")
    data = tmp_path / "data"
    proc, url = start(data, prof)

    def post(site_id: object) -> bool:
        import time

        sent = iso(time.time())
        doc = {"schema": "readiness.site/1", "generated_at": sent, "status": "pass",
               "sites": [{"site": {"id": site_id, "name": "x", "seats": 1}, "status": "pass", "reports": 1}],
               "sender": {"kind": "site", "id": site_id, "name": "x", "heartbeat_s": 60, "sent_at": sent, "seq": 1}}
        r = requests.post(url + "/api/sites", json=doc, timeout=10, headers={"Authorization": f"Bearer {sites[str(site_id)]}"})
        return r.status_code == 201

    acknowledged = kill_mid_burst(proc, list(sites), post, 40)
    proc, url = start(data, prof)  # the branch restarted: every acknowledged site is there
    try:
        doc = requests.get(url + "/api/branch", headers={"Authorization": f"Bearer {KEY}"}, timeout=30).json()
        heard = {s["id"] for s in doc["sites"] if s["last_seen"] is not None}
        assert set(acknowledged) <= heard and len(doc["sites"]) == len(sites)
    finally:
        proc.terminate()
        proc.wait(10)
    store = Store(data)
    try:
        assert store.integrity() == "ok"
    finally:
        store.close()
