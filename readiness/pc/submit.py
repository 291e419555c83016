"""Sending reports to the site server (`check --submit`, `readiness submit`), never losing one.

A report that cannot be delivered (server down, network, timeout, 5xx, 429, wrong token) waits in
an outbox folder and goes with the next submission. The server stores the same report once, so
sending it again is harmless. Outbox file names are the reports' own SHA-256: nothing a server or
a report says chooses a path.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from readiness.core.i18n import Lang, Text, same
from readiness.pc.net.errors import server_reason, stored_of

if TYPE_CHECKING:
    from readiness.core.tls import Trust

NONE = same("")

TIMEOUT = (5.0, 30.0)  # connect, read


class Delivery(str, Enum):
    STORED = "stored"  # 201
    ALREADY = "already"  # 200: the server had it
    REFUSED = "refused"  # 400 or 413: the server will never take it
    QUEUED = "queued"  # kept in the outbox for the next try


@dataclass(frozen=True)
class Outcome:
    label: str
    delivery: Delivery
    reason: Text = NONE  # why it was refused or kept, in both languages ("" when delivered)

    @property
    def detail(self) -> str:
        """The reason in English (logs, tests)."""
        return self.reason.en

    def line(self, lang: Lang) -> str:
        words = {Delivery.STORED: Text("sent", "已提交"), Delivery.ALREADY: Text("already on the server", "服务器已有"),
                 Delivery.REFUSED: Text("refused by the server", "服务器拒收"),
                 Delivery.QUEUED: Text("kept in the outbox, sent next time", "已存入待发送目录，下次提交时发送")}
        detail = self.reason(lang)
        if not detail:
            return f"{self.label}: {words[self.delivery](lang)}"
        return f"{self.label}: {words[self.delivery](lang)}" + (f" ({detail})" if lang is Lang.EN else f"（{detail}）")


def default_outbox(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("READINESS_OUTBOX"):
        return Path(env["READINESS_OUTBOX"])
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "exam-readiness" / "outbox"
    state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "exam-readiness" / "outbox"


class Submitter:
    def __init__(self, url: str, token: str, outbox: Path, session: Any = None, trust: "Trust | None" = None) -> None:
        """trust: how the server's certificate is checked ([server] fingerprint or ca_file; None:
        the system's CAs); its session never goes through the machine's proxy (a LAN server)."""
        from readiness.core.tls import Trust

        self.endpoint = url.rstrip("/") + "/api/reports"
        self.token = token
        self.outbox = outbox
        self.trust = trust or Trust("server")
        self.session = session or self.trust.session(url)
        self.session.trust_env = False

    def post(self, body: bytes) -> tuple[Delivery, Text]:
        import requests

        from readiness.pc.net.errors import classify

        try:  # no redirects: requests would turn the POST into a GET and take any page for a receipt
            r = self.session.post(self.endpoint, data=body, timeout=TIMEOUT, allow_redirects=False,
                                  headers={"Authorization": f"Bearer {self.token}",
                                           "Content-Type": "application/json"})
        except requests.RequestException as exc:
            refused = self.trust.refusal(exc)  # the certificate: the pin or the CA said no, the token never left
            if refused is not None:
                return Delivery.QUEUED, refused
            kind = classify(exc)
            return Delivery.QUEUED, Text(f"server unreachable: {type(exc).__name__}",
                                         f"无法连接服务器：{kind.zh}")
        reason = server_reason(r)
        if r.status_code in (200, 201):
            stored = _receipt(r)
            if stored == "new" and r.status_code == 201:
                return Delivery.STORED, NONE
            if stored == "already" and r.status_code == 200:
                return Delivery.ALREADY, NONE
            return Delivery.QUEUED, Text(f"{r.status_code}, but not the answer of a readiness server: "
                                         f"check server.url ({self.endpoint})",
                                         f"{r.status_code}，但不是 readiness 考点服务器的应答：请检查 server.url"
                                         f"（{self.endpoint}）")
        code = r.status_code
        if code == 401:
            return Delivery.QUEUED, Text(f"401: wrong submit token (server.token) — {reason.en}",
                                         f"401：提交令牌（server.token）不对——{reason.zh}")
        if code in (408, 429) or code >= 500:
            why = {408: Text("", "服务器等待超时"), 429: Text("", "请求过于频繁，稍后再试")}.get(
                code, Text("", "服务器内部错误"))
            return Delivery.QUEUED, Text(f"{code}: {reason.en}", f"{code}：{why.zh}" + (f"——{reason.zh}"
                                                                                        if reason.zh else ""))
        if code in (400, 413):  # the contract's refusals: this report will never be taken
            return Delivery.REFUSED, Text(f"{code}: {reason.en}", f"{code}：{reason.zh}")
        where = r.headers.get("location")
        points = Text(f"; it points to {where[:200]}", f"；它指向 {where[:200]}") if where else NONE
        return Delivery.QUEUED, Text(f"{code}: not the answer of a readiness server: check server.url "
                                     f"({self.endpoint})" + points.en,
                                     f"{code}：不是 readiness 考点服务器的应答：请检查 server.url"
                                     f"（{self.endpoint}）" + points.zh)

    def send(self, body: bytes, label: str) -> Outcome:
        """One report: delivered, refused (with the reason), or kept in the outbox."""
        delivery, detail = self.post(body)
        if delivery is Delivery.QUEUED:
            try:
                keep(self.outbox, body)
            except OSError as exc:
                why = exc.strerror or str(exc)
                detail += Text(f"; the outbox {self.outbox} is not writable ({why}): the report file stays",
                               f"；待发送目录 {self.outbox} 无法写入（{why}）：报告文件仍保留")
        return Outcome(label, delivery, detail)

    def flush(self) -> list[Outcome]:
        """Every report waiting in the outbox, oldest first; delivered or refused ones leave it."""
        outcomes = []
        for path in waiting(self.outbox):
            try:
                body = path.read_bytes()
            except OSError:
                continue
            delivery, detail = self.post(body)
            outcomes.append(Outcome(f"outbox/{path.name}", delivery, detail))
            if delivery is Delivery.QUEUED:
                break  # the server is still away: keep the rest for next time
            try:
                if delivery is Delivery.REFUSED:  # kept aside for a person to look at, never deleted
                    (self.outbox / "refused").mkdir(exist_ok=True)
                    path.replace(self.outbox / "refused" / path.name)
                else:
                    path.unlink()
            except OSError:
                pass
        return outcomes


def deliver(url: str, token: str, reports: Iterable[tuple[str, bytes]], outbox: Path | None = None,
            trust: "Trust | None" = None) -> list[Outcome]:
    """The one submit step (`check --submit`, `submit`, the double-click): the outbox first, oldest
    first, then each report; what cannot be delivered waits in the outbox."""
    sub = Submitter(url, token, default_outbox() if outbox is None else outbox, trust=trust)
    outcomes = sub.flush()
    outcomes += [sub.send(body, label) for label, body in reports]
    return outcomes


def keep(outbox: Path, body: bytes) -> Path:
    from readiness.pc.output import atomic_write

    target = outbox / f"{hashlib.sha256(body).hexdigest()[:32]}.json"
    if not target.exists():
        atomic_write(target, body)
    return target


def waiting(outbox: Path) -> list[Path]:
    found: list[tuple[float, str, Path]] = []
    try:
        for p in outbox.iterdir():
            if p.suffix != ".json" or p.name.startswith("."):
                continue
            try:  # another submit may take a file meanwhile (two at once): skip it, never crash
                st = p.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((st.st_mtime, p.name, p))
    except OSError:
        return []
    return [p for _mtime, _name, p in sorted(found, key=lambda x: (x[0], x[1]))]


def _receipt(r: Any) -> str | None:
    """The site server's receipt of a report ("new", "already"), else None."""
    found = stored_of(r)
    return found[0] if found and found[0] in ("new", "already") and isinstance(found[1], int) else None


def reports_in(paths: Iterable[str]) -> Iterable[tuple[str, bytes | None, Text]]:
    """(label, bytes or None, why not) for every candidate report under the paths (files, folders, zips)."""
    from readiness.core.inputs import MAX_REPORT_BYTES, Rejected, discover, read_source

    zips: dict[str, Any] = {}
    try:
        for item in discover(list(paths)):
            if isinstance(item, Rejected):
                # aggregate's own reasons are English yet: framed by a Chinese sentence
                yield item.path, None, Text(item.reason, f"不能作为报告读取（{item.reason}）")
                continue
            try:
                raw = read_source(item, zips)
            except (OSError, ValueError, RuntimeError) as exc:
                why = getattr(exc, "strerror", None) or str(exc)
                yield item.label, None, Text(f"cannot read: {why}", f"无法读取：{why}")
                continue
            if len(raw) > MAX_REPORT_BYTES:
                yield item.label, None, Text("too large to be a report", "太大，不是报告文件")
                continue
            yield item.label, raw, NONE
    finally:
        for zf in zips.values():
            zf.close()
