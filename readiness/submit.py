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
from typing import Any, Iterable

from readiness.i18n import Lang, Text

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
    detail: str

    def line(self, lang: Lang) -> str:
        words = {Delivery.STORED: Text("sent", "已提交"), Delivery.ALREADY: Text("already on the server", "服务器已有"),
                 Delivery.REFUSED: Text("refused by the server", "服务器拒收"),
                 Delivery.QUEUED: Text("kept in the outbox, sent next time", "已存入待发送目录，下次提交时发送")}
        return f"{self.label}: {words[self.delivery](lang)}" + (f" ({self.detail})" if self.detail else "")


def default_outbox(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("READINESS_OUTBOX"):
        return Path(env["READINESS_OUTBOX"])
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "exam-readiness" / "outbox"
    state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "exam-readiness" / "outbox"


class Submitter:
    def __init__(self, url: str, token: str, outbox: Path, session: Any = None) -> None:
        import requests

        self.endpoint = url.rstrip("/") + "/api/reports"
        self.token = token
        self.outbox = outbox
        self.session = session or requests.Session()
        self.session.trust_env = False  # a LAN server: never through the machine's proxy

    def post(self, body: bytes) -> tuple[Delivery, str]:
        import requests

        try:  # no redirects: requests would turn the POST into a GET and take any page for a receipt
            r = self.session.post(self.endpoint, data=body, timeout=TIMEOUT, allow_redirects=False,
                                  headers={"Authorization": f"Bearer {self.token}",
                                           "Content-Type": "application/json"})
        except requests.RequestException as exc:
            return Delivery.QUEUED, f"server unreachable: {type(exc).__name__}"
        reason = _reason(r)
        if r.status_code in (200, 201):
            stored = _receipt(r)
            if stored == "new" and r.status_code == 201:
                return Delivery.STORED, ""
            if stored == "already" and r.status_code == 200:
                return Delivery.ALREADY, ""
            return Delivery.QUEUED, (f"{r.status_code}, but not the answer of a readiness server: "
                                     f"check server.url ({self.endpoint})")
        if r.status_code == 401:
            return Delivery.QUEUED, f"401: wrong submit token (server.token) — {reason}"
        if r.status_code in (408, 429) or r.status_code >= 500:
            return Delivery.QUEUED, f"{r.status_code}: {reason}"
        if r.status_code in (400, 413):  # the contract's refusals: this report will never be taken
            return Delivery.REFUSED, f"{r.status_code}: {reason}"
        where = r.headers.get("location")
        return Delivery.QUEUED, (f"{r.status_code}: not the answer of a readiness server: check server.url "
                                 f"({self.endpoint})" + (f"; it points to {where[:200]}" if where else ""))

    def send(self, body: bytes, label: str) -> Outcome:
        """One report: delivered, refused (with the reason), or kept in the outbox."""
        delivery, detail = self.post(body)
        if delivery is Delivery.QUEUED:
            try:
                keep(self.outbox, body)
            except OSError as exc:
                detail += f"; the outbox {self.outbox} is not writable ({exc.strerror or exc}): the report file stays"
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


def deliver(url: str, token: str, reports: Iterable[tuple[str, bytes]], outbox: Path | None = None) -> list[Outcome]:
    """The one submit step (`check --submit`, `submit`, the double-click): the outbox first, oldest
    first, then each report; what cannot be delivered waits in the outbox."""
    sub = Submitter(url, token, default_outbox() if outbox is None else outbox)
    outcomes = sub.flush()
    outcomes += [sub.send(body, label) for label, body in reports]
    return outcomes


def keep(outbox: Path, body: bytes) -> Path:
    from readiness.output import atomic_write

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
    """The `stored` of a readiness server's answer ("new", "already"), or None for anything else
    (a captive portal's page, another web server's 200)."""
    try:
        doc = r.json()
    except ValueError:
        return None
    stored = doc.get("stored") if isinstance(doc, dict) else None
    return stored if stored in ("new", "already") and isinstance(doc.get("id"), int) else None


def _reason(r: Any) -> str:
    try:
        doc = r.json()
        return str(doc.get("error", "")) if isinstance(doc, dict) else ""
    except ValueError:
        return (r.text or "")[:200]


def reports_in(paths: Iterable[str]) -> Iterable[tuple[str, bytes | None, str]]:
    """(label, bytes or None, why not) for every candidate report under the paths (files, folders, zips)."""
    from readiness.aggregate.inputs import MAX_REPORT_BYTES, Rejected, discover, read_source

    zips: dict[str, Any] = {}
    try:
        for item in discover(list(paths)):
            if isinstance(item, Rejected):
                yield item.path, None, item.reason
                continue
            try:
                raw = read_source(item, zips)
            except (OSError, ValueError, RuntimeError) as exc:
                yield item.label, None, f"cannot read: {getattr(exc, 'strerror', None) or exc}"
                continue
            if len(raw) > MAX_REPORT_BYTES:
                yield item.label, None, "too large to be a report"
                continue
            yield item.label, raw, ""
    finally:
        for zf in zips.values():
            zf.close()
