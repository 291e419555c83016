"""Downlink against the plan's seat rule: 100 Mbit/s per 50 seats (2 a seat), 500 per 100 in
listening exams (5 a seat). On a good network each PC loads its paper in about 80 s."""

from __future__ import annotations

from readiness.api import FactUnavailable, Facts, Finding, Profile, Status, Text, check, former, rules


def load_note(seats: int, paper_mb: float, mbps: float) -> Text:
    s = rules.load_seconds(seats, paper_mb, mbps)
    return Text(f"{seats} seats load a {paper_mb:g} MB paper in about {s:.0f} s at once (the plan: about {rules.PLAN_LOAD_S} s).",
                f"{seats} 个机位同时加载 {paper_mb:g} MB 试卷约需 {s:.0f} 秒（应急预案：约 {rules.PLAN_LOAD_S} 秒）。")


# The rates, the paper size and the tolerance are the core's settings (readiness.core.settings.PLAN_SETTINGS):
# the site's aggregate and the rehearsal apply the same rules.
@check("bandwidth", title=Text("Downlink bandwidth", "下行带宽"), order=70, since="0.1.0")
def check_bandwidth(facts: Facts, profile: Profile) -> Finding:
    seats = profile["site.seats"]
    need = rules.required_mbps(profile, seats, profile["site.listening"])
    rule = Text(f"{seats} seats x {need / seats:g} Mbit/s", f"{seats} 机位 x {need / seats:g} Mbit/s")
    expected = Text(f"≥ {need:g} Mbit/s ({rule.en})", f"≥ {need:g} Mbit/s（{rule.zh}）")
    mbps = facts.get("network.bandwidth.download_mbps", float, minimum=0)
    if mbps is None:
        # what the failure means was worded where it was caught; an older snapshot has only the raw text
        raw = facts.get("network.bandwidth.error", str)
        raise FactUnavailable("network.bandwidth", facts.text("network.bandwidth.reason")
                              or (former(raw) if raw else None)
                              or facts.reason("network.bandwidth.download_mbps"))
    backend = facts.get("network.bandwidth.backend", str) or "?"
    shown = f"{mbps:.1f}" if mbps >= 1 else f"{mbps:.3f}"  # a crawling link still shows what was measured
    observed = Text(f"{shown} Mbit/s ({backend})", f"{shown} Mbit/s（{backend}）")
    note = facts.text("network.bandwidth.note")
    if mbps > 0:
        details = {"required_mbps": need, "measured_mbps": mbps,
                   "load_s": round(rules.load_seconds(seats, profile["bandwidth.paper_mb"], mbps), 1)}
        load = load_note(seats, profile["bandwidth.paper_mb"], mbps)
    else:
        details = {"required_mbps": need, "measured_mbps": mbps, "load_s": None}
        load = Text("Nothing arrived: no paper would load.", "未收到任何数据：试卷无法加载。")
    extra = Text(f" Note: {note.en}." if note else "", f" 注意：{note.zh}。" if note else "")
    status = rules.downlink_status(mbps, need, profile["bandwidth.tolerance_percent"])
    if status is Status.PASS:
        return Finding(Status.PASS, observed, expected, Text("Enough downlink. ", "下行带宽满足要求。") + load + extra,
                       None, details)
    remedy = Text(f"Raise the site's downlink to at least {need:g} Mbit/s (the plan: 100M per 50 seats, 500M per 100 "
                  "in listening exams), or seat fewer candidates per session. Measure from a PC with a gigabit "
                  "network card: a 100 Mbit/s card caps one PC at about 94 Mbit/s.",
                  f"请将考点下行带宽提高到至少 {need:g} Mbit/s（应急预案：每 50 机位 100M，听力考试每 100 机位 500M），"
                  "或减少每场考生数。请用千兆网卡的电脑测量：百兆网卡单机最多约 94 Mbit/s。")
    short = Text(f"Only {shown} of the {need:g} Mbit/s needed. ", f"仅 {shown} Mbit/s，要求 {need:g} Mbit/s。") + load + extra
    return Finding(status, observed, expected, short, remedy, details)
