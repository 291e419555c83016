"""The PC's clock against the servers it talks to: the exam server's HTTP Date and, with a site
server, its /api/clock; and the PC's time zone against the exam's.

A clock on a dead CMOS battery falls back to its build date at each start: TLS logins then fail
outside the certificate's validity, and the plan counts in minutes before the start. The
measurement is in the facts (each server's time, this PC's clock at send and receive), so a saved
snapshot is judged again the same way. The round trip is given to the PC (readiness.core.rules).
The exam server decides when it gave a time; the site server only without it. A snapshot without
the zone (an older tool's) is judged on the clock alone.
"""

from __future__ import annotations

import math
from typing import Any

from readiness.api import FactUnavailable, Facts, Finding, NotCollected, Profile, Setting, Status, Text, check, field, join, rules

REMEDY = Text("Set the clock right: Settings → Time & language → Sync now (or, as administrator, `w32tm /resync`). "
              "A clock that is wrong again after a restart has a dead CMOS battery: replace it.",
              "请校准时间：设置 → 时间和语言 → 立即同步（或以管理员身份运行 `w32tm /resync`）。"
              "重启后时间又不对，说明主板 CMOS 电池已耗尽，请更换。")
# Windows Time does not correct an offset beyond MaxPos/MaxNegPhaseCorrection (rules.W32TIME_MAX_CORRECTION_S)
FAR_REMEDY = Text("Windows Time does not correct a clock this far off (more than 15 hours): \"Sync now\" and "
                  "`w32tm /resync` do nothing. Set the date and time by hand first (Settings → Time & language → "
                  "Date & time: turn off \"Set time automatically\", then Change; or, as administrator, `date` and "
                  "`time` in a command prompt), then sync. The CMOS battery is likely dead: replace it, or the "
                  "clock is wrong again after the next restart.",
                  "本机时间偏差过大（超过 15 小时），Windows 时间服务不会校正：\"立即同步\"和 `w32tm /resync` 均无效。"
                  "请先手动设置日期和时间（设置 → 时间和语言 → 日期和时间：关闭\"自动设置时间\"后点\"更改\"；"
                  "或以管理员身份在命令提示符中运行 `date` 和 `time`），再同步。主板 CMOS 电池很可能已耗尽，"
                  "请更换，否则下次重启后时间又会出错。")


def http_date(text: str) -> float | None:
    """An HTTP Date as Unix seconds, or None. RFC 9110 §5.6.7: a recipient accepts all three
    forms (IMF-fixdate, the obsolete RFC 850 and asctime forms), and each is GMT: a date without a
    zone, or with -0000, is never read in this PC's zone (an explicit numeric offset, which no
    conforming server sends, is applied)."""
    import calendar
    from email.utils import parsedate_tz  # the email package only when a date is read (start-up)

    try:
        parts = parsedate_tz(text)
        if parts is None:
            return None
        return float(calendar.timegm(parts[:6]) - (parts[9] or 0))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


MAX_AGE_S = 2**31  # RFC 9111 §1.2.2: a delta-seconds larger than this is taken as 2^31


def age_s(value: object) -> float:
    """A cached answer's Age header (RFC 9111 §5.1: whole seconds since the origin made it);
    anything but digits is no Age (0)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isdigit() or not text.isascii():
        return 0.0
    return float(MAX_AGE_S) if len(text) > 10 else float(min(int(text), MAX_AGE_S))


def _number(obj: dict, key: str, where: str) -> float:
    return float(field(obj, key, float, where, required=True))


def measurements(facts: Facts) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the exam servers', the site server's) measurements: each server that gave a time, with
    the clock offset and its uncertainty."""
    exam: list[dict[str, Any]] = []
    site_out: list[dict[str, Any]] = []
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
        server_s = http_date(date) if date is not None else None
        if server_s is None:
            continue  # this endpoint gave no usable Date (it failed, or sent none)
        age = age_s(e.get("age"))  # a cache's answer keeps the origin's Date (RFC 9111 §4.2.3)
        offset, unc = rules.clock_offset(server_s + age, _number(e, "sent_at", where), _number(e, "received_at", where))
        exam.append({"source": str(e.get("url")), "offset_s": offset, "uncertainty_s": unc, "age_s": age or None,
                     "unverified": e.get("date_unverified") is True})
    site = facts.get("network.site_clock", dict)
    if site is not None:
        looked = True
        if site.get("server_time") is not None:
            where = "network.site_clock"
            offset, unc = rules.clock_offset(_number(site, "server_time", where), _number(site, "sent_at", where),
                                             _number(site, "received_at", where), resolution_s=0.0)
            site_out.append({"source": str(site.get("url")), "offset_s": offset, "uncertainty_s": unc})
    if not looked:  # no exam server in the profile and no site server: nothing to compare with
        raise NotCollected("network.endpoints", Text("no network.endpoints in the profile and no server.url",
                                                     "考点配置中没有 network.endpoints，也没有 server.url"))
    return exam, site_out


