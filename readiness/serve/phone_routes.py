"""The invigilators' phones over HTTP: the phone page (phone token in its link), its POST, and
the manager's list. The rules are readiness.site.phones."""

from __future__ import annotations

import sqlite3

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from readiness.core.i18n import Text
from readiness.site.phones import PhoneCheck, admit, judge_phone
from readiness.serve import pages
from readiness.site.store import StoreGone, store_reason
from readiness.serve.context import serving
from readiness.serve.errors import BadRequest, CannotStore, json_response
from readiness.serve.guards import client_of, lang_of, read_body, require_manager, require_phone, same

MAX_PHONE_BODY = 32 * 1024  # what a phone page sends is a few hundred bytes; more only fills the disk


async def post_phone(request: Request) -> Response:
    s = serving(request)
    require_phone(request, s.cfg)
    body = await read_body(request, s.cfg, min(s.cfg.max_body, MAX_PHONE_BODY))
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(Text(f"not JSON: {exc}", f"不是 JSON：{exc}")) from None
    check = PhoneCheck.read(doc)  # NotAPhoneCheck (400) says what is wrong, in both languages
    in_room, in_all = s.view.phone_counts(check.room_key)
    admit(in_room, in_all)  # a leaked phone link cannot fill the store
    try:
        phone = await run_in_threadpool(s.store.add_phone, body, client_of(request))
    except (sqlite3.Error, StoreGone) as exc:
        why = store_reason(exc)
        raise CannotStore(Text(f"the server cannot store it now ({why.en}); send it again",
                               f"服务器暂时无法保存（{why.zh}）；请重新发送")) from None
    s.view.add_phone(phone)
    return json_response({"id": phone.id, **judge_phone(check, s.cfg.profile).to_dict()}, 201)


async def list_phones(request: Request) -> Response:
    s = serving(request)
    require_manager(request, s.cfg)
    return json_response({"phones": await run_in_threadpool(s.view.phone_rows, s.cfg.profile)})


async def phone_page(request: Request) -> Response:
    s = serving(request)
    if not same(request.query_params.get("t"), s.cfg.phone_token):
        return pages.phone_refused(request, lang_of(request))
    return pages.phone(request, lang_of(request), s.cfg.phone_token)


ROUTES = [
    Route("/api/phones", post_phone, methods=["POST"]),
    Route("/api/phones", list_phones, methods=["GET"]),
    Route("/phone", phone_page),
]
