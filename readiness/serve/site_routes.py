"""The site over HTTP: PCs' reports in, the site document, the dashboard's state, the downloads,
one machine's page, the pages' static files, the phone link's QR code and the server's clock.

Contract (docs/schemas.md): POST /api/reports (submit token) → 201 stored / 200 already stored /
400 with the reason aggregate gives / 401 / 413 / 429; GET /api/site (manager's key) → the
`readiness.site/1` document of `aggregate --format json`; GET /?key=KEY sets the manager's cookie.
"""

from __future__ import annotations

import sqlite3
import time
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

import orjson

from readiness.core.i18n import Text
from readiness.core.names import MAX_NAME, shown
from readiness.core.times import exam_zone
from readiness.core.inputs import Rejected
from readiness.serve import pages
from readiness.site.store import StoreGone, store_reason
from readiness.serve.context import Serving, serving
from readiness.serve.errors import BadRequest, CannotStore, NotFound, json_response
from readiness.serve.guards import (client_of, is_manager, lang_of, read_body, remember_lang, require_manager,
                                    require_submitter, sign_in)
from readiness.serve.documents import site_document, site_exam
from readiness.serve.downloads import attachment, download_format
from readiness.site.state import state_doc
from readiness.site.view import report_id

HTML = "text/html; charset=utf-8"


async def home(request: Request) -> Response:
    """Every server's home: the site dashboard of a site (also one that is a branch too); a
    branch only has none, so its home is the branch dashboard (a bookmark of /?key=KEY from an
    older version's start-up text included). ?next=branch: the branch dashboard after the key."""
    s = serving(request)
    lang = lang_of(request)
    branch = not s.cfg.profile.is_site or request.query_params.get("next") == "branch"  # a name, never an address
    if request.query_params.get("key") is not None:
        return sign_in(request, s.cfg, "/branch" if branch else "/") or pages.login(request, lang, wrong=True,
                                                                                    branch=branch)
    if not s.cfg.profile.is_site:
        chosen = request.query_params.get("lang")  # kept in the address too (a browser without cookies)
        return remember_lang(request, RedirectResponse("/branch" + (f"?lang={chosen}" if chosen in ("zh", "en")
                                                                    else ""), 303))
    if not is_manager(request, s.cfg):
        return pages.login(request, lang, branch=branch)
    return remember_lang(request, pages.dashboard(request, lang, exam_zone(s.cfg.profile), s.cfg.certificate))


async def asset(request: Request) -> Response:
    found = pages.asset(request.path_params["name"])
    if found is None:
        raise NotFound(Text("no such file", "没有这个文件"))
    body, media = found
    return Response(body, media_type=media)


async def post_report(request: Request) -> Response:
    s = serving(request)
    require_submitter(request, s.cfg)
    body = await read_body(request, s.cfg)
    summary = await run_in_threadpool(s.view.read, body)
    if isinstance(summary, Rejected):
        raise BadRequest(summary.reason)
    try:
        stored, new = await run_in_threadpool(s.store.add_report, body, client_of(request))
    except (sqlite3.Error, StoreGone) as exc:  # disk full, locked too long: the PC keeps it and sends it again
        why = store_reason(exc)
        raise CannotStore(Text(f"the server cannot store it now ({why.en}); it will be sent again",
                               f"服务器暂时无法保存（{why.zh}）；考试机会重新发送")) from None
    if new:
        s.view.add(stored, summary)
    return json_response({"id": stored.id, "stored": "new" if new else "already", "hostname": summary.hostname,
                          "status": summary.status}, 201 if new else 200)


