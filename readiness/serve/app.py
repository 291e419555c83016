"""The HTTP side of `readiness serve`: a Starlette app over the store and the site view.

Contract (docs/schemas.md): POST /api/reports (submit token) → 201 stored / 200 already stored /
400 with the reason aggregate gives / 401 / 413 / 429; GET /api/site (manager's key) → the
`readiness.site/1` document of `aggregate --format json`; GET /?key=KEY sets the manager's cookie;
POST /api/phones (phone token) judges a phone; GET /api/phones (manager's key) lists them.

Three keys, each for one kind of client: the submit token (the PCs: reports, rehearsal rounds, the
server's paper during a round), the phone token (the invigilators' phone link: the phone page and
POST /api/phones, nothing else; the submit token is not taken there either), the manager's key
(everything). The submit token can only add; everything else needs the manager's key (a bearer header or the
cookie set by /?key=). Keys are compared in constant time. Pages build their content with DOM
text nodes (scripts) or html.escape (server pages), under a Content-Security-Policy without
inline scripts: text from machines is shown, never run.
"""

from __future__ import annotations

import hmac
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Sequence

import anyio
import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from readiness.aggregate.inputs import Rejected
from readiness.profile import Profile
from readiness.serve import pages
from readiness.serve.phones import judge_phone, validate
from readiness.serve.state import state_doc
from readiness.serve.store import Store
from readiness.serve.view import SiteView, report_id

MAX_BODY = 2 * 1024 * 1024
MAX_PHONE_BODY = 32 * 1024  # what a phone page sends is a few hundred bytes; more only fills the disk
COOKIE = "readiness_key"


@dataclass(frozen=True)
class ServeConfig:
    token: str
    admin_key: str
    profile: Profile
    phone_token: str  # the invigilators' phones: the phone page and POST /api/phones only
    max_body: int = MAX_BODY
    body_timeout_s: float = 10.0
    header_timeout_s: float = 10.0
    rate_per_minute: int = 240
    lan_urls: tuple[str, ...] = field(default_factory=tuple)  # what phones can reach, for the QR code


class JSONError(Exception):
    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


def _json(doc: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(doc), status, headers=headers, media_type="application/json")


# -- guards -------------------------------------------------------------------------------------

def _same(given: str | None, expected: str) -> bool:
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def is_manager(request: Request, cfg: ServeConfig) -> bool:
    return _same(_bearer(request) or request.cookies.get(COOKIE), cfg.admin_key)


def require_manager(request: Request, cfg: ServeConfig, changes: bool = False) -> None:
    """The manager's key; for a request that changes something with the cookie, also the page's
    own header, which no other site's form or script can send (CSRF)."""
    if not is_manager(request, cfg):
        raise JSONError(401, "the manager's key is needed (open /?key=KEY once, or send Authorization: Bearer KEY)",
                        {"WWW-Authenticate": "Bearer"})
    if changes and not _bearer(request):
        if request.headers.get("x-readiness") != "1":
            raise JSONError(403, "send the X-Readiness: 1 header (the dashboard does)")
        if not _same_origin(request):
            raise JSONError(403, "a request from another site's page")


def _same_origin(request: Request) -> bool:
    """A browser's Origin, when it sends one, names this server (another port of the same host is
    another origin, though the cookie goes there too: cookies know no ports)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser, or a same-origin request of an old one: the header rule still holds
    host = request.headers.get("host", "")
    return origin.lower() in (f"http://{host}".lower(), f"https://{host}".lower())


def require_submitter(request: Request, cfg: ServeConfig) -> None:
    """The PCs' submit token (or the manager's key); the phone token is refused: a phone link in an
    invigilator's hands cannot forge a PC's report or a seat's rehearsal result."""
    given = _bearer(request)
    if not (_same(given, cfg.token) or _same(given, cfg.admin_key)):
        raise JSONError(401, "a valid submit token is needed (Authorization: Bearer TOKEN)", {"WWW-Authenticate": "Bearer"})


def require_phone(request: Request, cfg: ServeConfig) -> None:
    """The phone token only: not the PCs' submit token, which must not travel in phone links."""
    given = _bearer(request)
    if not _same(given, cfg.phone_token):
        raise JSONError(401, "a valid phone token is needed: open the phone page from the QR code on the dashboard "
                             "(Authorization: Bearer PHONE_TOKEN)", {"WWW-Authenticate": "Bearer"})


