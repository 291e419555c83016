"""One self-contained page per aggregation (inline CSS, no scripts, no network) that a site
manager opens, prints and signs; every label in Chinese and English."""

from __future__ import annotations

import math
from datetime import datetime, timezone, tzinfo
from html import escape
from typing import Any, Mapping, Sequence

from readiness.site.aggregate.reverted import REVERTED_HEADING, reverted_text
from readiness.site.aggregate.site import Aggregate, SiteSummary
from readiness.core.i18n import Lang, Text
from readiness.core.model import STATUS_LABELS, Status
from readiness.reports.site_text import NO_ID, SEATS_FROM, VERDICT, site_label
from readiness.site.words import WORDS

COLORS = {"pass": "#2e7d32", "warn": "#f9a825", "fail": "#c62828", "error": "#757575", "missing": "#e0e0e0"}
CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#212121}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #ccc}
.meta{color:#555;font-size:13px}.verdict{font-size:24px;font-weight:bold;color:#fff;padding:12px 16px;margin:12px 0;border-radius:4px}
.stats span{display:inline-block;margin-right:18px;font-size:15px}
.grid{display:flex;flex-wrap:wrap;gap:4px;margin:8px 0}
.seat{width:86px;height:42px;border-radius:3px;color:#fff;font-size:11px;padding:3px;box-sizing:border-box;overflow:hidden;word-break:break-all}
.seat.missing{color:#616161;border:1px dashed #9e9e9e}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}.num{text-align:right}.st{font-weight:bold}
.finding{margin:4px 0;font-size:14px}.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.sign{margin-top:40px;font-size:15px}.sign span{display:inline-block;width:260px;border-bottom:1px solid #000;margin:0 24px 0 8px}
@media print{body{margin:8mm}.seat,.verdict,.legend i{-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{page-break-after:avoid}}
"""


def bi(text: Text) -> str:
    """Chinese first, English beside it, as the page is read by both."""
    if text.zh == text.en:
        return escape(text.zh)
    return f"{escape(text.zh)} <small>{escape(text.en)}</small>"


def _status(s: str) -> str:
    label = STATUS_LABELS[Status(s)]
    return f'<span class="st" style="color:{COLORS[s]}">{escape(label.zh)} {escape(label.en)}</span>'


def _site(s: SiteSummary, before_signature: str = "") -> str:
    """One site's section; before_signature (the server's rehearsal rounds) goes above the line the
    manager signs: what is signed is the whole page above it."""
    parts = [f"<h2>{bi(Text('Site', '考点'))} {bi(site_label(s))}</h2>",
             f'<div class="verdict" style="background:{COLORS[s.status.value]}">{bi(VERDICT[s.status])}</div>']
    missing = max(0, s.seats - s.reports)
    stats = [(Text("Reports", "报告"), f"{s.reports} / {s.seats}" if s.seats_source != "machines" else str(s.reports)), (Text("Ready", "就绪"), s.counts["pass"]),
             (Text("Warned", "警告"), s.counts["warn"]), (Text("Not ready", "未就绪"), s.counts["fail"]),
             (Text("Undetermined", "无法判断"), s.counts["error"]), (Text("Missing", "未提交"), missing)]
    parts.append('<div class="stats">' + "".join(f"<span>{bi(t)}: <b>{escape(str(v))}</b></span>" for t, v in stats)
                 + f'<span class="meta">{bi(SEATS_FROM[s.seats_source])}</span></div>')
    for f in s.findings:
        parts.append(f'<div class="finding">{_status(f.status.value)} {bi(f.what)}</div>')
    parts.append(f"<h3>{bi(Text('Seats', '机位'))}</h3>")
    parts.append('<div class="legend">' + "".join(
        f'<span><i style="background:{COLORS[k]}"></i>{bi(STATUS_LABELS[Status(k)]) if k != "missing" else bi(Text("no report", "未提交"))}</span>'
        for k in ("pass", "warn", "fail", "error", "missing")) + "</div>")
    cells = [f'<div class="seat" style="background:{COLORS[m.status]}" title="{escape(m.source)}"><bdi>{escape(m.hostname)}</bdi></div>'
             for m in s.machines]
    cells += ['<div class="seat missing"></div>'] * min(missing, 1000)
    parts.append('<div class="grid">' + "".join(cells) + "</div>")
    rows = "".join(f"<tr><td>{bi(s.title(cid))}</td>" + "".join(f'<td class="num">{c[k]}</td>' for k in ("pass", "warn", "fail", "skip", "error")) + "</tr>"
                   for cid, c in s.checks.items())
    heads = "".join(f"<th>{bi(STATUS_LABELS[Status(k)])}</th>" for k in ("pass", "warn", "fail", "skip", "error"))
    parts.append(f"<h3>{bi(Text('Checks', '检查项'))}</h3><table><tr><th>{bi(Text('Check', '检查项'))}</th>{heads}</tr>{rows}</table>")
    b = s.bandwidth
    net = [(Text("Downlink needed", "所需下行带宽"), f"{b['required_mbps']:g} Mbit/s ({s.seats} x {b['per_seat_mbps']:g})"),
           (Text("Best / median measured", "实测最高 / 中位数"),
            f"{b['best_mbps']:.1f} / {b['median_mbps']:.1f} Mbit/s" if b["best_mbps"] is not None else "-"),
           (Text("All seats load a paper in", "全部机位加载试卷"),
            f"~{b['load_s']:.0f} s (预案 plan: {b['plan_load_s']} s)" if b["load_s"] else "-"),
           (Text("Egress IPs seen", "出口 IP"), ", ".join(
               f"{ip} ({n})" + (" 未登记 NOT REGISTERED" if ip in s.egress["unregistered"] else "")
               for ip, n in s.egress["seen"].items()) or "-"),
           (Text("Client versions", "客户端版本"), ", ".join(f"{v} x{n}" for v, n in s.client_versions.items())),
           (WORDS["tool_versions"], ", ".join(f"{v} x{n}" for v, n in s.tool_versions.items()))]
    parts.append(f"<h3>{bi(Text('Network and client', '网络与客户端'))}</h3><table>"
                 + "".join(f"<tr><th>{bi(t)}</th><td>{escape(v)}</td></tr>" for t, v in net) + "</table>")
    if s.behind:  # PCs an older readiness checked: they were never looked at for today's checks
        parts.append("".join(f"<p class=\"behind\">{bi(b.what)}</p>" for b in s.behind))
    reverted = [(m, r) for m in s.machines for r in m.reverted]
    if reverted:
        parts.append(f"<h3>{bi(REVERTED_HEADING)}</h3><table><tr><th>{bi(Text('PC', '考试机'))}</th>"
                     f"<th>{bi(Text('What happened', '情况'))}</th></tr>"
                     + "".join(f"<tr><td><bdi>{escape(m.hostname)}</bdi></td><td>{bi(reverted_text(r, s.title(r.check)))}</td></tr>"
                               for m, r in reverted) + "</table>")
    problems = s.problem_machines
    if problems:
        body = []
        for m in problems:
            items = "<br>".join(f"{_status(p.status)} {bi(p.name)}: {bi(p.observed)}" for p in m.problems)
            body.append(f"<tr><td><bdi>{escape(m.hostname)}</bdi></td><td>{_status(m.status)}</td><td>{items}</td></tr>")
        parts.append(f"<h3>{bi(Text('Machines with problems', '有问题的考试机'))}</h3><table><tr><th>{bi(Text('PC', '考试机'))}</th>"
                     f"<th>{bi(Text('Status', '状态'))}</th><th>{bi(Text('Problems', '问题'))}</th></tr>{''.join(body)}</table>")
        fixes = s.fixes()
        if fixes:
            parts.append(f"<h3>{bi(Text('Remedies', '处理办法'))}</h3><table>"
                         + "".join(f"<tr><th>{bi(s.title(cid))}</th><td>{escape(r.zh)}<br><small>{escape(r.en)}</small></td></tr>"
                                   for cid, r in fixes) + "</table>")
    if before_signature:
        parts.append(before_signature)
    parts.append(f'<div class="sign">{bi(Text("Site manager", "考点负责人签字"))}<span></span>'
                 f'{bi(Text("Date", "日期"))}<span style="width:140px"></span></div>')
    return "\n".join(parts)


MAX_NAMES = 20  # seats named per list in a round's row; the rest are counted


def _num(value: Any) -> float | None:
    """A finite number, or None (a stored round read back may hold anything)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _number(value: Any, fmt: str) -> str:
    n = _num(value)
    return "-" if n is None else format(int(n) if fmt == "d" else n, fmt)


def _names(values: Any) -> str:
    names = [str(v) for v in values] if isinstance(values, list) else []
    shown = ", ".join(names[:MAX_NAMES])
    return escape(shown + (f" … +{len(names) - MAX_NAMES}" if len(names) > MAX_NAMES else "")) or "-"


def _zone(generated_at: str) -> tzinfo:
    """The report's own time zone (the times of a page agree with its date), else UTC."""
    try:
        return datetime.fromisoformat(generated_at).tzinfo or timezone.utc
    except (TypeError, ValueError):
        return timezone.utc


def _when(value: Any, zone: tzinfo) -> str:
    start = _num(value)
    try:
        return "-" if start is None else datetime.fromtimestamp(start, zone).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return "-"


def _round_row(r: Mapping[str, Any], zone: tzinfo) -> str:
    """One round: when, seats, p50/p95/max against the plan, throughput, who did not make it. A
    stored round read back may lack anything: a missing figure is "-", never a crash."""
    plan = _num(r.get("plan_s")) or 80.0
    seats = r.get("seats")
    failed = [s.get("hostname") for s in seats if isinstance(s, Mapping) and s.get("status") == "failed"] \
        if isinstance(seats, list) else []
    unfinished = r.get("unfinished")
    unfinished = unfinished if isinstance(unfinished, list) else []
    worst = _num(r.get("max_s"))
    if r.get("state") in ("scheduled", "running"):
        verdict, status = Text("under way", "进行中"), "error"
    elif unfinished or failed or (worst is not None and worst > plan):
        verdict, status = Text(f"not all within {plan:g} s", f"未全部在 {plan:g} 秒内"), "fail"
    elif worst is not None:
        verdict, status = Text(f"all within {plan:g} s", f"全部在 {plan:g} 秒内"), "pass"
    else:
        verdict, status = Text("no seat finished", "无机位完成"), "error"
    notes = []
    if r.get("stopped") is True:
        notes.append(bi(Text("stopped", "已中止")))
    if r.get("interrupted") is True:
        notes.append(bi(Text("the server stopped during it", "演练中服务器停止")))
    cells = [escape(str(r.get("id", "-"))) + "".join("<br>" + n for n in notes), escape(_when(r.get("start_at"), zone)),
             f'{_number(r.get("finished"), "d")} / {_number(r.get("expected"), "d")}',
             " / ".join(_number(r.get(k), ".1f") for k in ("p50_s", "p95_s", "max_s")),
             f'<span class="st" style="color:{COLORS[status]}">{bi(verdict)}</span>',
             _number(r.get("throughput_mbps"), ".1f"), _names(unfinished), _names(failed), _names(r.get("late"))]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _rehearsals(rounds: Sequence[Mapping[str, Any]], zone: tzinfo) -> str:
    head = f"<h2>{bi(Text('Exam-start rehearsals', '开考演练'))}</h2>"
    if not rounds:
        return head + f"<p>{bi(Text('No round was run (the plan advises three, at the time of day of the exam).', '未进行演练（建议在开考同一时段演练三轮）。'))}</p>"
    heads = [Text("Round", "轮次"), Text("Start", "开始"), Text("Finished / seats", "完成 / 机位"),
             Text("p50 / p95 / max, s", "p50 / p95 / 最长（秒）"), Text("Against the plan", "对照预案"),
             Text("Throughput, Mbit/s", "总吞吐（Mbit/s）"), Text("Did not finish", "未完成"), Text("Failed", "失败"),
             Text("Joined late", "迟到")]
    rows = "".join(_round_row(r, zone) for r in rounds if isinstance(r, Mapping))
    return head + "<table><tr>" + "".join(f"<th>{bi(t)}</th>" for t in heads) + f"</tr>{rows}</table>"


def render(agg: Aggregate, lang: Lang = Lang.EN, rehearsals: Sequence[Mapping[str, Any]] | None = None) -> str:
    """The page; with rehearsals (the site server's export: `aggregate` has none) also a section
    with each round."""
    mode = (Text("verdicts as stored in the reports", "采用报告中保存的结论") if agg.mode == "stored" else
            Text(f"re-judged with {agg.profile_source}", f"已按 {agg.profile_source} 重新判定"))
    body = [f"<h1>{bi(Text('Exam site readiness', '考点考试机就绪报告'))}</h1>",
            f'<div class="meta">{escape(agg.generated_at)} · {bi(mode)}</div>']
    if len(agg.sites) > 1:
        rows = "".join(
            f"<tr><td>{bi(NO_ID) if not s.id else escape(s.id)}</td><td>{escape(s.name)}</td><td>{_status(s.status.value)}</td>"
            + "".join(f'<td class="num">{s.counts[k]}</td>' for k in ("pass", "warn", "fail", "error"))
            + f'<td class="num">{s.reports} / {s.seats}</td></tr>' for s in agg.sites)
        heads = "".join(f"<th>{bi(STATUS_LABELS[Status(k)])}</th>" for k in ("pass", "warn", "fail", "error"))
        body.append(f"<h2>{bi(Text('All sites', '全部考点'))}</h2>"
                    f'<div class="verdict" style="background:{COLORS[agg.status.value]}">{bi(VERDICT[agg.status])}</div>'
                    f"<table><tr><th>{bi(Text('Site', '考点'))}</th><th>{bi(Text('Name', '名称'))}</th>"
                    f"<th>{bi(Text('Verdict', '结论'))}</th>{heads}<th>{bi(Text('Reports', '报告'))}</th></tr>{rows}</table>")
    rounds = _rehearsals(rehearsals, _zone(agg.generated_at)) if rehearsals is not None else ""
    one = len(agg.sites) == 1  # the site server's page: its rounds are signed with its site
    body += [_site(s, rounds if one else "") for s in agg.sites]
    if not agg.sites:
        body.append(f"<p>{bi(Text('No usable report found.', '没有可用的报告。'))}</p>")
    if rounds and not one:
        body.append(rounds)
    if agg.rejected:
        rows = "".join(f"<tr><td>{escape(r.path)}</td><td>{bi(r.reason)}</td></tr>" for r in agg.rejected)
        body.append(f"<h2>{bi(Text('Rejected inputs', '未采用的文件'))}</h2><table>{rows}</table>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>考点就绪报告 Site readiness</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
