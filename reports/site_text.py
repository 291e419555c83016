"""The site manager's terminal summary: one block per site, then a roll-up and the rejects."""

from __future__ import annotations

from datetime import tzinfo

from readiness.site.aggregate.reverted import REVERTED_HEADING, reverted_text
from readiness.site.aggregate.site import Aggregate, SiteSummary
from readiness.core.i18n import Lang, Text
from readiness.core.model import STATUS_LABELS, Status
from readiness.core.model import VERDICTS
from readiness.reports.text import cells, pad, wrap
from readiness.site.words import WORDS

VERDICT = VERDICTS  # a site's verdict reads like a machine's
L = WORDS  # the site's one vocabulary, shared with the server's pages


NO_ID = WORDS["no_site_id"]
SEATS_FROM = {
    "profile": Text("Seat count from the profile (site.seats).", "机位数取自考点配置（site.seats）。"),
    "reports": Text("Seat count from the site profile the reports were judged with.", "机位数取自报告所用的考点配置。"),
    "machines": Text("Seat count unknown: no report was judged with a site profile, so missing seats cannot be "
                     "told; give --profile with site.seats.", "机位数未知：报告均未使用考点配置，无法判断是否有机位未提交；"
                     "请用 --profile 指定 site.seats。"),
}


def site_label(s: SiteSummary) -> Text:
    """"1101 海淀学习中心", or what says that the reports name no site."""
    if not s.id:
        return Text(f"{NO_ID.en} {s.name}".rstrip(), f"{NO_ID.zh} {s.name}".rstrip())
    return Text(f"{s.id} {s.name}".rstrip(), f"{s.id} {s.name}".rstrip())


def count_text(n: int, one: str, many: str, zh: str) -> Text:
    return Text(f"{n} {one if n == 1 else many}", f"{n} {zh}")


def _hang(prefix: str, text: str, indent: int, width: int = 100) -> list[str]:
    """prefix + text wrapped, continuation lines indented under the text."""
    lines = wrap(text, width - max(indent, cells(prefix)))
    return [prefix + lines[0]] + [" " * indent + line for line in lines[1:]]


def _site(s: SiteSummary, lang: Lang, zone: tzinfo) -> list[str]:
    t = lambda k: L[k](lang)  # noqa: E731
    out = [f"{t('site')} {site_label(s)(lang)} -- {VERDICT[s.status](lang)}"]
    missing = max(0, s.seats - s.reports)
    seats = (f"{t('reports')} {s.reports} {t('of')} {s.seats} {t('seats')}" if s.seats_source != "machines"
             else f"{t('reports')} {s.reports}")
    out.append(f"  {seats}" + (f" ({missing} {t('missing')})" if missing else "")
               + f"   {t('ready')} {s.counts['pass']}  {t('warned')} {s.counts['warn']}  "
               f"{t('notready')} {s.counts['fail']}  {t('undetermined')} {s.counts['error']}")
    out += _hang("  ", SEATS_FROM[s.seats_source](lang), 4)
    b = s.bandwidth
    if b["best_mbps"] is None:
        out.append(f"  {t('downlink')}: {t('nomeasure')}; {t('need')} {b['required_mbps']:g} Mbit/s")
    else:
        out.append(f"  {t('downlink')}: {t('best')} {b['best_mbps']:.1f}, {t('median')} {b['median_mbps']:.1f} Mbit/s; "
                   f"{t('need')} {b['required_mbps']:g} ({s.seats} x {b['per_seat_mbps']:g}); "
                   f"{t('load')} ~{b['load_s']:.0f} s ({t('plan')} {b['plan_load_s']} s)")
    if s.egress["seen"]:
        ips = ", ".join(f"{ip} ({n} {t('PCs')})" + (f" {t('unregistered')}" if ip in s.egress["unregistered"] else "")
                        for ip, n in s.egress["seen"].items())
        out.append(f"  {t('egress')}: {ips}")
    out.append(f"  {t('versions')}: " + ", ".join(f"{v} x{n}" for v, n in s.client_versions.items()))
    out.append(f"  {t('tool_versions')}: " + ", ".join(f"{v} x{n}" for v, n in s.tool_versions.items()))
    for older in s.behind:
        out += _hang("  ! ", older.what(lang), 4)
    for f in s.findings:
        out += _hang("  ! ", f"[{STATUS_LABELS[f.status](lang)}] {f.what(lang)}", 4)
    counted = s.checks_with_problems()
    if counted:
        out.append("  " + pad(t("check"), 25) + " ".join(" " * (8 - cells(STATUS_LABELS[Status(k)](lang)))
                                                         + STATUS_LABELS[Status(k)](lang) for k in ("fail", "error", "warn")))
        for cid, c in counted:
            out.append("  " + pad(s.title(cid)(lang), 25) + " ".join(f"{c[k]:>8}" for k in ("fail", "error", "warn")))
    problems = s.problem_machines
    if problems:
        out.append(f"  {t('problems')}:")
        for m in problems[:200]:
            checks = "; ".join(f"{p.name(lang)}: {p.observed(lang)}" for p in m.problems if p.status != "warn") or \
                "; ".join(p.name(lang) for p in m.problems)
            out += _hang(f"    {m.hostname:<14} ", f"[{STATUS_LABELS[Status(m.status)](lang)}] {checks}", 20)
        if len(problems) > 200:
            out.append(f"    ... +{len(problems) - 200}")
        fixes = s.fixes()
        for cid, remedy in fixes:
            out += _hang(f"  {t('fix')} {s.title(cid)(lang)}: ", remedy(lang), 6)
    out += _reverted(s, lang, zone)
    return out


