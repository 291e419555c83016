"""The server's pages: self-contained (no CDN, works without the internet), Chinese and English.

Each page is a template (templates/, Jinja2 with autoescape, through Starlette's Jinja2Templates
on the one environment the reports' HTML shares: reports/html.py): every value is text, never
markup. The dashboard and the phone page fill themselves from JSON with DOM text nodes only (never
innerHTML), and the Content-Security-Policy forbids inline scripts: a host name such as
<img src=x onerror=...> is shown as text. Their style and scripts are static files (static/, packed
into the wheel and the exe), read once; their words come from the one table of
readiness/site/words.py, in the page as a JSON script element.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path
from datetime import tzinfo
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from readiness.branch.document import Document
from readiness.core.times import offset_minutes
from readiness.reports.formats import LINKED
from readiness.reports.html import with_pages
from readiness.site.aggregate.machines import Machine, Rejudge
from readiness.site.document import StoredMachine
from readiness.site.store import StoredReport
from readiness.site.words import WORDS, words

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
ASSETS = ("style.css", "common.js", "dashboard.js", "phone.js", "branch.js")
MAX_PROBLEM_ROWS = 500  # machines listed on a site's page at the branch; the site's own download has them all

templates = Jinja2Templates(env=with_pages(TEMPLATES))


@lru_cache(maxsize=None)
def asset(name: str) -> tuple[bytes, str] | None:
    """One of the pages' static files (read once), with its media type; None for any other name."""
    if name not in ASSETS:
        return None
    return (STATIC / name).read_bytes(), MEDIA[Path(name).suffix]


@lru_cache(maxsize=1)
def _words_json() -> Markup:
    """The word table as the scripts read it: JSON, in a script element of type application/json
    (data, never run); "<" written as \\u003c, so that no value can close the element."""
    return Markup(json.dumps(words(), ensure_ascii=False).replace("<", "\\u003c"))


def render(template: str, lang: str, **context: Any) -> str:
    """A page as text (the pages built in a worker thread: a machine's, a sender's)."""
    return templates.get_template(template).render(lang=lang, **context)


def respond(request: Request, template: str, lang: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, template, {"lang": lang, **context}, status_code=status)


def login(request: Request, lang: str, wrong: bool = False, branch: bool = False) -> Response:
    """The manager's key for a dashboard, the page named for the one it opens: the site's, or
    (branch) the branch's, where the form comes back to."""
    return respond(request, "login.html", lang, 401, wrong=wrong, path="/branch" if branch else "/",
                   title="branch_title" if branch else "title")


def _zone(zone: tzinfo) -> dict[str, Any]:
    """What a page that draws itself is told of its zone (the site's, the exam's: core.times.exam_zone):
    its scripts show every time in it (static/common.js `when`), never in the browser's."""
    return {"zone": zone, "utc_offset_min": offset_minutes(zone)}


def dashboard(request: Request, lang: str, zone: tzinfo, certificate: str | None = None) -> Response:
    """zone: the site's; certificate: the fingerprint of the self-signed certificate served; the
    phones are told how to accept it."""
    return respond(request, "dashboard.html", lang, downloads=LINKED, certificate=certificate,
                   words_json=_words_json(), scripts=("common.js", "dashboard.js"), **_zone(zone))


PHONE_FIELDS = (("app", "app_field", None), ("memory", "memory_field", "decimal"),  # a phone shows its number pad
                ("name", "name_field", None), ("room", "room", None))


def phone(request: Request, lang: str, token: str) -> Response:
    """token: the phone token the page was opened with (its language switch keeps it)."""
    return respond(request, "phone.html", lang, token=token, fields=PHONE_FIELDS, words_json=_words_json(),
                   scripts=("phone.js",))


def phone_refused(request: Request, lang: str) -> Response:
    """The phone page opened without the phone token (a guessed address, an old or a PC's link)."""
    return respond(request, "phone_refused.html", lang, 401)


def branch_dashboard(request: Request, lang: str, zone: tzinfo, site: bool = False) -> Response:
    """The branch's tiles, drawn by static/branch.js from GET /api/branch, its times in zone (the
    branch's); site: the server is a site too, whose dashboard the page links to."""
    return respond(request, "branch_dashboard.html", lang, downloads=LINKED, words_json=_words_json(),
                   scripts=("common.js", "branch.js"), site=site, **_zone(zone))


def qr_svg(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue()


def machine(stored: StoredReport, judge: Rejudge | None, latest: Machine | None, lang: str, zone: tzinfo) -> str:
    """One stored report: its verdicts (re-judged when the server re-judges), remedies and facts;
    its times in zone (the site's: a PC's own zone, maybe wrong, is not the site's)."""
    m = StoredMachine.read(stored.body, judge)
    return render("machine.html", lang, zone=zone, host=m.hostname or "?", received_at=stored.received_at,
                  client=stored.client, id=stored.id, checked_at=m.checked_at, status=m.status,
                  superseded=latest is None, results=m.results,
                  facts_json=json.dumps(m.facts, ensure_ascii=False, indent=2))


def sender_document(raw: Any, lang: str, kept: Any = None, row: Any = None) -> str:
    """A site's (or, at headquarters, a branch's) last document as a page, every value escaped:
    what the site's own server shows (the site section, findings, checks, machines with problems,
    remedies), its exam deadlines and its latest rehearsal. kept: what the door made of it
    (branch.Received): the heading's name and verdict are those the tile shows, never the
    document's own claim. row: its row now (branch.Row): ESCALATE and why, as its tile says. Times
    are shown in the site's zone (its server writes generated_at in it), else this server's."""
    doc = Document.read(raw)
    name = kept.name if kept is not None else doc.name
    status = (kept.status if kept is not None else doc.status) or "error"
    return render("sender.html", lang, doc=doc, name=name, status=status, label=" ".join(x for x in (doc.id, name) if x),
                  row=row, zone=doc.zone,
                  what=WORDS["branch" if doc.is_branch else "site"], max_rows=MAX_PROBLEM_ROWS,
                  back_path="/branch/sites/" + quote(doc.id, safe=""))
