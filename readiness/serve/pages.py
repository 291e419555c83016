"""The server's pages: self-contained (no CDN, works without the internet), Chinese and English.

Server-rendered pages escape every value (html.escape); the dashboard and the phone page fill
themselves from JSON with DOM text nodes only (never innerHTML), and the Content-Security-Policy
forbids inline scripts: a host name such as <img src=x onerror=...> is shown as text. Their style
and scripts are static files (static/, packed into the wheel and the exe), read once; their words
come from the one table of readiness/site/words.py, in the page as a JSON script element.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from html import escape
from urllib.parse import quote
from pathlib import Path
from typing import Any

from readiness.site.aggregate.machines import Machine, Rejudge
from readiness.core.i18n import Text
from readiness.core.model import STATUS_LABELS, Status
from readiness.site.store import StoredReport
from readiness.site.words import WORDS, words
from readiness.reports.formats import LINKED

STATIC = Path(__file__).resolve().parent / "static"
MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
ASSETS = ("style.css", "common.js", "dashboard.js", "phone.js", "branch.js")


@lru_cache(maxsize=None)
def asset(name: str) -> tuple[bytes, str] | None:
    """One of the pages' static files (read once), with its media type; None for any other name."""
    if name not in ASSETS:
        return None
    return (STATIC / name).read_bytes(), MEDIA[Path(name).suffix]


@lru_cache(maxsize=1)
def _words_json() -> str:
    return json.dumps(words(), ensure_ascii=False).replace("<", "\\u003c")


def _w(key: str, lang: str) -> str:
    return escape(WORDS[key](lang))


