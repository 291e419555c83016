"""Sending reports to the site server (`check --submit`, `readiness submit`), never losing one.

A report that cannot be delivered (server down, network, timeout, 5xx, 429) waits in an outbox
folder and goes with the next submission (`check --submit` or `readiness submit`: nothing sends it
by itself). A wrong token (401/403) is a refusal of this PC's settings, said as one, naming
server.token; the report waits in the outbox for the corrected token. The server stores the same report once, so
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
    WRONG_TOKEN = "wrong_token"  # 401 or 403: the server refuses this token (server.token); kept in the outbox
    QUEUED = "queued"  # kept in the outbox for the next submission


@dataclass(frozen=True)
class Outcome:
    label: str
    delivery: Delivery
    reason: Text = NONE  # why it was refused or kept, in both languages ("" when delivered)
    kept: Path | None = None  # where the report waits (the outbox file), when it waits

    @property
    def detail(self) -> str:
        """The reason in English (logs, tests)."""
        return self.reason.en

    def line(self, lang: Lang) -> str:
        words = {Delivery.STORED: Text("sent", "已提交"), Delivery.ALREADY: Text("already on the server", "服务器已有"),
                 Delivery.REFUSED: Text("refused by the server", "服务器拒收"),
                 Delivery.WRONG_TOKEN: Text("refused: the site server does not accept this submit token",
                                            "被拒收：考点服务器不接受此提交令牌"),
                 Delivery.QUEUED: Text("not sent", "未发送")}
        detail = self.reason(lang)
        said = words[self.delivery](lang) + ((f" ({detail})" if lang is Lang.EN else f"（{detail}）") if detail else "")
        if self.delivery is Delivery.WRONG_TOKEN:
            said += Text(". Correct server.token in the profile (or pass --token; `readiness serve` prints the token), "
                         "then run `readiness submit`",
                         "。请改正配置文件中的 server.token（或使用 --token；`readiness serve` 会显示令牌），"
                         "再运行 `readiness submit`")(lang)
        if self.kept is not None:
            said += Text(f"; the report waits in the outbox: {self.kept}" + (
                "" if self.delivery is Delivery.WRONG_TOKEN else
                " (`readiness submit` or the next `check --submit` sends it)"),
                f"；报告保存在待发送目录：{self.kept}" + (
                "" if self.delivery is Delivery.WRONG_TOKEN else "（运行 `readiness submit` 或下次 `check --submit` 时发送）"))(lang)
        return f"{self.label}: {said}"


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
            kind = classify(exc)  # one describer: the English says what the Chinese says
            return Delivery.QUEUED, Text(f"server unreachable: {kind.en}", f"无法连接服务器：{kind.zh}")
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
        if code in (401, 403):  # the same token fails the same way every time: the setting must change
            return Delivery.WRONG_TOKEN, Text(f"{code}: {reason.en}" if reason.en else str(code),
                                              f"{code}：{reason.zh}" if reason.zh else str(code))
        if code in (408, 429) or code >= 500:
            why = {408: Text("", "服务器等待超时"), 429: Text("", "请求过于频繁，稍后再试")}.get(
                code, Text("", "服务器内部错误"))
            return Delivery.QUEUED, Text(f"{code}: {reason.en}", f"{code}：{why.zh}" + (f"——{reason.zh}"
                                                                                        if reason.zh else ""))
        if code in (400, 413):  # the contract's refusals: this report will never be taken
            return Delivery.REFUSED, Text(f"{code}: {reason.en}", f"{code}：{reason.zh}")
        where = r.headers.get("location")
        points = Text(f"; it points to {where[:200]}", f"；它指向 {where[:200]}") if where else NONE
        if reason.en and r.headers.get("content-type", "").startswith("application/json"):  # a readiness server's own
            return Delivery.QUEUED, Text(f"{code}: {reason.en}: check server.url ({self.endpoint})",  # (a branch's)
                                         f"{code}：{reason.zh}：请检查 server.url（{self.endpoint}）")
        return Delivery.QUEUED, Text(f"{code}: not the answer of a readiness server: check server.url "
                                     f"({self.endpoint})" + points.en,
                                     f"{code}：不是 readiness 考点服务器的应答：请检查 server.url"
                                     f"（{self.endpoint}）" + points.zh)

    def send(self, body: bytes, label: str) -> Outcome:
        """One report: delivered, refused (with the reason), or kept in the outbox (and where)."""
        delivery, detail = self.post(body)
        kept = None
        if delivery in WAITING:
            try:
                kept = keep(self.outbox, body)
            except OSError as exc:
                why = exc.strerror or str(exc)
                detail += Text(f"; the outbox {self.outbox} is not writable ({why}): the report file stays",
                               f"；待发送目录 {self.outbox} 无法写入（{why}）：报告文件仍保留")
        return Outcome(label, delivery, detail, kept)

    def flush(self) -> list[Outcome]:
        """Every report waiting in the outbox, oldest first; delivered or refused ones leave it."""
        outcomes = []
        for path in waiting(self.outbox):
            try:
                body = path.read_bytes()
            except OSError:
                continue
            delivery, detail = self.post(body)
            outcomes.append(Outcome(str(path), delivery, detail))  # where the file is, not a made-up path
            if delivery in WAITING:
                break  # the server is still away, or refuses the token: the rest would fare the same
            try:
                if delivery is Delivery.REFUSED:  # kept aside for a person to look at, never deleted
                    (self.outbox / "refused").mkdir(exist_ok=True)
                    path.replace(self.outbox / "refused" / path.name)
                else:
                    path.unlink()
            except OSError:
                pass
        return outcomes


WAITING = frozenset({Delivery.QUEUED, Delivery.WRONG_TOKEN})  # kept in the outbox


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
    from readiness.core.files import cannot_read
    from readiness.core.inputs import MAX_REPORT_BYTES, Rejected, discover, read_source

    zips: dict[str, Any] = {}
    try:
        for item in discover(list(paths)):
            if isinstance(item, Rejected):
                yield item.path, None, item.reason
                continue
            try:
                raw = read_source(item, zips)
            except (OSError, ValueError, RuntimeError) as exc:
                yield item.label, None, cannot_read(exc)
                continue
            if len(raw) > MAX_REPORT_BYTES:
                yield item.label, None, Text("too large to be a report", "太大，不是报告文件")
                continue
            yield item.label, raw, NONE
    finally:
        for zf in zips.values():
            zf.close()