def _offset_text(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = round(abs(seconds) / 60)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _utc_offset(value: str) -> str | None:
    return None if rules.utc_offset_s(value) is not None else "not an offset from UTC such as +08:00"


def zone_finding(facts: Facts, profile: Profile) -> tuple[Text, bool, dict[str, Any]] | None:
    """(what the PC's zone is, whether it is the exam's, details), or None when the snapshot has
    no zone (collected before it was recorded, or unreadable): then the zone is not judged."""
    zone = facts.get("time_zone", dict)
    if zone is None:
        return None
    pc = field(zone, "utc_offset_s", float, "time_zone")
    if pc is None:
        return None
    low, high = rules.UTC_OFFSETS_S
    if isinstance(pc, bool) or not math.isfinite(pc) or not low <= pc <= high:
        raise FactUnavailable("time_zone.utc_offset_s", Text(f"{pc!r} s is no offset from UTC",
                                                             f"{pc!r} 秒不是有效的 UTC 偏移"))
    exam, source = rules.exam_utc_offset(profile["exam.starts_at"], profile["clock.utc_offset"])
    if exam is None:
        return None
    name = str(zone.get("key") or zone.get("name") or "?")
    ok = rules.zone_matches(float(pc), exam)
    text = Text(f"time zone {name} ({_offset_text(float(pc))})", f"时区 {name}（{_offset_text(float(pc))}）")
    return text, ok, {"time_zone": name, "utc_offset_s": pc, "exam_utc_offset_s": exam, "exam_offset_from": source}


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
    how = Text("", "")
    if m.get("unverified"):
        how = Text(", its Date read without TLS verification (the certificate was refused)",
                   "，其 Date 在未验证 TLS 证书的情况下读取（证书被拒绝）")
    if m.get("age_s"):
        how = how + Text(f", a cached answer {m['age_s']:.0f} s old", f"，缓存的应答已存在 {m['age_s']:.0f} 秒")
    if abs(m["offset_s"]) <= m["uncertainty_s"]:
        return Text(f"{m['source']}: agrees ({m['offset_s']:+.1f} s {unc} s{how.en})",
                    f"{m['source']}：一致（{m['offset_s']:+.1f} 秒 {unc} 秒{how.zh}）")
    ahead = m["offset_s"] < 0  # the server is behind this PC: this PC is ahead
    return Text(f"{m['source']}: this PC is {span.en} {'ahead' if ahead else 'behind'} ({unc} s{how.en})",
                f"{m['source']}：本机{'快' if ahead else '慢'} {span.zh}（{unc} 秒{how.zh}）")


def _zone_remedy(exam_offset_s: float) -> Text:
    offset = _offset_text(exam_offset_s)
    china = Text(" — for +08:00 \"(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi\", or as administrator "
                 "`tzutil /s \"China Standard Time\"`",
                 "——+08:00 即\"(UTC+08:00) 北京，重庆，香港特别行政区，乌鲁木齐\"，或以管理员身份运行 "
                 "`tzutil /s \"China Standard Time\"`") if round(exam_offset_s) == 8 * 3600 else Text("", "")
    return Text(f"Set the time zone to the exam's ({offset}): Settings → Time & language → Date & time → Time zone"
                f"{china.en}. Then check the clock again.",
                f"请将时区设为考试所用时区（{offset}）：设置 → 时间和语言 → 日期和时间 → 时区{china.zh}。然后再次检查时间。")


@check("clock", title=Text("Clock", "系统时间"), order=95, since="0.2.0", settings=(
    Setting("clock.warn_s", 60.0, Text("The clock may be off by this much and pass, seconds.",
                                       "时间误差不超过此值视为通过（秒）。"), "float", minimum=1, maximum=86400),
    Setting("clock.fail_s", 300.0, Text("Off by more than this fails (between the two warns), seconds.",
                                        "时间误差超过此值视为不通过（两者之间为警告），秒。"), "float", minimum=1,
            maximum=31 * 86400),
    Setting("clock.utc_offset", rules.PLAN_UTC_OFFSET,
            Text("The exam's time zone as an offset from UTC, when exam.starts_at gives none (the plan: +08:00, "
                 "China Standard Time); a PC in another zone fails.",
                 "考试所用时区（相对 UTC 的偏移），exam.starts_at 未给出时使用（预案：+08:00，北京时间）；"
                 "本机时区不同则不通过。"), validate=_utc_offset),
))
def check_clock(facts: Facts, profile: Profile) -> Finding:
    zone = zone_finding(facts, profile)
    zone_wrong = zone is not None and not zone[1]
    try:
        exam, site = measurements(facts)
    except NotCollected:
        if zone is not None and zone_wrong:  # judged without the network: offline, a wrong zone still fails
            return _zone_only(zone)
        raise
    deciding = rules.deciding_clock(exam, site)
    if deciding is None:
        if zone is not None and zone_wrong:
            return _zone_only(zone)
        raise FactUnavailable("network.endpoints", Text("no server gave its time (HTTP Date or /api/clock)",
                                                        "没有服务器给出时间（HTTP Date 或 /api/clock）"))
    warn_s, fail_s = profile["clock.warn_s"], profile["clock.fail_s"]
    off_by = rules.clock_off_by(deciding["offset_s"], deciding["uncertainty_s"])
    status = rules.clock_status(off_by, warn_s, fail_s)
    observed = join([_describe(m) for m in exam + site] + ([zone[0]] if zone else []))
    expected = Text(f"within {warn_s:.0f} s of the exam server", f"与考试服务器相差不超过 {warn_s:.0f} 秒") if exam else \
        Text(f"within {warn_s:.0f} s of the site server", f"与考点服务器相差不超过 {warn_s:.0f} 秒")
    details: dict[str, Any] = {
        "offsets": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in m.items()} for m in exam + site],
        "decided_by": deciding["source"]}
    if zone:
        details.update(zone[2])
    if status is Status.PASS and not zone_wrong:
        return Finding(status, observed, expected, Text("The clock is right.", "系统时间准确。"), details=details)
    reasons, remedies = [], []
    if status is not Status.PASS:
        span = _span(deciding["offset_s"])
        way = "ahead" if deciding["offset_s"] < 0 else "behind"
        reasons.append(Text(f"The clock is {span.en} {way} of {deciding['source']}: TLS logins and the exam's start "
                            "times depend on it.",
                            f"本机时间比 {deciding['source']} {'快' if way == 'ahead' else '慢'} {span.zh}：TLS 登录和考试"
                            "开始时间都依赖系统时间。"))
        remedies.append(FAR_REMEDY if rules.beyond_w32time(off_by) else REMEDY)
    if zone_wrong:
        assert zone is not None
        reasons.append(_zone_reason(zone))
        remedies.append(_zone_remedy(zone[2]["exam_utc_offset_s"]))
        status = Status.FAIL
    return Finding(status, observed, expected, join(reasons, " ", ""), join(remedies, " ", ""), details)


def _zone_reason(zone: tuple[Text, bool, dict[str, Any]]) -> Text:
    exam = _offset_text(zone[2]["exam_utc_offset_s"])
    source = zone[2]["exam_offset_from"]
    return Text(f"This PC's {zone[0].en} is not the exam's ({exam}, from {source}): the exam's times show wrong "
                "on this PC.", f"本机{zone[0].zh}与考试所用时区（{exam}，来自 {source}）不同：本机显示的考试时间会出错。")


def _zone_only(zone: tuple[Text, bool, dict[str, Any]]) -> Finding:
    exam = _offset_text(zone[2]["exam_utc_offset_s"])
    return Finding(Status.FAIL, zone[0], Text(f"the exam's time zone ({exam})", f"考试所用时区（{exam}）"),
                   _zone_reason(zone), _zone_remedy(zone[2]["exam_utc_offset_s"]), dict(zone[2]))
