"""The PC's egress IP as the outside sees it, from one or more echo services.

Several echo services may see different IPs when a site has several egress lines; every one must
be registered, so all distinct answers are kept.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from typing import Any

from readiness.core.i18n import Text
from readiness.pc.net.errors import NOT_AN_IP, NetFailure, failure, http_status

MAX_ANSWER = 64 * 1024
_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]{2,45}")


def parse_ip(body: str) -> str | None:
    """An IP from a plain-text or JSON answer ({"ip": ...}, {"origin": ...}, {"query": ...})."""
    text = body.strip()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        for key in ("ip", "origin", "query", "address", "clientIp"):
            value = doc.get(key)
            if isinstance(value, str):
                text = value.split(",")[0].strip()
                break
        else:
            return None
    elif doc is not None and not isinstance(doc, str):
        return None
    for candidate in [text] + _CANDIDATE.findall(text):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def echo(urls: list[str], *, timeout_s: float = 5.0, verify: bool | str = True,
         deadline: float | None = None) -> dict[str, Any]:
    import requests

    answers: list[dict[str, Any]] = []
    for url in urls:
        left = timeout_s if deadline is None else min(timeout_s, deadline - time.monotonic())
        if left <= 0.1:
            answers.append({"url": url, "ip": None, "error": "no time left before the network deadline",
                            "reason": Text("no time was left before the network deadline",
                                           "已到网络检查时限，未能完成").to_dict()})
            continue
        try:
            with requests.get(url, timeout=left, stream=True, verify=verify,
                              headers={"Accept": "application/json, text/plain"}) as resp:
                if resp.status_code != 200:
                    raise NetFailure(http_status(resp.status_code), f"HTTP {resp.status_code}")
                body = resp.raw.read(MAX_ANSWER, decode_content=True).decode("utf-8", "replace")
            ip = parse_ip(body)
            if ip is None:
                shown = body.strip()[:60]
                raise NetFailure(NOT_AN_IP, f"answered something that is not an IP: {shown!r}")
            answers.append({"url": url, "ip": ip, "error": None, "reason": None})
        except Exception as exc:
            answers.append({"url": url, "ip": None, **failure(exc).to_facts()})
    ips = sorted({a["ip"] for a in answers if a["ip"]})
    return {"ips": ips, "answers": answers}
