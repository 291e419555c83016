"""The PC's clock against the servers it talks to: the exam server's HTTP Date and, with a site
server, its /api/clock.

A clock on a dead CMOS battery falls back to its build date at each start: TLS logins then fail
outside the certificate's validity, and the plan counts in minutes before the start. The
measurement is in the facts (each server's time, this PC's clock at send and receive), so a saved
snapshot is judged again the same way. The round trip is given to the PC (readiness.core.rules).
"""

from __future__ import annotations

from typing import Any

from readiness.api import FactUnavailable, Facts, Finding, NotCollected, Profile, Setting, Status, Text, check, field, join, rules

REMEDY = Text("Set the clock right: Settings → Time & language → Sync now (or, as administrator, `w32tm /resync`); "
              "check the time zone. A clock that is wrong again after a restart has a dead CMOS battery: replace it.",
              "请校准时间：设置 → 时间和语言 → 立即同步（或以管理员身份运行 `w32tm /resync`），并核对时区。"
              "重启后时间又不对，说明主板 CMOS 电池已耗尽，请更换。")


def _http_date(text: str) -> float | None:
    from email.utils import parsedate_to_datetime  # the email package only when a date is read (start-up)

    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _number(obj: dict, key: str, where: str) -> float:
    return float(field(obj, key, float, where, required=True))


def measurements(facts: Facts) -> list[dict[str, Any]]:
    """Each server that gave a time: its name, the clock offset and its uncertainty."""
    out: list[dict[str, Any]] = []
    looked = False
    try:
        endpoints = facts.get("network.endpoints", list)
        looked = True
    except NotCollected:
        endpoints = None
    else:  # every collector that measures the clock writes site_clock (null without a server.url)
        facts.expect("network.site_clock")
    for i, e in enumerate(endpoints or []):
        where = f"network.endpoints[{i}]"
        date = field(e, "date", str, where)
        server_s = _http_date(date) if date is not None else None
        if server_s is None:
            continue  # this endpoint gave no usable Date (it failed, or sent none)
        offset, unc = rules.clock_offset(server_s, _number(e, "sent_at", where), _number(e, "received_at", where))
        out.append({"source": str(e.get("url")), "offset_s": offset, "uncertainty_s": unc})
    site = facts.get("network.site_clock", dict)
    if site is not None:
        looked = True
        if site.get("server_time") is not None:
            where = "network.site_clock"
            offset, unc = rules.clock_offset(_number(site, "server_time", where), _number(site, "sent_at", where),
                                             _number(site, "received_at", where), resolution_s=0.0)
            out.append({"source": str(site.get("url")), "offset_s": offset, "uncertainty_s": unc})
    if not looked:  # no exam server in the profile and no site server: nothing to compare with
        raise NotCollected("network.endpoints", Text("no network.endpoints in the profile and no server.url",
                                                     "考点配置中没有 network.endpoints，也没有 server.url"))
    return out


def _span(seconds: float) -> Text:
    s = abs(seconds)
    if s < 120:
        return Text(f"{s:.0f} s", f"{s:.0f} 秒")
    if s < 7200:
        return Text(f"{s / 60:.0f} min", f"{s / 60:.0f} 分钟")
    if s < 172800:
        return Text(f"{s / 3600:.1f} h", f"{s / 3600:.1f} 小时")
    return Text(f"{s / 86400:.0f} days", f"{s / 86400:.0f} 天")


def _describe(m: dict[str, Any]) -> Text:
    span, unc = _span(m["offset_s"]), f"±{m['uncertainty_s']:.1f}"
    if abs(m["offset_s"]) <= m["uncertainty_s"]:
        return Text(f"{m['source']}: agrees ({m['offset_s']:+.1f} s {unc} s)",
                    f"{m['source']}：一致（{m['offset_s']:+.1f} 秒 {unc} 秒）")
    ahead = m["offset_s"] < 0  # the server is behind this PC: this PC is ahead
    return Text(f"{m['source']}: this PC is {span.en} {'ahead' if ahead else 'behind'} ({unc} s)",
                f"{m['source']}：本机{'快' if ahead else '慢'} {span.zh}（{unc} 秒）")


@check("clock", title=Text("Clock", "系统时间"), order=95, since="0.2.0", settings=(
    Setting("clock.warn_s", 60.0, Text("The clock may be off by this much and pass, seconds.",
                                       "时间误差不超过此值视为通过（秒）。"), "float", minimum=1, maximum=86400),
    Setting("clock.fail_s", 300.0, Text("Off by more than this fails (between the two warns), seconds.",
                                        "时间误差超过此值视为不通过（两者之间为警告），秒。"), "float", minimum=1,
            maximum=31 * 86400),
))
def check_clock(facts: Facts, profile: Profile) -> Finding:
    found = measurements(facts)
    if not found:
        raise FactUnavailable("network.endpoints", Text("no server gave its time (HTTP Date or /api/clock)",
                                                        "没有服务器给出时间（HTTP Date 或 /api/clock）"))
    warn_s, fail_s = profile["clock.warn_s"], profile["clock.fail_s"]
    # benefit of the doubt: the server that agrees best decides (another may have a wrong clock itself)
    best = min(found, key=lambda m: rules.clock_off_by(m["offset_s"], m["uncertainty_s"]))
    off_by = rules.clock_off_by(best["offset_s"], best["uncertainty_s"])
    status = rules.clock_status(off_by, warn_s, fail_s)
    observed = join([_describe(m) for m in found])
    expected = Text(f"within {warn_s:.0f} s of the servers", f"与服务器相差不超过 {warn_s:.0f} 秒")
    details = {"offsets": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in m.items()} for m in found]}
    if status is Status.PASS:
        return Finding(status, observed, expected, Text("The clock is right.", "系统时间准确。"), details=details)
    span = _span(best["offset_s"])
    way = "ahead" if best["offset_s"] < 0 else "behind"
    reason = Text(f"The clock is {span.en} {way} of {best['source']}: TLS logins and the exam's start times depend on it.",
                  f"本机时间比 {best['source']} {'快' if way == 'ahead' else '慢'} {span.zh}：TLS 登录和考试开始时间都依赖系统时间。")
    return Finding(status, observed, expected, reason, REMEDY, details)