def _reverted(s: SiteSummary, lang: Lang, zone: tzinfo) -> list[str]:
    """PCs that lose changes at restart: a check passed in an earlier report and fails again."""
    machines = [m for m in s.machines if m.reverted]
    if not machines:
        return []
    out = [f"  {REVERTED_HEADING(lang)}:"]
    for m in machines:
        for r in m.reverted:
            out += _hang(f"    {m.hostname:<14} ", reverted_text(r, s.title(r.check), zone)(lang), 20)
    return out


def render(agg: Aggregate, lang: Lang = Lang.EN) -> str:
    lang = Lang(lang)
    out = [L["mode_stored"](lang) if agg.mode == "stored" else f"{L['mode_rejudged'](lang)} {agg.profile_source}"]
    for s in agg.sites:
        out += [""] + _site(s, lang, agg.zone)
    if len(agg.sites) > 1:
        c = agg.counts
        out += ["", f"{L['all'](lang)}: {VERDICT[agg.status](lang)} -- "
                    f"{count_text(len(agg.sites), 'sites', 'sites', '个考点')(lang)}, "
                    f"{L['ready'](lang)} {c['pass']}  {L['warned'](lang)} {c['warn']}  {L['notready'](lang)} {c['fail']}  "
                    f"{L['undetermined'](lang)} {c['error']}"]
    if not agg.sites:
        out += ["", VERDICT[Status.ERROR](lang) + ": " + Text("no usable report found", "没有可用的报告")(lang)]
    if agg.superseded:
        n = len(agg.superseded)
        out += ["", Text(f"{n} older {'report' if n == 1 else 'reports'} superseded by a newer run of the same PC",
                         f"{n} 份旧报告被同一台机器的新报告取代")(lang)]
        ties = sum(1 for e in agg.superseded if e.get("tie"))
        if ties:
            out.append(Text(f"  {ties} of them ran at the same time as the run that counts: the worse one counts",
                            f"  其中 {ties} 份与采用的报告检查时间相同：以较差的结果为准")(lang))
    if agg.rejected:
        out += ["", f"{L['rejected'](lang)} ({len(agg.rejected)}):"]
        out += [f"  {r.path}: {r.reason(lang)}" for r in agg.rejected[:100]]
        if len(agg.rejected) > 100:
            out.append(f"  ... +{len(agg.rejected) - 100}")
    return "\n".join(out) + "\n"
