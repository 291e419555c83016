"""The rehearsal's part of the HTTP contract (docs/schemas.md): the seats poll and report, the
manager starts and stops rounds, the server sends its own paper during a LAN-only round. The
rounds themselves are readiness.site.rounds; refusals are typed there and given a status in errors.py."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import anyio
import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from readiness.core.i18n import Text
from readiness.site.rounds import MAX_PAPER_BYTES, RoundNotUnderWay, seat_label
from readiness.site.store import StoreGone
from readiness.serve.context import Serving, serving
from readiness.serve.errors import BadRequest, TooLarge, error_body, json_response
from readiness.serve.guards import read_body, require_manager, require_submitter


async def _persist(s: Serving, round_id: int) -> None:
    doc = next((d for d in s.rehearsals.all() if d["id"] == round_id), None)
    if doc is not None:
        try:
            await run_in_threadpool(s.store.save_round, round_id, json.dumps(doc, ensure_ascii=False))
        except (sqlite3.Error, StoreGone):
            pass  # the round stays in memory and on the dashboard; it is saved again at its next change


async def poll(request: Request) -> Response:
    s = serving(request)
    require_submitter(request, s.cfg)
    seat = seat_label(request.query_params.get("seat"))
    return json_response(s.rehearsals.poll(seat, request.client.host if request.client else ""))


START_BODY = Text("the body: JSON {url, paper_mb, lead_s} or nothing",
                  "请求内容应为 JSON {url, paper_mb, lead_s}，或为空")


async def start(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg, changes=True)
    body = await read_body(request, s.cfg)
    try:
        opts = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        raise BadRequest(START_BODY) from None
    if not isinstance(opts, dict):
        raise BadRequest(START_BODY)
    p = s.cfg.profile
    url = opts.get("url", p["rehearsal.url"] or p["bandwidth.url"])
    paper_mb = opts.get("paper_mb", p["bandwidth.paper_mb"])
    lead_s = opts.get("lead_s", p["rehearsal.lead_s"])
    deadline_s = opts.get("deadline_s", p["rehearsal.deadline_s"])
    if url is not None and (not isinstance(url, str) or not url.lower().startswith(("http://", "https://"))):
        raise BadRequest(Text("url: an http:// or https:// address, or null for the server's own paper",
                              "url：应为 http:// 或 https:// 地址，或为 null（使用服务器自带的试卷对象）"))
    for name, value, low, high in (("paper_mb", paper_mb, 0.001, MAX_PAPER_BYTES / 1e6),
                                   ("lead_s", lead_s, 1, 600), ("deadline_s", deadline_s, 1, 3600)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
            raise BadRequest(Text(f"{name}: a number from {low:g} to {high:g}", f"{name}：应为 {low:g} 到 {high:g} 之间的数"))
    r = s.rehearsals.start(url, int(paper_mb * 1e6), float(lead_s), float(deadline_s))
    await _persist(s, r.id)
    return json_response({"id": r.id, "start_at": r.start_at, "expected": len(r.seats)}, 201)


async def result(request: Request) -> Response:
    s = serving(request)
    require_submitter(request, s.cfg)
    try:
        doc = orjson.loads(await read_body(request, s.cfg))
    except orjson.JSONDecodeError:
        raise BadRequest(Text("not JSON", "不是 JSON")) from None
    if not isinstance(doc, dict):
        raise BadRequest(Text("a JSON object", "应为 JSON 对象"))
    rid = request.path_params["rid"]
    if not s.rehearsals.report(rid, seat_label(doc.get("seat")), doc):
        return json_response({"stored": "already"}, 200)
    await _persist(s, rid)
    return json_response({"stored": True}, 201)


async def stop(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg, changes=True)
    rid = request.path_params["rid"]
    s.rehearsals.stop(rid)
    await _persist(s, rid)
    return json_response({"stopped": True})


async def latest(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    doc = s.rehearsals.latest()
    return json_response(doc) if doc is not None else json_response(error_body(Text("no round yet", "还没有演练")), 404)


async def listing(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    return json_response({"rounds": s.rehearsals.all()})


async def export(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    return Response(orjson.dumps({"schema": "readiness.rehearsals/1", "rounds": s.rehearsals.all()},
                                 option=orjson.OPT_INDENT_2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="readiness-rehearsals.json"'})


async def paper(request: Request) -> Response:
    """n bytes of nothing in particular, paced when the profile says so: the LAN-only round. Only
    for the PCs (the submit token) and only while a round is scheduled or running, never more
    than that round's paper: outside a round nobody can make the laptop stream."""
    s = serving(request)
    require_submitter(request, s.cfg)
    size = request.path_params["n"]
    if size > MAX_PAPER_BYTES:
        raise TooLarge(Text(f"at most {MAX_PAPER_BYTES} bytes", f"最多 {MAX_PAPER_BYTES} 字节"))
    current = s.rehearsals.under_way()
    if current is None:
        raise RoundNotUnderWay(Text("no rehearsal round is scheduled or running: the server's paper is sent only during "
                                    "one", "当前没有进行中的演练：服务器自带的试卷对象仅在演练期间提供"))
    if size > current.paper_bytes:
        raise TooLarge(Text(f"more than this round's paper ({current.paper_bytes} bytes)",
                            f"超过本轮试卷的大小（{current.paper_bytes} 字节）"))
    chunk = b"\x00" * 65536
    pacer = s.pacer

    async def body() -> Any:
        left = size
        while left > 0:
            n = min(left, len(chunk))
            wait = pacer.delay(n)
            if wait > 0:
                await anyio.sleep(wait)
            yield chunk[:n]
            left -= n

    return StreamingResponse(body(), media_type="application/octet-stream", headers={"Content-Length": str(size)})


ROUTES = [
    Route("/api/rehearsals/poll", poll),
    Route("/api/rehearsals", start, methods=["POST"]),
    Route("/api/rehearsals", listing, methods=["GET"]),
    Route("/api/rehearsals/latest", latest),
    Route("/api/rehearsals/{rid:int}/results", result, methods=["POST"]),
    Route("/api/rehearsals/{rid:int}/stop", stop, methods=["POST"]),
    Route("/download/rehearsals.json", export),
    Route("/paper/{n:int}", paper),
]
