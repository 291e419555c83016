"""One self-contained page per aggregation (inline CSS, no scripts, no network) that a site
manager opens, prints and signs: in the reader's language with the other one small beside it, as
the page is read by both (templates/site.html, its site section shared with the branch's page)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, Mapping, Sequence

from readiness.core.i18n import Lang, Text
from readiness.reports.html import render as render_page
from readiness.site.aggregate.site import Aggregate
from readiness.site.document import SiteEntry

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
    return (shown + (f" … +{len(names) - MAX_NAMES}" if len(names) > MAX_NAMES else "")) or "-"


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


@dataclass(frozen=True)
class Round:
    """One rehearsal round as its row says it: read from a stored round (GET /api/rehearsals/latest),
    which may lack anything: a missing figure is "-", never a crash."""

    id: str
    stopped: bool
    interrupted: bool
    start: str
    finished: str
    expected: str
    times: str
    status: str
    verdict: Text
    throughput: str
    unfinished: str
    failed: str
    late: str

    @classmethod
    def read(cls, r: Mapping[str, Any], zone: tzinfo) -> "Round":
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
        return cls(id=str(r.get("id", "-")), stopped=r.get("stopped") is True, interrupted=r.get("interrupted") is True,
                   start=_when(r.get("start_at"), zone), finished=_number(r.get("finished"), "d"),
                   expected=_number(r.get("expected"), "d"),
                   times=" / ".join(_number(r.get(k), ".1f") for k in ("p50_s", "p95_s", "max_s")),
                   status=status, verdict=verdict, throughput=_number(r.get("throughput_mbps"), ".1f"),
                   unfinished=_names(unfinished), failed=_names(failed), late=_names(r.get("late")))


def render(agg: Aggregate, lang: Lang | str = Lang.EN, rehearsals: Sequence[Mapping[str, Any]] | None = None) -> str:
    """The page; with rehearsals (the site server's export: `aggregate` has none) also a section
    with each round, above the manager's signature."""
    mode = (Text("verdicts as stored in the reports", "采用报告中保存的结论") if agg.mode == "stored" else
            Text(f"re-judged with {agg.profile_source}", f"已按 {agg.profile_source} 重新判定"))
    zone = _zone(agg.generated_at)
    rounds = None if rehearsals is None else [Round.read(r, zone) for r in rehearsals if isinstance(r, Mapping)]
    return render_page("site.html", lang, both=True, generated_at=agg.generated_at, mode=mode,
                       status=agg.status.value, sites=[SiteEntry.of(s) for s in agg.sites], rounds=rounds,
                       rounds_given=bool(rehearsals), rejected=agg.rejected)
