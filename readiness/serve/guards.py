"""The doors: who may call what (three keys), how much and how fast a body may come, how often an
address may ask, and the headers every answer carries. Each guard raises a typed refusal
(serve/errors.py gives its status).

Three keys, each for one kind of client: the submit token (the PCs: reports, rehearsal rounds, the
server's paper during a round), the phone token (the invigilators' phone link: the phone page and
POST /api/phones, nothing else; the submit token is not taken there either), the manager's key
(everything). The submit token can only add; everything else needs the manager's key (a bearer
header or the cookie set by /?key=). Keys are compared in constant time.
"""

from __future__ import annotations

import hmac
import time
from typing import Any, Callable

import anyio
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from readiness.serve.buckets import Buckets
from readiness.serve.context import ServeConfig
from readiness.core.i18n import Text
from readiness.serve.errors import Forbidden, NeedsKey, TooLarge, TooSlow, error_body, json_response

TOO_MANY = Text("too many requests from this address; try again shortly", "此地址请求过于频繁，请稍后再试")

COOKIE = "readiness_key"


def same(given: str | None, expected: str) -> bool:
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def is_manager(request: Request, cfg: ServeConfig) -> bool:
    return is_manager_key(_bearer(request) or request.cookies.get(COOKIE), cfg.admin_key)


def is_manager_key(given: str | None, key: str | None) -> bool:
    return key is not None and key != "" and same(given, key)


def require_manager(request: Request, cfg: ServeConfig, changes: bool = False) -> None:
    """The manager's key; for a request that changes something with the cookie, also the page's
    own header, which no other site's form or script can send (CSRF)."""
    if not is_manager(request, cfg):
        raise NeedsKey(Text("the manager's key is needed (open /?key=KEY once, or send Authorization: Bearer KEY)",
                            "需要管理员密钥（先打开一次 /?key=密钥，或发送 Authorization: Bearer 密钥）"))
    if changes and not _bearer(request):
        if request.headers.get("x-readiness") != "1":
            raise Forbidden(Text("send the X-Readiness: 1 header (the dashboard does)",
                                 "请发送 X-Readiness: 1 请求头（看板页面会发送）"))
        if not _same_origin(request):
            raise Forbidden(Text("a request from another site's page", "请求来自其他网站的页面，已拒绝"))


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
    if not (same(given, cfg.token) or same(given, cfg.admin_key)):
        raise NeedsKey(Text("a valid submit token is needed (Authorization: Bearer TOKEN)",
                            "需要有效的提交令牌（Authorization: Bearer 令牌）"))


def require_phone(request: Request, cfg: ServeConfig) -> None:
    """The phone token only: not the PCs' submit token, which must not travel in phone links."""
    if not same(_bearer(request), cfg.phone_token):
        raise NeedsKey(Text("a valid phone token is needed: open the phone page from the QR code on the dashboard "
                            "(Authorization: Bearer PHONE_TOKEN)",
                            "需要有效的手机令牌：请扫描看板上的二维码打开手机页面（Authorization: Bearer 手机令牌）"))


async def read_body(request: Request, cfg: ServeConfig, limit: int | None = None) -> bytes:
    """The body, never more than the limit and never slower than the timeout."""
    limit = cfg.max_body if limit is None else limit
    too_big = TooLarge(Text(f"larger than {limit / 2**20:.3g} MB: not what this address takes",
                            f"大于 {limit / 2**20:.3g} MB：此地址不接收"))
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
        raise TooSlow(Text(f"the body did not arrive within {cfg.body_timeout_s:g} s",
                           f"请求内容未在 {cfg.body_timeout_s:g} 秒内传完")) from None
    return b"".join(chunks)


def sign_in(request: Request, cfg: ServeConfig, to: str) -> Response | None:
    """The manager's key in a dashboard's address (?key=, the link `serve` prints): the right key
    sets the manager's cookie and goes on to `to` (a path of ours, never one from the request),
    303, so the key leaves the address bar and the history; ?lang= (the login form's too) outlives
    the redirect. None: the key is not the manager's (the caller shows the login page again)."""
    if not same(request.query_params.get("key"), cfg.admin_key):
        return None
    redirect = RedirectResponse(to, 303)
    redirect.set_cookie(COOKIE, cfg.admin_key, httponly=True, samesite="strict", max_age=7 * 86400,
                        secure=cfg.secure_cookie or request.url.scheme == "https")  # never sent back in clear
    return remember_lang(request, redirect)


def remember_lang(request: Request, response: Response) -> Response:
    """A language chosen with ?lang= is kept in a cookie for the pages that follow."""
    chosen = request.query_params.get("lang")
    if chosen in ("zh", "en"):
        response.set_cookie("lang", chosen, samesite="strict", max_age=365 * 86400)
    return response


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("lang") or ""
    if chosen in ("zh", "en"):
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "zh"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


class RateLimit:
    """A token bucket per client address (serve/buckets.py): rate_per_minute, bursts of a quarter
    of it (at least 10)."""

    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 manager_key: str | None = None) -> None:
        self.app = app
        self.manager_key = manager_key  # the manager's requests have a bucket of their own
        self.buckets = Buckets(per_minute, clock)
        self.rate = self.buckets.rate

    def allow(self, host: str) -> bool:
        return self.buckets.allow(host)

    # Counted by sender, not by address: many sites may reach their branch through one provincial
    # NAT address; each sender's own pace is kept by the route (serve/branch_routes.py).
    BY_SENDER = ("/api/sites",)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") not in self.BY_SENDER:
            client = scope.get("client")
            host = client[0] if client else "?"
            if self.manager_key and self._from_manager(scope):
                host = "manager " + host  # PCs behind the manager's own address never starve the dashboard
            if not self.allow(host):
                wait = max(1, int(1 / self.rate) + 1)
                await json_response(error_body(TOO_MANY), 429, {"Retry-After": str(wait)})(scope, receive, send)
                return
        await self.app(scope, receive, send)


    def _from_manager(self, scope: Scope) -> bool:
        """The manager's key in the Authorization header or the dashboard's cookie (compared in
        constant time): the key is the manager's alone, so its requests are counted apart."""
        request = Request(scope)
        return is_manager_key(_bearer(request) or request.cookies.get(COOKIE), self.manager_key)


class SecurityHeaders:
    """Pages build their content with DOM text nodes (scripts) or html.escape (server pages), under
    a Content-Security-Policy without inline scripts: text from machines is shown, never run."""

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