async def site(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    built = await run_in_threadpool(s.view.build)
    from readiness.reports import site_json

    chunks = (chunk.encode("utf-8") for chunk in site_json.render_chunks(built.agg))
    return StreamingResponse(chunks, media_type="application/json")  # iterated in a worker thread


def _version(s: Serving, view_version: int) -> str:
    return f"{view_version}.{s.rehearsals.version}.{s.rehearsals.waiting_now()}"


async def state(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    since = request.query_params.get("v", "")
    current = _version(s, s.view.version)
    running = (s.rehearsals.latest() or {}).get("state") in ("scheduled", "running")
    counting = bool(s.cfg.profile["exam.starts_at"]) or bool(s.upstreams)  # a countdown, the branch's receipts
    if since == current and not running and not counting:  # a running round's clock moves on: always fresh
        return json_response({"version": current, "unchanged": True})
    built = await run_in_threadpool(s.view.build)
    phones = await run_in_threadpool(s.view.phone_rows, s.cfg.profile)
    doc = state_doc(built, phones, s.view.store.count_reports())
    doc["version"] = _version(s, built.version)
    doc["rehearsal"] = {"waiting": s.rehearsals.waiting_now(), "latest": s.rehearsals.latest()}
    doc["exam"] = await run_in_threadpool(site_exam, s, built, phones, time.time())
    doc["upstream"] = [u.state() for u in s.upstreams if u.local is None]  # a site that is its own branch: not a send
    doc["branch"] = s.branch is not None  # the page links to the branch's own
    return json_response(doc)


async def download(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    form = download_format(request)
    lang = lang_of(request)
    rounds = s.rehearsals.all()  # the HTML and JSON exports carry the site's rehearsal rounds too

    def make() -> bytes:
        if form.name == "json":  # the server's own document: aggregate's, with its exam timeline and latest round
            return orjson.dumps(site_document(s, rounds=True), option=orjson.OPT_INDENT_2)
        return form.render_site(s.view.build().agg, lang, rounds)

    return attachment(await run_in_threadpool(make), form, "site")



async def machine(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    stored = await run_in_threadpool(s.store.report, request.path_params["rid"])
    if stored is None:
        raise NotFound(Text("no such report", "没有这份报告"))
    built = await run_in_threadpool(s.view.build)
    latest = next((m for site_ in built.agg.sites for m in site_.machines if report_id(m.source) == stored.id), None)
    html = await run_in_threadpool(pages.machine, stored, s.view.judge, latest, lang_of(request),
                                  exam_zone(s.cfg.profile))
    return Response(html, media_type=HTML)


def phone_url(request: Request, s: Serving) -> str:
    """The phone page on an address a phone can reach (not the laptop's loopback)."""
    host = request.url.hostname or ""
    base = f"{request.url.scheme}://{request.url.netloc}"
    if (host in ("127.0.0.1", "localhost", "::1") or not host) and s.cfg.lan_urls:
        base = s.cfg.lan_urls[0]
    return f"{base.rstrip('/')}/phone?t={s.cfg.phone_token}"


async def qr(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    return Response(pages.qr_svg(phone_url(request, s)), media_type="image/svg+xml")


async def _small_object(request: Request, s: Serving) -> dict[str, object]:
    """A manager's small JSON object (4 KB at most); anything else reads as {} and is refused by
    the handler's own check of its fields, with the handler's words."""
    body = await read_body(request, s.cfg, 4096)
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return doc if isinstance(doc, dict) else {}


async def hide_machine(request: Request) -> Response:
    """The manager hides a machine (a PC re-imaged under a new machine id leaves a stale entry that
    keeps the site NOT READY), or shows it again: each action logged with its time and address."""
    s = serving(request)
    require_manager(request, s.cfg, changes=True)
    action = request.path_params["action"]
    if action not in ("hide", "show"):
        raise NotFound(Text("no such action: hide or show", "没有此操作：只能 hide 或 show"))
    doc = await _small_object(request, s)
    mid, host = doc.get("machine_id"), doc.get("hostname")
    if not isinstance(mid, str) or not isinstance(host, str) or not shown(host) \
            or len(mid) > MAX_NAME or len(host) > MAX_NAME:
        raise BadRequest(Text("send {\"machine_id\": ..., \"hostname\": ...} as the dashboard shows them",
                              "请发送看板上显示的 {\"machine_id\": …, \"hostname\": …}"))
    host = shown(host)  # as the dashboard shows it, the way machines are matched (names.py)
    try:
        await run_in_threadpool(s.store.log_hidden, action, mid, host, client_of(request))
    except (sqlite3.Error, StoreGone) as exc:
        why = store_reason(exc)
        raise CannotStore(Text(f"the server cannot store it now ({why.en})", f"服务器暂时无法保存（{why.zh}）")) from None
    s.view.changed()
    return json_response({"action": action, "machine_id": mid, "hostname": host})


TICKABLE = ("invigilators",)  # what only the manager can say (the exam system's own pages show it)


async def tick(request: Request) -> Response:
    """The manager ticks a deadline done (or not) for the exam under way or next; logged with its
    time and address, the last action counting."""
    s = serving(request)
    require_manager(request, s.cfg, changes=True)
    doc = await _small_object(request, s)
    item, done = doc.get("item"), doc.get("done")
    if item not in TICKABLE or not isinstance(done, bool):
        raise BadRequest(Text('send {"item": "invigilators", "done": true or false}',
                              '请发送 {"item": "invigilators", "done": true 或 false}'))
    from readiness.core.exam import Timeline
    from readiness.core.times import iso

    start = iso(Timeline.from_profile(s.cfg.profile).start(time.time()))
    if start is None:
        raise BadRequest(Text("no exam start ahead: set [exam] starts_at in the profile",
                              "没有即将开始的考试：请在配置文件 [exam] starts_at 中设置开考时间"))
    try:
        at = await run_in_threadpool(s.store.log_tick, item, start, done, client_of(request))
    except (sqlite3.Error, StoreGone) as exc:
        why = store_reason(exc)
        raise CannotStore(Text(f"the server cannot store it now ({why.en})", f"服务器暂时无法保存（{why.zh}）")) from None
    s.view.changed()  # the site's document (and what it sends its branch) says it now
    return json_response({"item": item, "done": done, "start": start, "at": at})


async def clock(request: Request) -> Response:
    """The server's clock, for agents that must act at one moment (the rehearsal's start)."""
    return json_response({"now": time.time()})


ROUTES = [
    Route("/", home),
    Route("/assets/{name}", asset),
    Route("/api/reports", post_report, methods=["POST"]),
    Route("/api/site", site),
    Route("/api/state", state),
    Route("/api/clock", clock),
    Route("/api/exam/ticks", tick, methods=["POST"]),
    Route("/api/machines/{action:str}", hide_machine, methods=["POST"]),
    Route("/download/site.{fmt}", download),
    Route("/machine/{rid:int}", machine),
    Route("/qr/phone.svg", qr),
]
