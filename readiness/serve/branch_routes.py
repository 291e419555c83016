"""A branch over HTTP: its sites' documents in (`POST /api/sites`, each site with the token the
branch issued it), the branch's own document out (`GET /api/branch`), one site's last document, the
branch page and its downloads. Headquarters is a branch whose senders are branches: the same code.

Contract (docs/schemas.md "The branch server"): 201 kept / 200 older than what the branch has
(kept nothing) / 400 not a sender's document, or a clock ahead / 401 unknown token / 403 another
site's document / 413 / 429 too often.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import zlib

import anyio
import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from readiness.branch.chain import (DocumentError, Received, TooOften, WrongSender, check_clock, check_kind, now_s,
                                    read_document)
from readiness.core.i18n import Text
from readiness.core.times import exam_zone
from readiness.serve import pages
from readiness.serve.context import Serving, serving
from readiness.serve.downloads import attachment, download_format
from readiness.serve.errors import BadRequest, CannotStore, NeedsKey, NotFound, TooLarge, json_response
from readiness.serve.guards import _bearer, client_of, lang_of, read_body, remember_lang, require_manager, same
from readiness.site.store import StoreGone, store_reason

HTML = "text/html; charset=utf-8"
MAX_SENT = 4 * 1024 * 1024  # as sent (gzip welcome)
MAX_DOCUMENT = 8 * 1024 * 1024  # once unpacked: a site of 10,000 seats is about 4 MB; more is a bomb, not a site
NOT_A_BRANCH = Text("this server is not a branch server (no [branch.sites] in its profile)",
                    "本服务器不是分部服务器（配置中没有 [branch.sites]）")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def senders_of(tokens: dict[str, str]) -> dict[str, str]:
    """[branch.sites] (id -> token) as the door looks it up: the token's digest -> the id."""
    return {token_digest(token): sender_id for sender_id, token in tokens.items()}


WRONG_TOKEN_HOLD_S = 2.0  # a wrong token past the address's allowance is answered this much later


async def _sender_of(request: Request, s: Serving) -> str:
    """The sender the token names. A valid token always gets through: wrong tokens from its address
    (a mistyped neighbour behind the same NAT, a guesser) are theirs, not its. Wrong tokens are
    counted per address; past BAD_TOKENS_PER_MINUTE each is answered 429 only after
    WRONG_TOKEN_HOLD_S, which slows a guesser (a connection held per guess, at most 64 per address)
    without touching the sites beside it."""
    given = _bearer(request) or ""
    found = s.senders.get(token_digest(given))
    tokens = s.cfg.profile["branch.sites"]
    if found is not None and same(given, tokens.get(found, "")):  # the digest finds it; the comparison is constant-time
        return found
    if not s.bad_tokens.allow(client_of(request)):
        await anyio.sleep(WRONG_TOKEN_HOLD_S)
        raise TooOften(Text("too many wrong tokens from this address; wait a minute",
                            "此地址的错误令牌过多；请稍候一分钟再试"))
    raise NeedsKey(Text("a token this branch issued is needed (Authorization: Bearer TOKEN; [upstream] token)",
                        "需要本分部签发的令牌（Authorization: Bearer 令牌；[upstream] token）"))


def _unpack(body: bytes, encoding: str) -> bytes:
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise BadRequest(Text(f"Content-Encoding {encoding!r}: send gzip or nothing",
                              f"Content-Encoding {encoding!r}：只接受 gzip 或不压缩"))
    unpack = zlib.decompressobj(wbits=31)
    try:
        out = unpack.decompress(body, MAX_DOCUMENT + 1)
    except zlib.error as exc:
        raise BadRequest(Text(f"not gzip ({exc})", f"不是有效的 gzip 数据（{exc}）")) from None
    if len(out) > MAX_DOCUMENT or unpack.unconsumed_tail:
        raise TooLarge(Text(f"over {MAX_DOCUMENT // 2**20} MB unpacked: not a site's document",
                            f"解压后超过 {MAX_DOCUMENT // 2**20} MB：不是考点文档"))
    if not unpack.eof:
        raise BadRequest(Text("the gzip data is cut short", "gzip 数据不完整"))
    if unpack.unused_data:
        raise BadRequest(Text("bytes after the gzip data: send one document, compressed once",
                              "gzip 数据之后还有多余内容：请只发送一份压缩一次的文档"))
    return out


_parsing = threading.BoundedSemaphore(1)  # large documents parsed one at a time: memory bounded, and the GIL left to the small
LARGE = 512 * 1024  # bytes unpacked: a 50-seat site's document is about 18 KB; the small never queue behind the large


