"""Real report files for aggregation tests, made by the real runner from varied snapshots."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from readiness.core.loading import load_checks_and_profile
from readiness.core.judging import judge_machine
from tests.helpers import with_facts

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def site_profile(folder: Path, site_id: str = "1101", seats: int = 4, ips: tuple[str, ...] = ("203.0.113.7",)) -> Path:
    path = folder / f"site-{site_id}.toml"
    path.write_text(f'[site]\nid = "{site_id}"\nname = "海淀学习中心"\nseats = {seats}\n'
                    f"public_ips = {json.dumps(list(ips))}\n", encoding="utf-8")
    return path


def network(mbps: float | None = 120.0, ip: str = "203.0.113.7") -> dict[str, Any]:
    return {"bandwidth": {"backend": "http", "download_mbps": mbps, "error": None if mbps else "no server"},
            "public_ip": {"ips": [ip], "answers": []},
            "endpoints": [{"url": "https://exam.example/", "ok": True, "status": 200, "dns_ms": 5, "connect_ms": 5,
                           "tls_ms": 10, "http_ms": 20, "failed_step": None, "error": None, "proxy": None,
                           # a right clock: the server's Date between the PC's send and receive
                           "date": "Tue, 14 Nov 2023 22:13:20 GMT", "sent_at": 1700000000.0,
                           "received_at": 1700000000.2, "rtt_s": 0.2}],
            "site_clock": None}  # as every collector since the clock check writes it without a server.url


def make_report(folder: Path, host: str, profile: Path, changes: dict[str, Any] | None = None,
                minutes: int = 0, net: dict[str, Any] | None = None, name: str | None = None) -> Path:
    facts = with_facts(dict({"host.hostname": host, "host.machine_id": f"id-{host}", "not_collected": {}}, **(changes or {})))
    facts["network"] = net if net is not None else network()
    loaded, prof = load_checks_and_profile(profile)
    report = judge_machine(facts, prof, loaded, now=T0 + timedelta(minutes=minutes))
    path = folder / (name or f"{host}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
    return path
