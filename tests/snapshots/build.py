"""Builds the snapshots in this folder: one for each collector error path, each reason taken from
the collector code that raises it, so that the walk in tests/test_bilingual.py sees every one.

Run `python -m tests.snapshots.build` after changing a collector's wording.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from tests.helpers import ready_facts

HERE = Path(__file__).resolve().parent


def _network(endpoint: dict[str, Any] | None = None, bandwidth: dict[str, Any] | None = None,
             answer: dict[str, Any] | None = None) -> dict[str, Any]:
    ok_ep = {"url": "https://exam.example.cn/", "proxy": None, "addresses": ["203.0.113.5"], "dns_ms": 5.0,
             "connect_ms": 10.0, "tls_ms": 20.0, "http_ms": 30.0, "status": 200, "ok": True, "failed_step": None,
             "error": None, "reason": None}
    bw = {"backend": "http", "url": "https://cdn.example.cn/paper.bin", "server": "cdn.example.cn", "streams": 4,
          "window_s": 8.0, "warmup_s": 2.0, "bytes": 150_000_000, "measured_bytes": 120_000_000, "capped": False,
          "samples_mbps": [120.0], "download_mbps": 120.0, "median_mbps": 120.0, "p90_mbps": 121.0,
          "cpu_share": 0.01, "cpu_core_share": 0.02, "errors": [], "note": None, "error": None, "reason": None}
    ans = {"url": "https://ip.example.cn/", "ip": "203.0.113.7", "error": None, "reason": None}
    return {"public_ip": {"ips": [] if answer else ["203.0.113.7"], "answers": [answer or ans]},
            "endpoints": [endpoint or ok_ep], "bandwidth": bandwidth or bw}


def _failed_bandwidth(failure: Any) -> dict[str, Any]:
    return {**_network()["bandwidth"], "download_mbps": None, "samples_mbps": [], "median_mbps": None,
            "p90_mbps": None, **failure.to_facts()}


def network_snapshots() -> dict[str, dict[str, Any]]:
    import requests

    from readiness.core.i18n import Text
    from readiness.pc.net.bandwidth import MeasureError, speedtest_config_reason
    from readiness.pc.net.errors import DEADLINE, NOT_AN_IP, NetFailure, failure, http_status

    class ConfigRetrievalError(Exception):
        pass

    kinds: dict[str, NetFailure] = {
        "dns": failure(socket.gaierror(-2, "Name or service not known")),
        "refused": failure(ConnectionRefusedError(111, "Connection refused")),
        "timeout": failure(requests.exceptions.ConnectTimeout("connect timeout=5")),
        "read-timeout": failure(requests.exceptions.ReadTimeout("read timeout=5")),
        "tls": failure(requests.exceptions.SSLError("certificate verify failed: unable to get local issuer")),
        "unreachable": failure(OSError(101, "Network is unreachable")),
        "ended": failure(ConnectionResetError(104, "Connection reset by peer")),
        "redirects": failure(requests.exceptions.TooManyRedirects("Exceeded 5 redirects.")),
        "cannot-connect": failure(requests.exceptions.ConnectionError("Max retries exceeded with url: /x")),
        "other": failure(ValueError("Invalid URL")),  # raw text inside the frame
        "http-404": NetFailure(http_status(404), "HTTP 404"),
        "not-an-ip": NetFailure(NOT_AN_IP, "answered something that is not an IP: '<html>'"),
        "deadline": NetFailure(DEADLINE, "not tried: no time left before the network deadline"),
        "speedtest-403": NetFailure(speedtest_config_reason(ConfigRetrievalError("HTTP Error 403: Forbidden")),
                                    "speedtest.net refused its configuration (HTTP 403)"),
    }
    too_little = MeasureError(Text(
        "the server sent only 1000 bytes in 8 s after the warm-up: too little to measure",
        "预热后 8 秒内服务器只发送了 1000 字节：数据太少，无法测量"))
    out = {}
    for name, f in kinds.items():
        ep = {**_network()["endpoints"][0], "ok": False, "failed_step": "deadline" if name == "deadline" else "http",
              "status": None, **f.to_facts()}
        ans = {"url": "https://ip.example.cn/", "ip": None, **f.to_facts()}
        net = _network(endpoint=ep, bandwidth=_failed_bandwidth(f), answer=ans)
        out[f"network-{name}"] = {"network": net, "errors": {
            "network.public_ip.ips": (Text("https://ip.example.cn/: ", "https://ip.example.cn/：") + f.reason).to_dict(),
            "network.bandwidth.download_mbps": f.reason.to_dict()}}
    bw = _failed_bandwidth(too_little)
    out["bandwidth-too-little"] = {"network": _network(bandwidth=bw),
                                   "errors": {"network.bandwidth.download_mbps": too_little.reason.to_dict()}}
    slow = {**_network()["bandwidth"], "download_mbps": 0.008, "note": Text(
        "only 1000 bytes arrived in the 8.0 s window: a very slow link", "8.0 秒的测量窗口内只收到 1000 字节：链路非常慢").to_dict()}
    out["bandwidth-crawling"] = {"network": _network(bandwidth=slow), "errors": {}}
    return out


def hardware_snapshots() -> dict[str, dict[str, Any]]:
    from readiness.pc.collect import raw_error
    from readiness.pc.collect.fonts import FontError, cannot_read
    from readiness.pc.collect.system import PosixSystem, Unknown
    from readiness.core.i18n import Text

    try:
        PosixSystem().installed_memory_bytes()
        raise AssertionError("the POSIX system reads no installed memory")
    except Unknown as exc:
        windows_only = exc.reason
    not_a_font = FontError(Text("not a font file (bad sfntVersion)", "不是字体文件（无法读取其字体表）"))
    font = {"path": "C:\\Windows\\Fonts\\msyh.ttc", "scope": "system", "family": None, "families": [],
            "error": not_a_font.reason.en, "reason": not_a_font.reason.to_dict(), "registered": True}
    usb = {"mountpoint": "E:\\", "kind": "fixed", "fstype": "NTFS", "bus": "usb", "volume": "\\\\?\\Volume{e}\\",
           "total_bytes": 256_000_000_000, "free_bytes": 100_000_000_000, "system": False}
    net_drive = {**usb, "mountpoint": "Z:\\", "kind": "network", "bus": None, "volume": None}
    ini_error = cannot_read("[Errno 13] Permission denied")
    return {
        "disks-none-fixed": {"disks": [usb, net_drive], "errors": {}},
        "memory-unreadable": {"memory": {"installed_bytes": None, "usable_bytes": None}, "errors": {
            "memory.installed_bytes": windows_only.to_dict(),
            "memory.usable_bytes": raw_error("PermissionError: [Errno 13] Permission denied: '/proc/meminfo'")}},
        "font-not-a-font": {"fonts": {"msyh": [font], "searched": ["C:\\Windows\\Fonts"]}, "errors": {}},
        "fonts-unreadable": {"fonts": {"msyh": None, "searched": []}, "errors": {"fonts.msyh": (
            Text("no system font folder could be read: ", "无法读取任何系统字体文件夹：")
            + Text("%WINDIR%\\Fonts: a variable in it is not set", "%WINDIR%\\Fonts：其中的环境变量未设置")).to_dict()}},
        "user-ini-unreadable": {"client.user_ini": {"path": "C:\\Program Files (x86)\\ExamClient\\user.ini",
                                                    "found": True, "opengl_level": None, "encoding": None,
                                                    "error": ini_error.en, "reason": ini_error.to_dict()},
                                "errors": {}},
        "client-version-unreadable": {"client.version": None, "errors": {"client.version": Text(
            "C:\\Program Files (x86)\\ExamClient\\ExamClient.exe: has no version resource",
            "C:\\Program Files (x86)\\ExamClient\\ExamClient.exe：没有版本资源").to_dict()}},
        "os-unreadable": {"os": None, "errors": {"os": raw_error("OSError: [WinError 5] Access is denied")}},
        "hardware-left-out": {"not_collected": {"memory": {"en": "left out", "zh": "未采集"}}, "errors": {}},
        "offline": {"errors": {}},
    }


def build() -> list[Path]:
    written = []
    for name, changes in {**hardware_snapshots(), **network_snapshots()}.items():
        facts = ready_facts()
        facts["host"]["hostname"] = f"LAB9-{name.upper()}"[:40]
        if "network" in changes:
            facts.pop("not_collected", None)
        for path, value in changes.items():
            node = facts
            *parents, last = path.split(".")
            for p in parents:
                node = node[p]
            node[last] = value
        target = HERE / f"{name}.json"
        target.write_text(json.dumps(facts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for p in build():
        print(p)
