"""One self-contained page per aggregation (inline CSS, no scripts, no network) that a site
manager opens, prints and signs: in the reader's language with the other one small beside it, as
the page is read by both (templates/site.html, its site section shared with the branch's page)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from readiness.core.i18n import Lang, Text
from readiness.reports.html import render as render_page
from readiness.site.aggregate.site import Aggregate
from readiness.site.document import Round, SiteEntry



def render(agg: Aggregate, lang: Lang | str = Lang.EN, rehearsals: Sequence[Mapping[str, Any]] | None = None) -> str:
    """The page; with rehearsals (the site server's export: `aggregate` has none) also a section
    with each round, above the manager's signature."""
    mode = (Text("verdicts as stored in the reports", "采用报告中保存的结论") if agg.mode == "stored" else
            Text(f"re-judged with {agg.profile_source}", f"已按 {agg.profile_source} 重新判定"))
    zone = agg.zone  # the site's: every time of the page in it, its zone said
    rounds = None if rehearsals is None else [Round.read(r, zone) for r in rehearsals if isinstance(r, Mapping)]
    return render_page("site.html", lang, both=True, zone=zone, generated_at=agg.generated_at, mode=mode,
                       status=agg.status.value, sites=[SiteEntry.of(s) for s in agg.sites], rounds=rounds,
                       rounds_given=bool(rehearsals), rejected=agg.rejected)
