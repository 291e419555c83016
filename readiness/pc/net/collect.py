"""Network facts for a snapshot, under one deadline for the whole network part."""

from __future__ import annotations

import time
from typing import Any, Mapping, Protocol

from readiness.core.i18n import Text, join
from readiness.pc.net.bandwidth import MeasureError, Progress, measure_http, measure_speedtest
from readiness.pc.net.errors import DEADLINE, failure

NO_ECHO_URLS = Text("no network.ip_echo_urls in the profile", "考点配置中没有 network.ip_echo_urls")
NO_ENDPOINTS = Text("no network.endpoints in the profile", "考点配置中没有 network.endpoints")
NO_MEASUREMENT = Text("no measurement", "未测得带宽")


class Steps(Protocol):
    """What a front end shows while the network is checked: each phase as it starts (`step`), and
    the downlink's bar (called with the elapsed share 0..1 and the current Mbit/s)."""

    def __call__(self, share: float, mbps: float) -> None: ...

    def step(self, what: Text) -> None: ...


def _verify(profile: Mapping[str, Any]) -> bool | str:
    return profile.get("network.ca_bundle") or True


def measure(profile: Mapping[str, Any], *, deadline: float | None = None,
            progress: Progress | None = None) -> dict[str, Any]:
    """One downlink measurement per the profile; the failure's raw text is kept in "error", what it
    means in "reason" ({en, zh})."""
    url = profile["bandwidth.url"]
    backend = profile["bandwidth.backend"]
    if backend == "auto":
        backend = "http" if url else "speedtest"
    base: dict[str, Any] = {"backend": backend, "url": url, "download_mbps": None, "error": None, "reason": None}
    timeout = profile["network.timeout_s"]
    try:
        if backend == "http":
            if not url:
                raise MeasureError(Text("the http backend needs bandwidth.url in the profile (or --url)",
                                        "http 测速方式需要在考点配置中设置 bandwidth.url（或使用 --url）"))
            return dict(measure_http(url, streams=profile["bandwidth.streams"], duration_s=profile["bandwidth.duration_s"],
                                     warmup_s=profile["bandwidth.warmup_s"],
                                     max_bytes=int(profile["bandwidth.max_mb"] * 2**20),
                                     connect_timeout_s=timeout, read_timeout_s=timeout,
                                     verify=_verify(profile), progress=progress, deadline=deadline), error=None)
        return dict(measure_speedtest(streams=profile["bandwidth.streams"], timeout_s=timeout * 2,
                                      deadline=deadline), error=None)
    except Exception as exc:  # never let one measurement take the snapshot down
        base.update(failure(exc).to_facts())
    return base


# Shares of network.deadline_s: the public-IP echo and the exam-server probe each get their own
# (plus what an earlier phase left over); the downlink measurement has the rest.
SHARES = {"public_ip": 0.2, "endpoints": 0.3}


def collect_network(profile: Mapping[str, Any], errors: dict[str, Any], not_collected: dict[str, Any],
                    progress: Steps | None = None) -> dict[str, Any]:
    from readiness.pc.net.probe import probe
    from readiness.pc.net.publicip import echo

    start = time.monotonic()
    budget = profile["network.deadline_s"]
    deadline = start + budget
    timeout = profile["network.timeout_s"]
    verify = _verify(profile)
    net: dict[str, Any] = {"public_ip": None, "endpoints": None, "site_clock": None, "bandwidth": None}
    def step(what: Text) -> None:
        if progress is not None:
            progress.step(what)

    if profile["network.ip_echo_urls"]:  # a silent echo service uses up its own share, never the others'
        step(Text(f"Public IP: asking {profile['network.ip_echo_urls'][0]} ...",
                  f"公网 IP：正在询问 {profile['network.ip_echo_urls'][0]} ……"))
        echo_deadline = min(deadline, start + budget * SHARES["public_ip"])
        net["public_ip"] = echo(profile["network.ip_echo_urls"], timeout_s=timeout, verify=verify,
                                deadline=echo_deadline)
        if not net["public_ip"]["ips"]:
            errors["network.public_ip.ips"] = join([
                Text(f"{a['url']}: ", f"{a['url']}：") + Text.from_json(a["reason"] or a["error"])
                for a in net["public_ip"]["answers"]]).to_dict()
    else:
        not_collected["network.public_ip"] = NO_ECHO_URLS.to_dict()
    if profile["network.endpoints"]:
        net["endpoints"] = []
        urls = profile["network.endpoints"]
        phase_end = min(deadline, time.monotonic() + budget * SHARES["endpoints"])
        for i, url in enumerate(urls):
            # each endpoint its part of what is left of the phase (a probe takes up to 4 steps)
            left = (phase_end - time.monotonic()) / (len(urls) - i)
            if left <= 0.1:
                net["endpoints"].append({"url": url, "ok": False, "failed_step": "deadline",
                                         "error": "not tried: no time left before the network deadline",
                                         "reason": DEADLINE.to_dict()})
                continue
            step(Text(f"Exam server: {url} ...", f"考试服务器：{url} ……"))
            net["endpoints"].append(probe(url, timeout_s=min(timeout, left / 2), verify=verify))
    else:
        not_collected["network.endpoints"] = NO_ENDPOINTS.to_dict()
    if profile.get("server.url"):  # the site server's clock, for the clock check (null without a server)
        from readiness.core.tls import Trust
        from readiness.pc.net.siteclock import site_clock

        step(Text(f"Site server's clock: {profile['server.url']} ...", f"考点服务器时间：{profile['server.url']} ……"))
        net["site_clock"] = site_clock(profile["server.url"], timeout_s=min(timeout, 3.0),
                                     trust=Trust.of(profile, "server"))
        if net["site_clock"]["server_time"] is None:
            clock = net["site_clock"]
            why = Text.from_json(clock["reason"] or clock["error"] or Text("no answer", "没有应答").to_dict())
            errors["network.site_clock"] = (Text("the site server's clock could not be read: ", "无法读取考点服务器时间：")
                                            + why).to_dict()
    where = profile["bandwidth.url"] or "speedtest.net"
    seconds = profile["bandwidth.warmup_s"] + profile["bandwidth.duration_s"]
    step(Text(f"Downlink: measuring from {where} (about {seconds:g} s) ...",
              f"下行带宽：正在从 {where} 测量（约 {seconds:g} 秒）……"))
    net["bandwidth"] = measure(profile, deadline=deadline, progress=progress)
    if net["bandwidth"]["download_mbps"] is None:
        errors["network.bandwidth.download_mbps"] = (net["bandwidth"]["reason"] or NO_MEASUREMENT.to_dict())
    return net
