"""Sending this server's document up the chain ([upstream]: a site to its branch, a branch to
headquarters): on every change (at most every MIN_GAP_S), and at least every heartbeat_s.

The PCs' outbox rule, for one document: what could not be delivered (unreachable, a timeout, 401,
408, 429, 5xx, an answer that is not the branch's receipt) is kept in the store and sent again, a
newer document replacing an older one (only the latest matters). What the branch refuses (400,
403, 413) is kept too, with the branch's reason shown on the dashboard: the next document may
be taken once the profile is put right. Every attempt's outcome is in the store for the dashboard.
"""

from __future__ import annotations

import gzip
import threading
import time
from typing import Any, Callable

import orjson

from readiness.core.i18n import Text
from readiness.core.tls import Trust

MIN_GAP_S = 5.0  # changes come in bursts (a room of PCs reporting): one document for the burst
POLL_S = 1.0  # how often a change is looked for
TIMEOUT_S = (5.0, 30.0)  # connect, read
BACKOFF_S = (5.0, 10.0, 20.0, 40.0)  # after failures, capped by the heartbeat
ATTEMPT_S = 60.0  # one attempt as a whole


class Upstream:
    """One daemon thread per server; `state()` says how sending goes, for the dashboard."""

    def __init__(self, url: str, token: str, heartbeat_s: float, make: Callable[[int], dict[str, Any]],
                 version: Callable[[], object], store: Any, kind: str, local: Callable[[bytes], None] | None = None,
                 trust: Trust = Trust("upstream")) -> None:
        """make(seq) builds the document to send; version() changes when the document would;
        local: hand each document to this server's own branch instead of the network (a server
        that is a site and its own branch); trust: how the branch's certificate is checked
        ([upstream] fingerprint or ca_file, else the system's CAs)."""
        self.url = sites_url(url) if url else ""
        self.token = token
        self.heartbeat_s = heartbeat_s
        self.make = make
        self.version = version
        self.store = store
        self.kind = kind
        self.local = local
        self.trust = trust
        self.say: Callable[[Text], None] | None = None  # the server's console: told when the outcome changes
        self._said: Text | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._attempt: threading.Thread | None = None
        self.last_outcome: dict[str, Any] = {}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="readiness-upstream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        session = self.trust.session(self.url)  # no proxy from the environment; the pin or CA file
        sent_version: object = object()
        next_try = 0.0  # monotonic: not before then (a failure's backoff, the branch's Retry-After)
        last_try = 0.0
        failures = 0
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                changed = self.version() != sent_version
            except Exception:  # a view being rebuilt: look again at the next tick
                changed = False
            due = now - last_try >= self.heartbeat_s or (changed and now - last_try >= MIN_GAP_S)
            if due and now >= next_try:
                last_try = now
                version = self.version()
                ok, wait = self.send_once(session)
                if ok:
                    sent_version = version
                    failures = 0
                    next_try = 0.0
                else:
                    backoff = min(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)], self.heartbeat_s)
                    failures += 1
                    next_try = time.monotonic() + max(backoff, wait)
                    last_try = 0.0  # tried and failed: again as soon as the backoff allows
            self._stop.wait(POLL_S)

    def send_once(self, session: Any) -> tuple[bool, float]:
        """Build, keep in the outbox, send; (delivered, seconds the branch asked us to wait)."""
        try:
            doc = self.make(self.store.next_upstream_seq())
            raw = orjson.dumps(doc)
        except Exception as exc:  # never stop sending because one build failed: say so and try again
            self._note(False, Text(f"cannot build the document: {type(exc).__name__}: {exc}",
                                   f"无法生成上报文档：{type(exc).__name__}: {exc}"))
            return False, 0.0
        if self.local is not None:
            try:
                self.local(raw)
            except Exception as exc:
                self._note(False, Text(f"this server's own branch did not take it: {exc}",
                                       f"本服务器的分部视图未接收：{exc}"))
                return False, 0.0
            self.last_outcome = {"ok": True, "at": time.time(), "error": None}
            return True, 0.0
        body = gzip.compress(raw, 6)
        try:
            self.store.keep_pending(body, None)
        except Exception:
            pass  # the store gone: send all the same; the dashboard says the store's trouble
        return self.deliver(session, body)

    def deliver(self, session: Any, body: bytes) -> tuple[bool, float]:
        """One attempt, within ATTEMPT_S as a whole: requests' timeouts are per read, and a branch
        (or a middlebox) that trickles a byte now and then would hold the sender for ever. The
        attempt runs in a thread of its own; one that overruns is left to end by itself and said."""
        if self._attempt is not None and self._attempt.is_alive():
            self._note(False, Text("the branch has not answered the previous document yet",
                                   "分部服务器尚未回应上一份文档"), body)
            return False, 0.0
        outcome: list[tuple[bool, float]] = []
        self._attempt = threading.Thread(target=lambda: outcome.append(self._post(session, body)),
                                         name="readiness-upstream-post", daemon=True)
        self._attempt.start()
        self._attempt.join(ATTEMPT_S)
        if not outcome:
            self._note(False, Text(f"the branch did not answer within {ATTEMPT_S:g} s",
                                   f"分部服务器在 {ATTEMPT_S:g} 秒内没有回应"), body)
            return False, 0.0
        return outcome[0]

    def _post(self, session: Any, body: bytes) -> tuple[bool, float]:
        import requests

        try:
            answer = session.post(self.url, data=body, timeout=TIMEOUT_S, allow_redirects=False,
                                  headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                                           "Content-Encoding": "gzip"})
        except requests.RequestException as exc:
            from readiness.pc.net.errors import classify

            refused = self.trust.refusal(exc)  # its certificate: the pin or the CA said no, nothing was sent
            if refused is not None:
                self._note(False, refused, body)
                return False, 0.0
            why = classify(exc)
            self._note(False, Text(f"the branch cannot be reached: {why.en}", f"无法连接分部服务器：{why.zh}"), body)
            return False, 0.0
        receipt = _receipt(answer)
        if answer.status_code == 201 and receipt == "new":
            self._note(True, None, body)
            return True, 0.0
        if answer.status_code == 200 and receipt == "older":
            self._note(False, Text("the branch holds a newer document of this site: is another server sending with "
                                   "this site's token?", "分部已有本考点更新的文档：是否有另一台服务器在使用本考点的令牌上报？"),
                       body)
            return False, 0.0
        from readiness.pc.net.errors import http_status
        from readiness.pc.net.errors import server_reason

        if answer.status_code in (401, 403):  # the same token fails the same way: a setting to correct
            self._note(False, self.refused_token(answer.status_code), body)
            return False, 0.0
        reason, status = server_reason(answer), http_status(answer.status_code)  # the PCs' reading of an answer
        wait = _retry_after(answer) if answer.status_code == 429 else 0.0
        self._note(False, Text(f"{status.en} (the branch): {reason.en}", f"{status.zh}（分部服务器）：{reason.zh}"), body)
        return False, wait

    def refused_token(self, code: int) -> Text:
        whose = Text("this site's", "本考点的") if self.kind == "site" else Text("this branch's", "本分部的")
        return Text(f"the branch refuses {whose.en} token ({code}): correct upstream.token in the profile (the "
                    "branch issues it in its [branch.sites]) and restart the server; until then nothing reaches it",
                    f"分部服务器不接受{whose.zh}令牌（{code}）：请改正配置文件中的 upstream.token（由分部在其 "
                    "[branch.sites] 中签发），然后重启本服务器；在此之前上报均不会送达")

    def _note(self, ok: bool, why: Text | None, body: bytes | None = None) -> None:
        """This attempt's outcome: in memory for this run; with a body, in the store's outbox too
        (delivered, or kept with the reason)."""
        self.last_outcome = {"ok": ok, "at": time.time(), "error": why.to_dict() if why else None}
        self._tell(why if not ok else None)
        if body is None:
            return
        try:
            if ok:
                self.store.delivered(body)
            else:
                self.store.keep_pending(body, orjson.dumps(why.to_dict()).decode() if why else None)
        except Exception:
            pass  # the store gone: the dashboard says the store's trouble; sending goes on

    def _tell(self, why: Text | None) -> None:
        """The console hears of a failure once (not at every retry), and of the recovery."""
        if self.say is None or why == self._said:
            return
        if why is None:
            line = Text(f"Sending to {self.url}: delivered again.", f"向 {self.url} 上报：已恢复送达。")
        else:
            line = Text(f"Sending to {self.url} failed: {why.en}", f"向 {self.url} 上报失败：{why.zh}")
        self._said = why
        try:
            self.say(line)
        except Exception:
            pass  # no console (closed or detached): the dashboard still says it

    def state(self) -> dict[str, Any]:
        """For the dashboard: where this server sends, when it last delivered, what went wrong."""
        try:
            kept = self.store.upstream_state()
        except Exception:
            kept = {}
        error = kept.get("last_error")
        try:
            error = orjson.loads(error) if isinstance(error, str) else None
        except orjson.JSONDecodeError:
            error = {"en": error, "zh": error}
        if self.last_outcome.get("ok") is False:  # what this run saw last (a build that failed is not in the store)
            error = self.last_outcome.get("error") or error
        return {"url": self.url, "kind": self.kind, "heartbeat_s": self.heartbeat_s,
                "delivered_at": kept.get("delivered_at"), "pending": bool(kept.get("pending")),
                "pending_since": kept.get("pending_since"), "error": error, "error_at": kept.get("last_error_at")}


def sites_url(base: str) -> str:
    """Where a branch takes documents: {url}/api/sites, under the url's own path (a branch behind a
    reverse proxy's prefix); a query or fragment has no place there (chain_problem refuses one)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/api/sites", "", ""))


def _receipt(answer: Any) -> str | None:
    """The branch's receipt of a document ("new" or "older"), by the PCs' rule of a receipt."""
    from readiness.pc.net.errors import stored_of

    found = stored_of(answer)
    return found[0] if found and found[0] in ("new", "older") else None


def _retry_after(answer: Any) -> float:
    try:
        return min(600.0, max(0.0, float(answer.headers.get("Retry-After", "0"))))
    except ValueError:
        return 0.0