async def read_body(request: Request, cfg: ServeConfig, limit: int | None = None) -> bytes:
    """The body, never more than the limit and never slower than the timeout."""
    limit = cfg.max_body if limit is None else limit
    too_big = JSONError(413, f"larger than {limit / 2**20:.3g} MB: not what this address takes", {"Connection": "close"})
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(cfg.body_timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_big
                chunks.append(chunk)
    except TimeoutError:
        raise JSONError(408, f"the body did not arrive within {cfg.body_timeout_s:g} s", {"Connection": "close"}) from None
    return b"".join(chunks)


class RateLimit:
    """A token bucket per client address: rate_per_minute, bursts of a quarter of it (at least 10)."""

    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.capacity = max(10.0, per_minute / 4)
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, host: str) -> bool:
        now = self.clock()
        tokens, last = self.buckets.get(host, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if len(self.buckets) > 10000:  # forget idle clients rather than grow without bound
            self.buckets = {h: v for h, v in self.buckets.items() if now - v[1] < 60}
        if tokens < 1:
            self.buckets[host] = (tokens, now)
            return False
        self.buckets[host] = (tokens - 1, now)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            if not self.allow(client[0] if client else "?"):
                wait = max(1, int(1 / self.rate) + 1)
                await _json({"error": "too many requests from this address; try again shortly"}, 429,
                            {"Retry-After": str(wait)})(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", self.CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                            (b"cache-control", b"no-store")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)


# -- the app ------------------------------------------------------------------------------------

def _lang(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("lang") or ""
    if chosen in ("zh", "en"):
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "zh"


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


Handler = Callable[[Request], Awaitable[Response]]


def guarded(handler: Handler) -> Handler:
    """A handler whose JSONError becomes its JSON answer."""
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except JSONError as exc:
            return _json({"error": exc.reason}, exc.status, exc.headers)
    return run


def _readable_rounds(rows: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """Rounds kept by earlier runs; one that cannot be read is left out, not a reason not to start."""
    found = []
    for _id, body in rows:
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("id"), int):
            found.append(doc)
    return found


def create_app(cfg: ServeConfig, store: Store, view: SiteView, extra_routes: Sequence[Route] = (),
               rehearsals: Any = None) -> ASGIApp:
    """The app; extra_routes lets a module add its own behind the same guards (require_manager,
    require_submitter, read_body, guarded)."""
    from readiness.serve.rehearsal import Pacer, Rehearsals, routes as rehearsal_routes

    if rehearsals is None:
        rehearsals = Rehearsals(_readable_rounds(store.rounds()))
    pacer = Pacer(cfg.profile["rehearsal.lan_mbps"] or None)

    async def home(request: Request) -> Response:
        lang = _lang(request)
        key = request.query_params.get("key")
        if key is not None:
            if not _same(key, cfg.admin_key):
                return Response(pages.login(lang, wrong=True), 401, media_type="text/html; charset=utf-8")
            redirect = RedirectResponse("/", 303)  # the key leaves the address bar and the history
            redirect.set_cookie(COOKIE, cfg.admin_key, httponly=True, samesite="strict", max_age=7 * 86400)
            return redirect
        if not is_manager(request, cfg):
            return Response(pages.login(lang), 401, media_type="text/html; charset=utf-8")
        response = Response(pages.dashboard(lang), media_type="text/html; charset=utf-8")
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie("lang", lang, samesite="strict", max_age=365 * 86400)
        return response

    async def asset(request: Request) -> Response:
        found = pages.ASSETS.get(request.path_params["name"])
        if found is None:
            raise JSONError(404, "no such file")
        body, media = found
        return Response(body, media_type=media)

    async def post_report(request: Request) -> Response:
        require_submitter(request, cfg)
        body = await read_body(request, cfg)
        summary = await run_in_threadpool(view.read, body)
        if isinstance(summary, Rejected):
            return _json({"error": summary.reason}, 400)
        try:
            stored, new = await run_in_threadpool(store.add_report, body, _client(request))
        except sqlite3.Error as exc:  # disk full, locked too long: the PC keeps it and sends it again
            return _json({"error": f"the server cannot store it now ({exc}); it will be sent again"}, 503)
        if new:
            view.add(stored, summary)
        return _json({"id": stored.id, "stored": "new" if new else "already", "hostname": summary.hostname,
                      "status": summary.status}, 201 if new else 200)

    async def site(request: Request) -> Response:
        require_manager(request, cfg)
        built = await run_in_threadpool(view.build)
        from readiness.reports import site_json

        chunks = (chunk.encode("utf-8") for chunk in site_json.render_chunks(built.agg))
        return StreamingResponse(chunks, media_type="application/json")  # iterated in a worker thread

    async def state(request: Request) -> Response:
        require_manager(request, cfg)
        since = request.query_params.get("v", "")
        current = f"{view.version}.{rehearsals.version}.{rehearsals.waiting_now()}"
        running = (rehearsals.latest() or {}).get("state") in ("scheduled", "running")
        if since == current and not running:  # a running round's clock moves on: always fresh
            return _json({"version": current, "unchanged": True})
        built = await run_in_threadpool(view.build)
        phones = await run_in_threadpool(view.phone_rows, cfg.profile)
        doc = state_doc(built, phones, view.store.count_reports())
        doc["version"] = f"{built.version}.{rehearsals.version}.{rehearsals.waiting_now()}"
        doc["rehearsal"] = {"waiting": rehearsals.waiting_now(), "latest": rehearsals.latest()}
        return _json(doc)

    async def download(request: Request) -> Response:
        require_manager(request, cfg)
        fmt = request.path_params["fmt"]
        built = await run_in_threadpool(view.build)
        rounds = rehearsals.all()  # the HTML and JSON exports carry the site's rehearsal rounds too
        from readiness.reports import site_csv, site_html, site_json, site_xlsx

        makers: dict[str, tuple[Callable[[], bytes], str]] = {
            "html": (lambda: site_html.render(built.agg, rehearsals=rounds).encode("utf-8"), "text/html; charset=utf-8"),
            "csv": (lambda: site_csv.render(built.agg).encode("utf-8-sig"), "text/csv; charset=utf-8"),
            "xlsx": (lambda: site_xlsx.render(built.agg),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "json": (lambda: site_json.render(built.agg, rehearsals=rounds).encode("utf-8"), "application/json"),
        }
        if fmt not in makers:
            raise JSONError(404, "formats: html, csv, xlsx, json")
        make, media = makers[fmt]
        data = await run_in_threadpool(make)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Response(data, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="readiness-site-{stamp}.{fmt}"'})

    async def machine(request: Request) -> Response:
        require_manager(request, cfg)
        stored = await run_in_threadpool(store.report, request.path_params["rid"])
        if stored is None:
            raise JSONError(404, "no such report")
        built = await run_in_threadpool(view.build)
        latest = next((m for s in built.agg.sites for m in s.machines if report_id(m.source) == stored.id), None)
        html = await run_in_threadpool(pages.machine, stored, view.judge, latest, _lang(request))
        return Response(html, media_type="text/html; charset=utf-8")

    async def post_phone(request: Request) -> Response:
        require_phone(request, cfg)
        body = await read_body(request, cfg, min(cfg.max_body, MAX_PHONE_BODY))
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return _json({"error": f"not JSON: {exc}"}, 400)
        problem = validate(doc)
        if problem:
            return _json({"error": problem}, 400)
        try:
            phone = await run_in_threadpool(store.add_phone, body, _client(request))
        except sqlite3.Error as exc:
            return _json({"error": f"the server cannot store it now ({exc}); send it again"}, 503)
        view.add_phone(phone)
        return _json({"id": phone.id, **judge_phone(doc, cfg.profile).to_dict()}, 201)

    async def list_phones(request: Request) -> Response:
        require_manager(request, cfg)
        return _json({"phones": await run_in_threadpool(view.phone_rows, cfg.profile)})

    async def phone_page(request: Request) -> Response:
        if not _same(request.query_params.get("t"), cfg.phone_token):
            return Response(pages.phone_refused(_lang(request)), 401, media_type="text/html; charset=utf-8")
        return Response(pages.phone(_lang(request)), media_type="text/html; charset=utf-8")

    async def qr(request: Request) -> Response:
        require_manager(request, cfg)
        return Response(pages.qr_svg(phone_url(request)), media_type="image/svg+xml")

    def phone_url(request: Request) -> str:
        """The phone page on an address a phone can reach (not the laptop's loopback)."""
        host = request.url.hostname or ""
        base = f"{request.url.scheme}://{request.url.netloc}"
        if (host in ("127.0.0.1", "localhost", "::1") or not host) and cfg.lan_urls:
            base = cfg.lan_urls[0]
        return f"{base.rstrip('/')}/phone?t={cfg.phone_token}"

    async def clock(request: Request) -> Response:
        """The server's clock, for agents that must act at one moment (the rehearsal's start)."""
        return _json({"now": time.time()})

    routes = [
        Route("/", guarded(home)),
        Route("/assets/{name}", guarded(asset)),
        Route("/api/reports", guarded(post_report), methods=["POST"]),
        Route("/api/site", guarded(site)),
        Route("/api/state", guarded(state)),
        Route("/api/phones", guarded(post_phone), methods=["POST"]),
        Route("/api/phones", guarded(list_phones), methods=["GET"]),
        Route("/api/clock", guarded(clock)),
        Route("/download/site.{fmt}", guarded(download)),
        Route("/machine/{rid:int}", guarded(machine)),
        Route("/phone", guarded(phone_page)),
        Route("/qr/phone.svg", guarded(qr)),
        *rehearsal_routes(cfg, store, rehearsals, pacer),
        *extra_routes,
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return _json({"error": "not found" if status == 404 else str(getattr(exc, "detail", "error"))}, status)

    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.state.cfg = cfg
    return SecurityHeaders(RateLimit(app, cfg.rate_per_minute))