def _head(title: str, lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/assets/style.css"></head><body>')


def _script(*names: str) -> str:
    """A page's scripts, in order, after the word table they read."""
    return (f'<script type="application/json" id="words">{_words_json()}</script>'
            + "".join(f'<script src="/assets/{name}"></script>' for name in names))


def _langs(lang: str, path: str = "/") -> str:
    other = "en" if lang == "zh" else "zh"
    return f'<a href="{path}?lang={other}">{"English" if other == "en" else "中文"}</a>'


def login(lang: str, wrong: bool = False, back: bool = False) -> str:
    """back: come back to the branch page after the key (not to the site dashboard)."""
    note = f'<p class="result fail">{_w("wrong", lang)}</p>' if wrong else ""
    nxt = '<input type="hidden" name="next" value="branch">' if back else ""
    return (_head(WORDS["title"](lang), lang) + f'<h1>{_w("title", lang)}</h1>{note}'
            f'<form method="get" action="/"><p>{_w("login", lang)}</p>'
            f'<input name="key" type="password" autocomplete="off" size="30"> <button>{_w("open", lang)}</button>'
            f'<input type="hidden" name="lang" value="{lang}">{nxt}</form><p>{_langs(lang)}</p></body></html>')


def dashboard(lang: str, certificate: str | None = None) -> str:
    """certificate: the fingerprint of the self-signed certificate served; the phones are told how to accept it."""
    links = " · ".join(f'<a href="/download/site.{f}">{f.upper()}</a>' for f in LINKED)
    links += f' · <a href="/download/rehearsals.json">{_w("rounds", lang)}</a>'
    return (_head(WORDS["title"](lang), lang) +
            f'<div class="qr"><img src="/qr/phone.svg" alt="QR"><br>{_w("phone_qr", lang)}'
            + (f'<p class="cert">{_w("phone_cert", lang)} <code>{escape(certificate)}</code></p>' if certificate else "")
            + '</div>'
            f'<h1>{_w("title", lang)}</h1>'
            f'<div class="bar"><span class="conn" id="conn"></span><span>{_w("downloads", lang)}: {links}</span>'
            f'<span>{_langs(lang)}</span></div><div id="sites"></div>'
            + _script("common.js", "dashboard.js") + '</body></html>')


PHONE_FIELDS = {"app": "app_field", "memory": "memory_field", "name": "name_field", "room": "room"}
NUMBER_FIELDS = {"memory": ' inputmode="decimal"'}  # a phone shows its number pad


def phone(lang: str) -> str:
    fields = "".join(f'<label for="{k}">{_w(word, lang)}</label><input id="{k}" name="{k}" autocomplete="off"'
                     f'{NUMBER_FIELDS.get(k, "")}>' for k, word in PHONE_FIELDS.items())
    return (_head(WORDS["phone_title"](lang), lang) + f'<h1>{_w("phone_title", lang)}</h1>'
            f'<p>{_w("phone_intro", lang)}</p><form class="phone" id="form">{fields}'
            f'<button type="submit" id="send">{_w("send", lang)}</button></form><div id="out"></div>'
            + _script("phone.js") + '</body></html>')


def phone_refused(lang: str) -> str:
    """The phone page opened without the phone token (a guessed address, an old or a PC's link)."""
    return (_head(WORDS["phone_title"](lang), lang) + f'<h1>{_w("phone_title", lang)}</h1>'
            f'<p class="result error">{_w("phone_link", lang)}</p></body></html>')


def qr_svg(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue()


def _t(value: Any, lang: str) -> str:
    return escape(Text.from_json(value)(lang))


def _title(result: dict[str, Any], lang: str) -> str:
    """What a person reads for a check: its title; the id only when the report gives none."""
    title = Text.from_json(result.get("title"))(lang)
    return escape(title or str(result.get("id", "")))


def machine(stored: StoredReport, judge: Rejudge | None, latest: Machine | None, lang: str) -> str:
    """One stored report: its verdicts (re-judged when the server re-judges), remedies and facts."""
    import orjson

    doc = orjson.loads(stored.body)
    facts = doc.get("facts") if isinstance(doc.get("facts"), dict) else (doc if doc.get("schema", "").startswith("readiness.facts") else {})
    site = doc.get("site") if isinstance(doc.get("site"), dict) else {}
    results = judge(facts, site) if judge is not None else [r for r in doc.get("results") or [] if isinstance(r, dict)]
    host = (facts.get("host") or {}).get("hostname") if isinstance(facts.get("host"), dict) else None
    rows = []
    for r in results:
        status = r.get("status") if r.get("status") in {s.value for s in Status} else "error"
        rows.append(f'<tr data-status="{status}" data-check="{escape(str(r.get("id", "")))}"><td>{_title(r, lang)}</td>'
                    f'<td><span class="badge {status}">{escape(STATUS_LABELS[Status(status)](lang))}</span></td>'
                    f'<td>{_t(r.get("observed"), lang)}</td><td>{_t(r.get("expected"), lang)}</td>'
                    f'<td>{_t(r.get("message"), lang)}</td><td>{_t(r.get("remedy"), lang) if r.get("remedy") else ""}</td></tr>')
    note = "" if latest is not None else f'<p class="meta">{_w("machine_superseded", lang)}</p>'
    heads = "".join(f"<th>{_w(h, lang)}</th>" for h in ("check", "status", "observed", "expected", "message", "remedy"))
    title = f'{WORDS["machine"](lang)} {host or "?"}'
    return (_head(title, lang) + f'<p><a href="/">{_w("back", lang)}</a></p><h1>{escape(title)}</h1>'
            f'<p class="meta">{_w("received", lang)} {escape(stored.received_at)} {_w("from", lang)} '
            f'{escape(stored.client)} · #{stored.id} · {escape(str(doc.get("checked_at", "")))}</p>{note}'
            f'<h2>{_w("results", lang)}</h2><table><tr>{heads}</tr>{"".join(rows)}</table>'
            f'<h2>{_w("facts", lang)}</h2><pre>{escape(json.dumps(facts, ensure_ascii=False, indent=2))}</pre>'
            '</body></html>')


# -- the branch ------------------------------------------------------------------------------------

def branch_dashboard(lang: str) -> str:
    """The branch's tiles, drawn by static/branch.js from GET /api/branch."""
    links = " · ".join(f'<a href="/download/branch.{f}">{f.upper()}</a>' for f in LINKED)
    return (_head(WORDS["branch_title"](lang), lang) + f'<h1>{_w("branch_title", lang)}</h1>'
            f'<div class="bar"><span class="conn" id="conn"></span><span>{_w("branch_downloads", lang)}: {links}</span>'
            f'<span>{_langs(lang, "/branch")}</span></div><div id="summary"></div><div id="sites" class="tiles"></div>'
            + _script("common.js", "branch.js") + '</body></html>')


STATUSES = ("pass", "warn", "fail", "error")
MAX_PROBLEM_ROWS = 500  # machines listed on a site's page; the site's own download has them all
MAX_PROBLEMS_A_MACHINE = 50  # a machine has a few dozen checks: more is not a report


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _e(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _st(value: Any) -> str:
    return value if value in STATUSES else "error"


def _badge(status: Any, lang: str) -> str:
    st = _st(status)
    return f'<span class="badge {st}">{escape(STATUS_LABELS[Status(st)](lang))}</span>'


def _when(value: Any) -> str:
    """A document's time (UTC) in this server's zone, as its manager reads the clock."""
    from readiness.reports.branch_table import when, zone

    return escape(when(value, zone())) or "—"


def _site_section(entry: dict[str, Any], lang: str) -> str:
    """One site of a site document: its figures, findings, checks, machines with problems, remedies."""
    site = _obj(entry.get("site"))
    titles = _obj(entry.get("titles"))

    def title(cid: Any) -> str:
        key = cid if isinstance(cid, str) else str(cid)  # a list or an object is no key
        return escape(Text.from_json(titles.get(key))(lang) or key)

    st = _st(entry.get("status"))
    out = [f'<h2>{_w("site", lang)} <bdi>{_e(site.get("id"))}</bdi> <bdi>{_e(site.get("name"))}</bdi></h2>',
           f'<div class="verdict {st}" data-status="{st}">{escape(_verdict(st)(lang))}</div>']
    counts = _obj(entry.get("counts"))
    stats = [("reports", f'{_e(entry.get("reports"))} / {_e(site.get("seats"))}'), ("missing", _e(entry.get("missing"))),
             ("ready", _e(counts.get("pass"))), ("warned", _e(counts.get("warn"))),
             ("notready", _e(counts.get("fail"))), ("undetermined", _e(counts.get("error")))]
    out.append('<div class="stats">' + "".join(f'<span>{_w(k, lang)}: <b>{v}</b></span>' for k, v in stats) + "</div>")
    findings = [_obj(f) for f in _items(entry.get("findings"))]
    if findings:
        out.append(f'<h3>{_w("findings", lang)}</h3>' + "".join(
            f'<div class="finding" data-status="{_st(f.get("status"))}">{_badge(f.get("status"), lang)}'
            f'{_t(f.get("message"), lang)}</div>' for f in findings))
    checks = _obj(entry.get("checks"))
    if checks:
        keys = ("pass", "warn", "fail", "skip", "error")
        heads = "".join(f"<th>{escape(STATUS_LABELS[Status(k)](lang))}</th>" for k in keys)
        rows = "".join(f'<tr data-check="{_e(cid)}"><td>{title(cid)}</td>'
                       + "".join(f'<td class="num">{_e(_obj(c).get(k, 0))}</td>' for k in keys) + "</tr>"
                       for cid, c in checks.items())
        out.append(f'<h3>{_w("check", lang)}</h3><table class="checks"><tr><th>{_w("check", lang)}</th>{heads}</tr>'
                   f'{rows}</table>')
    problems = [m for m in (_obj(m) for m in _items(entry.get("machines"))) if _items(m.get("problems"))]
    if problems:
        lines = []
        for m in problems[:MAX_PROBLEM_ROWS]:
            items = "<br>".join(f'{_badge(_obj(p).get("status"), lang)}{title(_obj(p).get("check"))}: '
                                f'{_t(_obj(p).get("observed"), lang)}'
                                for p in _items(m.get("problems"))[:MAX_PROBLEMS_A_MACHINE])
            lines.append(f'<tr data-status="{_st(m.get("status"))}"><td><bdi>{_e(m.get("hostname"))}</bdi></td>'
                        f'<td>{_badge(m.get("status"), lang)}</td><td>{items}</td></tr>')
        more = (f'<p class="meta">+{len(problems) - MAX_PROBLEM_ROWS} {_w("machines_hidden", lang)}</p>'
                if len(problems) > MAX_PROBLEM_ROWS else "")
        out.append(f'<h3>{_w("problems", lang)}</h3><table class="problems"><tr><th>{_w("machine", lang)}</th>'
                   f'<th>{_w("status", lang)}</th><th>{_w("reasons", lang)}</th></tr>{"".join(lines)}</table>{more}')
    remedies = _obj(entry.get("remedies"))
    if remedies:
        out.append(f'<h3>{_w("remedy", lang)}</h3><table class="remedies">' + "".join(
            f'<tr data-check="{_e(cid)}"><th>{title(cid)}</th><td>{_t(r, lang)}</td></tr>'
            for cid, r in remedies.items()) + "</table>")
    return "".join(out)


def _verdict(status: str | None) -> Text:
    from readiness.branch.chain import verdict

    return verdict(status)


def _exam_section(exam: dict[str, Any], lang: str) -> str:
    if not exam:
        return ""
    deadlines = [_obj(d) for d in _items(exam.get("deadlines"))]
    rows = "".join(f'<tr data-deadline="{_e(d.get("id"))}" data-state="{_e(d.get("state"))}"><td>{_t(d.get("title"), lang)}</td>'
                   f'<td>{_when(d.get("due_at"))}</td>'
                   f'<td class="deadline {_e(d.get("state"))}">{escape(WORDS.get("deadline_" + str(d.get("state")), Text(str(d.get("state")), str(d.get("state"))))(lang))}</td></tr>'
                   for d in deadlines)
    table = (f'<table class="deadlines"><tr><th>{_w("deadlines", lang)}</th><th>{_w("due", lang)}</th>'
             f'<th>{_w("state", lang)}</th></tr>{rows}</table>') if deadlines else ""
    start = exam.get("next_start")
    if start is None and _items(exam.get("starts_at")):  # a branch's document carries its starts only
        from readiness.core.exam import Timeline, starts_from
        from readiness.core.times import iso
        from readiness.branch.chain import now_s

        start = iso(Timeline(starts_from(_items(exam.get("starts_at")))).start(now_s()))
    return (f'<h2>{_w("next_exam", lang)}</h2><p class="next-exam">'
            f'{_when(start) if start else _w("no_exam", lang)}</p>{table}')


def _rehearsal_section(brief: Any, lang: str) -> str:
    r = _obj(brief)
    if not r:
        return f'<h2>{_w("rehearsal", lang)}</h2><p class="meta">{_w("no_rehearsal", lang)}</p>'
    figures = [("state", _w(r["state"], lang) if r.get("state") in ("scheduled", "running", "done") else "—"),
               ("joined", _e(r.get("joined"))), ("finished", _e(r.get("finished"))), ("failed", _e(r.get("failed"))),
               ("times", " / ".join("—" if not isinstance(r.get(k), (int, float)) else f"{r[k]:.1f} s"
                                    for k in ("p50_s", "p95_s", "max_s")) + f' ({_w("plan", lang)} {_e(r.get("plan_s"))} s)'),
               ("throughput", "—" if r.get("throughput_mbps") is None else f'{_e(r.get("throughput_mbps"))} Mbit/s')]
    return (f'<h2>{_w("rehearsal", lang)} · {escape(WORDS["round"](lang).replace("{n}", str(r.get("id", "?"))))}</h2>'
            '<div class="stats rehearsal">' + "".join(f'<span>{_w(k, lang)}: <b>{v}</b></span>' for k, v in figures)
            + "</div>")


def _branch_rows(doc: dict[str, Any], lang: str) -> str:
    """A branch's document (headquarters opening a branch): its table of sites."""
    heads = "".join(f"<th>{_w(k, lang)}</th>" for k in ("site", "name", "verdict", "missing", "last_seen", "next_exam"))
    rows = []
    for r in (_obj(r) for r in _items(doc.get("sites"))):
        st = _st(r.get("status")) if r.get("status") is not None else "none"
        marks = "".join(f' <span class="badge fail">{_w(k, lang)}</span>' for k in ("escalate", "stale") if r.get(k) is True)
        rows.append(f'<tr data-site="{_e(r.get("id"))}" data-status="{st}"><td><bdi>{_e(r.get("id"))}</bdi></td>'
                    f'<td><bdi>{_e(r.get("name"))}</bdi></td><td>{_t(r.get("verdict"), lang)}{marks}</td>'
                    f'<td>{_e(r.get("missing"))}</td><td>{_when(r.get("last_seen"))}</td><td>{_when(r.get("next_exam_at"))}</td></tr>')
    return f'<h2>{_w("sites", lang)}</h2><table class="sites"><tr>{heads}</tr>{"".join(rows)}</table>'


def sender_document(doc: Any, lang: str, kept: Any = None) -> str:
    """A site's (or, at headquarters, a branch's) last document as a page, every value escaped:
    what the site's own server shows (findings, checks, machines with problems, remedies), its
    exam deadlines and its latest rehearsal. kept: what the door made of it (branch.Received): the
    heading's name and verdict are those the tile shows, never the document's own claim."""
    doc = _obj(doc)
    sender = _obj(doc.get("sender"))
    is_branch = doc.get("schema") == "readiness.branch/1"
    sid = sender.get("id") if sender.get("id") is not None else doc.get("id")
    name = kept.name if kept is not None else (sender.get("name") if sender.get("name") is not None else doc.get("name"))
    label = " ".join(str(x) for x in (sid, name) if x)
    st = _st(kept.status if kept is not None else doc.get("status"))
    what = WORDS["branch" if is_branch else "site"](lang)
    parts = [_head(f"{what} {label}", lang), f'<p><a href="/branch">{_w("back_branch", lang)}</a> · '
             f'{_langs(lang, "/branch/sites/" + quote(str(sid or ""), safe=""))}</p>',
             f'<h1>{escape(what)} <bdi>{_e(sid)}</bdi> <bdi>{_e(name)}</bdi></h1>',
             f'<p class="meta">{_w("sent", lang)} {_when(sender.get("sent_at"))} · {_w("generated", lang)} '
             f'{_when(doc.get("generated_at"))}</p>',
             f'<div class="verdict {st}" id="verdict" data-status="{st}">{escape(_verdict(st)(lang))}</div>']
    if is_branch:
        parts.append(_branch_rows(doc, lang))
    else:
        parts += [_site_section(_obj(e), lang) for e in _items(doc.get("sites"))]
        parts.append(_rehearsal_section(doc.get("rehearsal"), lang))
    parts.append(_exam_section(_obj(doc.get("exam")), lang))
    return "".join(parts) + "</body></html>"