def accept(s: Serving, raw: bytes, expected_id: str, client: str) -> tuple[Received, bool]:
    """A sender's document (JSON bytes) checked and kept, if newer than what is kept of it: the
    one path for documents from the network and from this server itself (a site and a branch at
    once). Raises the refusals the route turns into statuses; each is noted on the sender's row."""
    branch = s.branch
    assert branch is not None
    now = now_s()
    try:
        with _parsing if len(raw) > LARGE else contextlib.nullcontext():
            try:
                doc = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise DocumentError(Text(f"not JSON ({exc})", f"不是 JSON（{exc}）")) from None
            try:
                got = read_document(doc)
            except DocumentError:
                raise
            except Exception as exc:  # a shape the door did not foresee: refused, named, never a 500
                raise DocumentError(Text(f"not a sender's document ({type(exc).__name__}: {exc})",
                                         f"不是有效的上报文档（{type(exc).__name__}: {exc}）")) from None
            del doc
        if got.id != expected_id:
            raise WrongSender(Text(f"this token is {expected_id}'s; the document is {got.id}'s: nothing kept",
                                   f"此令牌属于 {expected_id}；文档来自 {got.id}：未保存"))
        check_clock(got, now)
        check_kind(got, expected_id in s.cfg.profile["branch.branches"])
    except (DocumentError, WrongSender) as refused:
        branch.refuse(expected_id, now, refused.reason)
        raise

    summary = orjson.dumps(got.to_json()).decode()
    packed = zlib.compress(raw, 1)  # before the sender's lock: only the ordering and the synced write are under it

    def keep() -> None:
        try:
            s.store.put_sender_doc(got.id, got.sent_s, got.seq, now, client, summary, packed)
        except (sqlite3.Error, StoreGone) as exc:
            why = store_reason(exc)
            raise CannotStore(Text(f"the branch cannot store it now ({why.en}); it will be sent again",
                                   f"分部服务器暂时无法保存（{why.zh}）；将重新发送")) from None

    return got, branch.offer(got, now, keep)


async def post_site(request: Request) -> Response:
    s = serving(request)
    if s.branch is None:
        raise NotFound(NOT_A_BRANCH)
    sender_id = await _sender_of(request, s)
    if not s.sender_pace.allow(sender_id):
        raise TooOften(Text("this site sends too often; it sends on change, at most every few seconds",
                            "该考点上报过于频繁；应在有变化时上报，间隔至少数秒"))
    body = await read_body(request, s.cfg, MAX_SENT)
    encoding = request.headers.get("content-encoding", "").strip().lower()
    got, kept = await run_in_threadpool(lambda: accept(s, _unpack(body, encoding), sender_id, client_of(request)))
    return json_response({"id": got.id, "stored": "new" if kept else "older", "seq": got.seq},
                         201 if kept else 200)


def _branch(request: Request) -> Serving:
    s = serving(request)
    require_manager(request, s.cfg)
    if s.branch is None:
        raise NotFound(NOT_A_BRANCH)
    return s


def _branch_bytes(s: Serving) -> bytes:
    """The branch's document, made once a second at most: several managers' pages polling a branch
    of thousands of sites share it (stale and escalate change with the second, not faster)."""
    from readiness.serve.documents import own_branch_document

    assert s.branch is not None
    key = (s.branch.version, int(now_s()))
    answered = s.branch.answered
    if answered is not None and answered[0] == key:
        return answered[1]
    body = orjson.dumps(own_branch_document(s))
    s.branch.answered = (key, body)
    return body


async def branch(request: Request) -> Response:
    s = _branch(request)
    return Response(await run_in_threadpool(_branch_bytes, s), media_type="application/json")


def _stored(s: Serving, sender_id: str) -> bytes:
    packed = s.store.sender_doc(sender_id)
    if packed is None:
        raise NotFound(Text(f"nothing has come from {sender_id}", f"尚未收到 {sender_id} 的任何上报"))
    return zlib.decompress(packed)


async def sender_document(request: Request) -> Response:
    """A site's last document as it came (the same findings and remedies its own server shows)."""
    s = _branch(request)
    raw = await run_in_threadpool(_stored, s, request.path_params["sid"])
    return Response(raw, media_type="application/json")


async def branch_page(request: Request) -> Response:
    """The branch dashboard; ?key=KEY (the link `serve` prints) signs the manager in here."""
    from readiness.serve.guards import is_manager, sign_in

    s = serving(request)
    lang = lang_of(request)
    if s.branch is None:
        raise NotFound(NOT_A_BRANCH)
    if request.query_params.get("key") is not None:
        return sign_in(request, s.cfg, "/branch") or pages.login(request, lang, wrong=True, branch=True)
    if not is_manager(request, s.cfg):  # a page, not a JSON refusal: the login that comes back here
        return pages.login(request, lang, branch=True)
    page = pages.branch_dashboard(request, lang, exam_zone(s.cfg.profile), s.cfg.profile.is_site)
    return remember_lang(request, page)


async def sender_page(request: Request) -> Response:
    s = _branch(request)
    raw = await run_in_threadpool(_stored, s, request.path_params["sid"])
    sid = request.path_params["sid"]
    kept = s.branch.latest(sid) if s.branch is not None else None
    row = s.branch.row(sid, now_s()) if s.branch is not None else None
    html = await run_in_threadpool(pages.sender_document, orjson.loads(raw), lang_of(request), kept, row)
    return Response(html, media_type=HTML)


async def download(request: Request) -> Response:
    s = _branch(request)
    from readiness.serve.documents import own_branch_document

    form = download_format(request)
    lang = lang_of(request)
    from readiness.branch.document import Document

    data = await run_in_threadpool(lambda: form.render_branch(Document.read(own_branch_document(s)), lang))
    return attachment(data, form, "branch")


ROUTES = [
    Route("/api/sites", post_site, methods=["POST"]),
    Route("/api/branch", branch),
    Route("/api/branch/sites/{sid:str}", sender_document),
    Route("/branch", branch_page),
    Route("/branch/sites/{sid:str}", sender_page),
    Route("/download/branch.{fmt}", download),
]
