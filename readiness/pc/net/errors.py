"""What a network error means, in both languages, decided where the error is caught.

A technician needs the kind of failure (the name not found, refused, timed out, TLS, an HTTP
status...) in their own language; the raw text of the library stays beside it in the snapshot
for the network people. This is the one describer: every caller in ``readiness.pc.net``, the
agent and the senders turn what they caught into a ``NetFailure`` with ``failure`` (the meaning,
``classify``, in both languages from one decision; the raw text, ``raw_text``) and record
``{"error": raw, "reason": {en, zh}}``; the English and the Chinese cannot say different things.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

from readiness.core.i18n import Text, TextError, same

DNS = Text("the name could not be found (DNS)", "域名无法解析（DNS）")
REFUSED = Text("the connection was refused (nothing listens there, or a firewall)",
               "连接被拒绝（该地址没有服务，或被防火墙拦截）")
TIMED_OUT = Text("timed out", "连接超时")
READ_TIMED_OUT = Text("the server stopped sending (read timed out)", "服务器停止发送数据（读取超时）")
TLS = Text("the TLS certificate was not accepted", "TLS 证书未被接受")
UNREACHABLE = Text("the network cannot reach it (no route)", "网络不可达（无路由）")
ENDED = Text("the transfer ended early (connection closed)", "传输提前中断（连接被关闭）")
REDIRECTS = Text("too many redirects", "重定向次数过多")
HTML_PAGE = Text("the server answered a web page, not the file (a login page?)",
                 "服务器返回的是网页而不是文件（可能是登录页）")
EMPTY = Text("the server sent an empty body", "服务器返回的内容为空")
DEADLINE = Text("not tried: no time was left before the network deadline (raise network.deadline_s)",
                "未测试：已到网络检查时限（请增大 network.deadline_s）")
CANNOT_CONNECT = Text("cannot connect", "无法连接")
NOT_AN_IP = Text("the echo service answered something that is not an IP", "回显服务返回的不是 IP 地址")


def http_status(code: int) -> Text:
    return Text(f"the server answered HTTP {code}", f"服务器返回 HTTP {code}")


def other(raw: str) -> Text:
    """An error of no known kind: its raw text, framed in both languages."""
    return Text(f"network error: {raw}", f"网络错误：{raw}")


class NetFailure(TextError):
    """A network failure already classified: what it means (both languages) and the raw text
    (str(): the raw text, for the network people)."""

    def __init__(self, reason: Text, raw: str | None = None) -> None:
        super().__init__(reason)
        self.raw = raw if raw is not None else reason.en
        self.args = (self.raw,)

    def __str__(self) -> str:
        return self.raw

    def to_facts(self) -> dict[str, object]:
        return {"error": self.raw, "reason": self.reason.to_dict()}


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in seen and len(seen) < 8:
        seen.append(node)
        node = node.__cause__ or node.__context__
        if node is None and seen[-1].args and isinstance(seen[-1].args[0], BaseException):
            node = seen[-1].args[0]  # urllib3 wraps its reason in args
    return seen


def classify(exc: BaseException) -> Text:
    """The kind of a network error, from its type (and, for the wrappers requests and urllib3
    put around socket errors, from what they wrap)."""
    if isinstance(exc, NetFailure):
        return exc.reason
    try:
        import requests
        from urllib3 import exceptions as u3
    except ImportError:  # pragma: no cover - requests is a dependency
        requests = u3 = None  # type: ignore[assignment]
    if requests is not None:
        if isinstance(exc, requests.exceptions.TooManyRedirects):
            return REDIRECTS
        if isinstance(exc, requests.exceptions.SSLError):
            return TLS
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return TIMED_OUT
        if isinstance(exc, (requests.exceptions.ReadTimeout, u3.ReadTimeoutError)):
            return READ_TIMED_OUT
        if isinstance(exc, (u3.ProtocolError, u3.IncompleteRead, requests.exceptions.ChunkedEncodingError)):
            return ENDED
        if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
            return http_status(exc.response.status_code)
    for node in _chain(exc):
        if isinstance(node, (socket.gaierror,)) or type(node).__name__ == "NameResolutionError":
            return DNS
        if isinstance(node, ssl.SSLError):
            return TLS
        if isinstance(node, ConnectionRefusedError):
            return REFUSED
        if isinstance(node, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return ENDED
        if isinstance(node, (socket.timeout, TimeoutError)):
            return TIMED_OUT
        if isinstance(node, OSError) and node.errno in (101, 113, 10051, 10065):
            return UNREACHABLE
    text = " ".join(str(x) for x in _chain(exc)).lower()
    # requests folds the socket error into its message only: these are its own fixed words
    if "name or service not known" in text or "getaddrinfo" in text or "nameresolution" in text \
            or "nodename nor servname" in text or "temporary failure in name resolution" in text:
        return DNS
    if "refused" in text:
        return REFUSED
    if "timed out" in text:
        return TIMED_OUT
    if "unreachable" in text or "no route" in text:
        return UNREACHABLE
    if requests is not None and isinstance(exc, requests.exceptions.ConnectionError):
        return CANNOT_CONNECT
    return other(f"{type(exc).__name__}: {exc}")


def raw_text(exc: BaseException) -> str:
    """The library's own words for what it raised (for the network people, never shown as the
    reason), shortened at a word boundary, never mid-word."""
    if isinstance(exc, NetFailure):
        return exc.raw
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(text) < 300:
        return text
    return text[:297].rsplit(" ", 1)[0] + " ..."


def failure(exc: BaseException, raw: str | None = None) -> NetFailure:
    """A caught exception as a classified failure (raw: the text to keep, default `raw_text`)."""
    if isinstance(exc, NetFailure):
        return exc
    return NetFailure(classify(exc), raw if raw is not None else raw_text(exc))


# A readiness server's answer, read by its senders alike (a PC to its site, a site to its branch).

def stored_of(r: Any) -> tuple[str, Any] | None:
    """(stored, id) of a readiness server's receipt, or None for anything else (a captive portal's
    page, another web server's 200). The site's receipt for a PC and the branch's for a site alike."""
    try:
        doc = r.json()
    except ValueError:
        return None
    stored = doc.get("stored") if isinstance(doc, dict) else None
    return (stored, doc.get("id")) if isinstance(stored, str) else None


def server_reason(r: Any) -> Text:
    """The server's reason: its `error_text` {en, zh} when it gives one, else its English `error`
    (an older server), else the start of whatever page answered."""
    try:
        doc = r.json()
    except ValueError:
        return same((r.text or "")[:200])
    if not isinstance(doc, dict):
        return same("")
    error = str(doc.get("error", ""))
    text = doc.get("error_text")
    if isinstance(text, dict) and isinstance(text.get("en"), str) and isinstance(text.get("zh"), str):
        return Text(error or text["en"], text["zh"])
    return same(error)
