"""The server's pages: self-contained (no CDN, works without the internet), Chinese and English.

Server-rendered pages escape every value (html.escape); the dashboard and the phone page fill
themselves from JSON with DOM text nodes only (never innerHTML), and the Content-Security-Policy
forbids inline scripts: a host name such as <img src=x onerror=...> is shown as text. Their style
and scripts are static files (static/, packed into the wheel and the exe), read once; their words
come from the one table of readiness/site_words.py, in the page as a JSON script element.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from readiness.aggregate.machines import Machine, Rejudge
from readiness.i18n import Text
from readiness.model import STATUS_LABELS, Status
from readiness.serve.store import StoredReport
from readiness.site_words import WORDS, words

STATIC = Path(__file__).resolve().parent / "static"
MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
ASSETS = ("style.css", "dashboard.js", "phone.js")


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


def _script(name: str) -> str:
    """A page's script after the word table it reads."""
    return (f'<script type="application/json" id="words">{_words_json()}</script>'
            f'<script src="/assets/{name}"></script>')


def _langs(lang: str, path: str = "/") -> str:
    other = "en" if lang == "zh" else "zh"
    return f'<a href="{path}?lang={other}">{"English" if other == "en" else "中文"}</a>'


def login(lang: str, wrong: bool = False) -> str:
    note = f'<p class="result fail">{_w("wrong", lang)}</p>' if wrong else ""
    return (_head(WORDS["title"](lang), lang) + f'<h1>{_w("title", lang)}</h1>{note}'
            f'<form method="get" action="/"><p>{_w("login", lang)}</p>'
            f'<input name="key" type="password" autocomplete="off" size="30"> <button>{_w("open", lang)}</button>'
            f'<input type="hidden" name="lang" value="{lang}"></form><p>{_langs(lang)}</p></body></html>')


def dashboard(lang: str) -> str:
    links = " · ".join(f'<a href="/download/site.{f}">{f.upper()}</a>' for f in ("html", "csv", "xlsx", "json"))
    links += f' · <a href="/download/rehearsals.json">{_w("rounds", lang)}</a>'
    return (_head(WORDS["title"](lang), lang) +
            f'<div class="qr"><img src="/qr/phone.svg" alt="QR"><br>{_w("phone_qr", lang)}</div>'
            f'<h1>{_w("title", lang)}</h1>'
            f'<div class="bar"><span class="conn" id="conn"></span><span>{_w("downloads", lang)}: {links}</span>'
            f'<span>{_langs(lang)}</span></div><div id="sites"></div>'
            + _script("dashboard.js") + '</body></html>')


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
