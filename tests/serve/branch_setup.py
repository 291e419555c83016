"""A branch server on 127.0.0.1 with three sites: 1101 pushes the document its real site server
builds (readiness.serve.documents.site_document), a site with a hostile id pushes one written by
hand (not ready, three minutes before its exam: escalated), 1199 is never heard from."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import orjson
import requests

from readiness.branch.chain import now_s
from readiness.core.times import iso
from readiness.core.loading import load_checks_and_profile
from tests.site.aggregate.reports import make_report, site_profile
from tests.reports.branch_doc import site_doc
from tests.serve.server import Running, running

EVIL_ID = "<img src=x onerror=window.__pwned=1>"
EVIL_HOST = '<img src=x onerror="window.__pwned=1">'
TOKENS = {"1101": "token-for-site-1101-abcdef", EVIL_ID: "token-for-evil-site-abcdef", "1199": "token-for-site-1199-abcdef"}


@dataclass
class Branch:
    branch: Running
    site: Running


def push(branch: Running, site_id: str, doc: dict) -> None:
    r = requests.post(branch.url + "/api/sites", data=orjson.dumps(doc), timeout=10,
                      headers={"Authorization": f"Bearer {TOKENS[site_id]}", "Content-Type": "application/json"})
    assert r.status_code == 201, r.text


@contextmanager
def branch_with_sites(tmp: Path) -> Iterator[Branch]:
    from readiness.serve.app import make_serving
    from readiness.serve.documents import site_document

    prof_path = site_profile(tmp, site_id="1101", seats=3)
    bprof = tmp / "branch.toml"
    sites = "".join(f'{orjson.dumps(k).decode()} = "{v}"\n' for k, v in TOKENS.items())
    bprof.write_text(f'[branch]\nid = "11"\nname = "北京分部"\n\n[branch.sites]\n{sites}', encoding="utf-8")
    with running(tmp / "site-data", load_checks_and_profile(prof_path)[1]) as site, \
            running(tmp / "branch-data", load_checks_and_profile(bprof)[1]) as branch:
        for host, changes in (("PC01", None), (EVIL_HOST, {"memory.installed_bytes": 2 * 2**30,
                                                           "memory.usable_bytes": 2 * 2**30})):
            body = make_report(tmp / "r", host, prof_path, changes, name=f"{len(host)}.json").read_bytes()  # no <>" in a Windows file name
            r = requests.post(site.url + "/api/reports", data=body, headers=site.submit_headers(), timeout=10)
            assert r.status_code == 201, r.text
        push(branch, "1101", site_document(make_serving(site.cfg, site.store, site.view), seq=1))
        now = now_s()
        evil = site_doc(EVIL_ID, "朝阳<b>考点</b>", "fail", 1, 2, now - 5,
                        findings=[{"status": "fail", "message": {"en": "<img src=x onerror=alert(2)> 1 PC lacks memory",
                                                                 "zh": "<img src=x onerror=alert(2)> 1 台考试机内存不足"}}])
        evil["exam"]["starts_at"] = [iso(now + 180)]
        push(branch, EVIL_ID, evil)
        yield Branch(branch, site)
