"""The branch table as one self-contained page (inline CSS, no scripts, no network) that a branch's
exam office opens and prints: the branch's verdict and counts, then one row per site in the
document's order (the sites to act on first). Every value from a site is escaped."""

from __future__ import annotations

from html import escape
from datetime import tzinfo
from typing import Any, Mapping

from readiness.core.i18n import Lang
from readiness.reports import branch_table as bt
from readiness.reports.site_html import COLORS, CSS
from readiness.site.words import WORDS

EXTRA_CSS = (".mark{display:inline-block;color:#fff;background:#c62828;padding:0 5px;margin:1px 3px 1px 0;"
             "border-radius:3px;font-size:12px}tr.escalate td{background:#ffebee}.none{color:#6d4c41}"
             "@media print{.mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}}")
NEVER_COLOR = "#6d4c41"


def _cell(value: str) -> str:
    return escape(value) if value else "-"


def render(doc: Mapping[str, Any], lang: Lang | str = Lang.EN, where: tzinfo | None = None) -> str:
    lang = Lang(lang)
    w = lambda k: escape(WORDS[k](lang))  # noqa: E731
    where = bt.zone(where)
    status = str(doc.get("status")) if doc.get("status") in bt.STATUSES else "error"
    heads = "".join(f"<th>{w(k)}</th>" for k in ("site", "name", "verdict", "reports", "last_seen", "next_exam",
                                                  "rehearsal", "deadlines", "findings"))
    body = []
    for r in bt.rows(doc):
        st = bt.status_of(r)
        marks = "".join(f'<span class="mark">{escape(m)}</span>' for m in bt.marks(r, lang))
        color = COLORS.get(st, NEVER_COLOR)
        found = "<br>".join(escape(f) for f in bt.findings(r, lang)[:5])
        body.append(
            f'<tr class="{"escalate" if r.get("escalate") is True else ""}" data-site="{escape(str(r.get("id") or ""))}" '
            f'data-status="{st}"><td><bdi>{escape(str(r.get("id") or ""))}</bdi></td>'
            f'<td><bdi>{escape(str(r.get("name") or ""))}</bdi></td>'
            f'<td>{marks}<span class="st" style="color:{color}">{escape(bt.verdict(r, lang))}</span></td>'
            f'<td class="num">{escape(bt.seats(r, lang))}</td>'
            f'<td>{escape(bt.when(r.get("last_seen"), where)) or w("never_heard")}</td>'
            f'<td>{_cell(bt.when(r.get("next_exam_at"), where))}</td><td>{_cell(bt.rehearsal(r, lang))}</td>'
            f'<td>{_cell(bt.deadlines(r, lang))}</td><td>{found or "-"}</td></tr>')
    table = (f"<table><tr>{heads}</tr>{''.join(body)}</table>" if body else f'<p class="meta">{w("no_sites")}</p>')
    title = escape(bt.title(doc, lang))
    return (f'<!DOCTYPE html><html lang="{lang.value}"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CSS}{EXTRA_CSS}</style></head><body>"
            f"<h1>{w('branch_title')}</h1>"
            f'<div class="verdict" style="background:{COLORS[status]}">{title}</div>'
            f'<div class="stats">{escape(bt.summary(doc, lang))}</div>'
            f'<p class="meta">{w("generated")} {escape(bt.when(doc.get("generated_at"), where, True))}</p>'
            f"<h2>{w('sites')}</h2>{table}</body></html>\n")
