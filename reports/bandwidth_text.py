"""The `readiness bandwidth` text: the verdict, then how the figure was measured."""

from __future__ import annotations

from typing import Any, Mapping

from readiness.core.i18n import Lang, Text
from readiness.core.model import STATUS_LABELS, CheckResult


def detail(m: Mapping[str, Any], asked_s: float, lang: Lang) -> list[str]:
    """How the figure was measured, and whether the byte cap cut the window short."""
    out: list[str] = []
    if m.get("download_mbps") is None:
        return out
    cpu = f"{(m.get('cpu_core_share') or 0) * 100:.0f}%"
    n = m.get("streams")
    streams = f"{n} parallel stream{'' if n == 1 else 's'}"
    threads = f"{n} thread{'' if n == 1 else 's'}"
    if m.get("backend") == "speedtest":
        out.append(Text(f"speedtest, {threads}, {m.get('window_s')} s, CPU {cpu} of one core",
                        f"speedtest，{m.get('streams')} 个线程，{m.get('window_s')} 秒，CPU 占用单核 {cpu}")(lang))
    else:
        out.append(Text(f"median {m.get('median_mbps')} Mbit/s, p90 {m.get('p90_mbps')} Mbit/s, "
                        f"{streams}, window {m.get('window_s')} s after {m.get('warmup_s')} s "
                        f"warm-up, CPU {cpu} of one core",
                        f"中位数 {m.get('median_mbps')} Mbit/s，p90 {m.get('p90_mbps')} Mbit/s，{m.get('streams')} 个并行连接，"
                        f"预热 {m.get('warmup_s')} 秒后测量 {m.get('window_s')} 秒，CPU 占用单核 {cpu}")(lang))
    if m.get("capped"):
        out.append(Text(f"The byte cap (bandwidth.max_mb) ended the window early: {m.get('window_s')} s of the "
                        f"{asked_s:g} s asked were measured.",
                        f"已达到下载量上限（bandwidth.max_mb），测量提前结束：要求 {asked_s:g} 秒，"
                        f"实际测量 {m.get('window_s')} 秒。")(lang))
    return out


def render(m: Mapping[str, Any], result: CheckResult, asked_s: float, lang: Lang) -> str:
    lines = [f"[{STATUS_LABELS[result.status](lang)}] {result.observed(lang)}  {result.expected(lang)}",
             result.message(lang)] + detail(m, asked_s, lang)
    if result.remedy:
        lines.append(result.remedy(lang))
    return "\n".join(lines) + "\n"
