"""The one Jinja2 environment of every HTML page: the printable site page, the branch page and the
server's pages (readiness/serve/pages.py hands it to Starlette's Jinja2Templates, adding its own
templates folder). Autoescape is on for every template: a value from a machine or a document is
text, never markup. Imported only by the HTML renderers and the server: Jinja2 costs the
terminal's start-up nothing.

Filters and globals, the vocabulary of the templates:
- ``text | t``: a bilingual `Text` (or its JSON form) in the page's language; on a page for both
  readers (``both``), the page's language first and the other one small beside it.
- ``"key" | w``: a word of the site's vocabulary (readiness/site/words.py), said the same way.
- ``text | t(code=True)``: `backticked` spans (a command, a file name in a remedy) as ``<code>``,
  after escaping; ``text | t(both=True)``: the other language small beside, on any page.
- ``status | label``: a status's label; ``value | when``: a time in the page's zone (``zone``), as
  every page and file says one (core.times.when).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from readiness.core.i18n import Lang, Text
from readiness.core.model import STATUS_LABELS, Status
from readiness.site.words import WORDS

TEMPLATES = Path(__file__).resolve().parent / "templates"
_CODE = re.compile(r"`([^`\n]+)`")
_STATUSES = frozenset(s.value for s in Status)
_LOADERS: list[BaseLoader] = [FileSystemLoader(str(TEMPLATES))]  # the environment's, in order; the server adds its own


def _macros() -> Any:
    return environment().get_template("_text.html").module


def code(value: str) -> Markup:
    """Escaped, with `backticked` spans (a command, a file, a setting in a remedy) as <code>."""
    parts, at = [], 0
    for m in _CODE.finditer(value):
        parts += [(value[at:m.start()], False), (m.group(1), True)]
        at = m.end()
    parts.append((value[at:], False))
    return Markup(_macros().spans(parts))


def _one(value: str, with_code: bool) -> Markup:
    return code(value) if with_code else escape(value)


@pass_context
def say(context: Context, value: Any, code: bool = False, both: bool | None = None) -> Markup:
    """A Text in the page's language; on a page read by both (``both``), the other one small beside.
    both: this one text said so (a verdict banner) whatever the page is."""
    text = value if isinstance(value, Text) else Text.from_json(value)
    lang = Lang(context.get("lang") or "en")
    first = text(lang)
    if not (context.get("both") if both is None else both) or text.en == text.zh:
        return _one(first, code)
    return Markup(_macros().both(_one(first, code), _one(text(Lang.ZH if lang is Lang.EN else Lang.EN), code)))


@pass_context
def word(context: Context, key: str, both: bool | None = None) -> Markup:
    return say(context, WORDS[key], both=both)


@pass_context
def label(context: Context, status: Any) -> Markup:
    return say(context, STATUS_LABELS[Status(status if status in _STATUSES else "error")])


@pass_context
def when(context: Context, value: Any, seconds: bool = False, never: str = "—") -> str:
    """A time by the one display rule (core.times.when: "2026-12-07 15:23 UTC+08:00") in the page's
    zone (``zone``: the site's or the branch's; a page that gives none says UTC), or never."""
    from datetime import timezone

    from readiness.core.times import when as shown

    return shown(value, context.get("zone") or timezone.utc, seconds) or never


def verdict(status: str | None) -> Text:
    from readiness.branch.chain import verdict as words_of

    return words_of(status if status in _STATUSES else None)


def _globals() -> dict[str, Any]:
    from readiness.reports.site_text import SEATS_FROM, site_label
    from readiness.site.aggregate.reverted import reverted_text

    return {"site_label": site_label, "verdict": verdict, "seats_from": lambda k: SEATS_FROM.get(k, SEATS_FROM["profile"]),
            "reverted_text": reverted_text}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one environment: this package's templates (and the server's, once it adds them)."""
    env = Environment(loader=ChoiceLoader(_LOADERS),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(t=say, w=word, label=label, code=code, when=when)
    env.globals.update(_globals())
    return env


def with_pages(folder: Path) -> Environment:
    """The environment, with the server's own pages (its templates folder) found too: the server's
    pages and the reports' share one environment, its filters and the site section."""
    if not any(isinstance(one, FileSystemLoader) and one.searchpath == [str(folder)] for one in _LOADERS):
        _LOADERS.append(FileSystemLoader(str(folder)))
    return environment()


def render(template: str, lang: Lang | str, **context: Any) -> str:
    """One page: its template with its values, in lang."""
    return environment().get_template(template).render(lang=Lang(lang).value, **context)
