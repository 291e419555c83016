"""Exam-start rehearsal rounds (the server's domain; the HTTP side is serve/round_routes.py): every joined seat downloads a paper-sized object at one announced
moment (in the server's clock), and reports its start, finish, bytes and per-second throughput.

The server keeps the seats that wait (they poll), announces a round a few seconds ahead to the
seats joined at that moment (a seat that joins later is listed as late and left out), and folds
the results: completion times (p50, p95, max against the plan's 80 s), the site's aggregate
throughput = total bytes / (last finish - first start), the slowest seats, and the seats that
failed or did not finish by the round's deadline. Rounds are kept in the store.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from readiness.core.i18n import Text
from readiness.core.names import invisible
from readiness.core.refusals import Invalid, Refused
from readiness.core.rules import PLAN_LOAD_S

JOINED_WITHIN_S = 10.0  # a seat that polled this recently is waiting for a round
# A round in brief, as a site's document carries it up the chain (the counts, then the figures)
BRIEF_COUNTS = ("id", "expected", "joined", "finished", "failed")
BRIEF_FIGURES = ("p50_s", "p95_s", "max_s", "plan_s", "throughput_mbps")
ROUND_BRIEF = (*BRIEF_COUNTS, "state", "start_at", *BRIEF_FIGURES, "stopped")
MAX_SEAT_LEN = 100
MAX_PAPER_BYTES = 1024 * 1024 * 1024
MAX_SEATS = 5000  # seats remembered at once (a site has at most a few hundred): labels are not a memory sink
MAX_LATE = 1000
FORGET_AFTER_S = 3600.0  # a seat silent this long is forgotten
CLOCK_SLACK_S = 60.0  # results may say a start or finish this far outside the round's window


class RoundUnderWay(Refused):
    """A round is scheduled or running: one at a time."""


class RoundNotUnderWay(Refused):
    """Stopping (or fetching the paper of) a round that is not scheduled or running."""


class SeatTaken(Refused):
    """Another address is waiting under this seat label (a cloned PC with the same host name)."""

    def __init__(self, holder: str) -> None:
        super().__init__(Text(f"another PC ({holder}) is waiting as this seat: two PCs with one host name (a cloned "
                              "disk image?); give this one its own label: readiness rehearse --seat LABEL",
                              f"另一台考试机（{holder}）正以此机位名等待：两台电脑主机名相同（克隆的系统盘？）；"
                              "请用 `readiness rehearse --seat 机位名` 为本机指定不同的机位名"))
        self.holder = holder


class TooManySeats(Refused):
    """More distinct seats than any site has: labels are being made up."""


class NoSuchRound(Refused):
    """A result for a round this server never announced."""


class NotInRound(Refused):
    """A result from a seat that was not joined when the round was announced (it joined late)."""


class BadSeat(Invalid):
    """A seat label that is empty, too long, or carries control or direction marks."""


class ImpossibleResult(Invalid):
    """A seat's result that cannot be true of its round."""


def seat_label(value: Any) -> str:
    """The seat's label as given, checked: 1 to MAX_SEAT_LEN printable characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_SEAT_LEN:
        raise BadSeat(Text(f"seat: a label of 1 to {MAX_SEAT_LEN} characters", f"seat：机位名应为 1 到 {MAX_SEAT_LEN} 个字符"))
    if any(invisible(ch) for ch in value):
        raise BadSeat(Text("seat: printable characters only (no control or direction marks)",
                           "seat：只能使用可打印字符（不能有控制字符或方向标记）"))
    return value.strip()


@dataclass
class SeatResult:
    seat: str
    status: str  # waiting, finished, failed, unfinished
    start_s: float | None = None  # since the announced start, server clock
    finish_s: float | None = None
    bytes: int = 0
    mbps: float | None = None
    samples_mbps: list[float] = field(default_factory=list)
    error: str | None = None
    error_text: Text | None = None  # the error in both languages, when the agent (or the server) gave them

    def to_dict(self) -> dict[str, Any]:
        return {"hostname": self.seat, "status": self.status, "start_s": self.start_s, "finish_s": self.finish_s,
                "bytes": self.bytes, "mbps": self.mbps, "samples_mbps": self.samples_mbps, "error": self.error,
                "error_text": self.error_text.to_dict() if self.error_text else None}


DID_NOT_FINISH = Text("did not finish", "未完成下载")
MAX_ERROR_LEN = 500


def _error_text(value: Any) -> Text | None:
    """A result's error_text ({en, zh}, each a string) or None: anything else is left out, not refused
    (error, the English, is what the contract asks for)."""
    if isinstance(value, dict) and all(isinstance(value.get(k), str) for k in ("en", "zh")):
        return Text(value["en"][:MAX_ERROR_LEN], value["zh"][:MAX_ERROR_LEN])
    return None


@dataclass
class Round:
    id: int
    created_at: float
    start_at: float
    url: str | None  # None: the server's own paper-sized object (a LAN-only round)
    paper_bytes: int
    deadline_s: float
    seats: dict[str, SeatResult]
    late: list[str] = field(default_factory=list)
    stopped_at: float | None = None  # the manager ended it early

    def open_at(self, now: float) -> bool:
        """Seats may still start (or be late for) it: not stopped, before its deadline, and not every
        seat has reported (a finished round collects no more "late" seats: they wait for the next)."""
        return self.stopped_at is None and now < self.start_at + self.deadline_s and not self.all_reported()

    def all_reported(self) -> bool:
        return all(s.status in ("finished", "failed") for s in self.seats.values())


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Rehearsals:
    def __init__(self, archived: list[dict[str, Any]] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.waiting: dict[str, float] = {}  # seat → last poll
        self.holders: dict[str, str] = {}  # seat → the address polling under that label
        self.rounds: list[Round] = []
        self.archived = [_interrupted(a) for a in archived or []]  # rounds of earlier runs of the server
        self.version = 0

    def poll(self, seat: str, client: str = "") -> dict[str, Any]:
        """A seat says it is waiting; the answer is the round it takes part in, if one is on. A label
        another address is waiting under is refused (SeatTaken) until that address falls silent."""
        now = self.clock()
        with self._lock:
            holder = self.holders.get(seat)
            if holder is not None and holder != client and now - self.waiting.get(seat, 0.0) <= JOINED_WITHIN_S:
                raise SeatTaken(holder)
            self.holders[seat] = client
            if seat not in self.waiting and len(self.waiting) >= MAX_SEATS:
                self.waiting = {k: v for k, v in self.waiting.items() if now - v < FORGET_AFTER_S}
                self.holders = {k: v for k, v in self.holders.items() if k in self.waiting}
                if len(self.waiting) >= MAX_SEATS:
                    raise TooManySeats(Text(f"more than {MAX_SEATS} seats", f"机位超过 {MAX_SEATS} 个"))
            self.waiting[seat] = now
            current = self.rounds[-1] if self.rounds else None
            if current is not None and seat not in current.seats and current.open_at(now) \
                    and seat not in current.late and len(current.late) < MAX_LATE:
                current.late.append(seat)
                self.version += 1
            mine = current if current is not None and seat in current.seats and \
                current.seats[seat].status == "waiting" and current.open_at(now) else None
        return {"now": now, "round": None if mine is None else {
            "id": mine.id, "start_at": mine.start_at, "url": mine.url, "paper_bytes": mine.paper_bytes,
            "deadline_s": mine.deadline_s}}

    def start(self, url: str | None, paper_bytes: int, lead_s: float, deadline_s: float) -> Round:
        now = self.clock()
        with self._lock:
            busy = self.rounds[-1] if self.rounds else None
            if busy is not None and round_summary(busy, now)["state"] in ("scheduled", "running"):
                left = busy.start_at + busy.deadline_s - now
                raise RoundUnderWay(Text(f"round {busy.id} is under way (until {left:.0f} s "
                                         "from now, or until every seat has reported, or until it is stopped): one round "
                                         "at a time",
                                         f"第 {busy.id} 轮演练正在进行（还剩 {left:.0f} 秒，或到所有机位都已报告、或被停止为止）："
                                         "同一时间只能进行一轮"))
            joined = sorted(s for s, seen in self.waiting.items() if now - seen <= JOINED_WITHIN_S)
            number = max([len(self.rounds)] + [int(a.get("id", 0)) for a in self.archived]) + 1
            r = Round(number, now, now + lead_s, url, paper_bytes, deadline_s,
                      {s: SeatResult(s, "waiting") for s in joined})
            self.rounds.append(r)
            self.version += 1
            return r

    def report(self, round_id: int, seat: str, doc: dict[str, Any]) -> bool:
        """Store one seat's result: True if stored, False if the seat had reported already (its first
        result counts: a repeat, a retry whose answer was lost, changes nothing). Refused (NoSuchRound,
        NotInRound, ImpossibleResult) otherwise."""
        with self._lock:
            r = next((x for x in self.rounds if x.id == round_id), None)
            if r is None:
                raise NoSuchRound(Text("no such round", "没有这一轮演练"))
            result = r.seats.get(seat)
            if result is None:
                raise NotInRound(Text("this seat is not in the round (it joined late)", "此机位不在本轮演练中（加入晚了）"))
            problem = _invalid(doc, r)
            if problem:
                raise ImpossibleResult(Text(problem, f"结果与本轮演练不符（{problem}）"))
            if result.status != "waiting":
                return False
            start, finish, size = doc.get("start"), doc.get("finish"), doc["bytes"]
            error = doc.get("error")
            samples = doc.get("samples_mbps") or []
            result.start_s = round(start - r.start_at, 3) if start is not None else None
            result.bytes = size
            result.samples_mbps = [round(float(v), 2) for v in samples[:int(r.deadline_s) + 2]]
            if error or finish is None:
                result.status = "failed"
                if error:
                    result.error, result.error_text = str(error)[:MAX_ERROR_LEN], _error_text(doc.get("error_text"))
                else:
                    result.error, result.error_text = DID_NOT_FINISH.en, DID_NOT_FINISH
            else:
                result.finish_s = round(finish - r.start_at, 3)
                elapsed = finish - start if start is not None else None
                result.mbps = round(size * 8 / 1e6 / elapsed, 2) if elapsed and elapsed > 0 else None
                result.status = "finished"
            self.version += 1
            return True

    def stop(self, round_id: int) -> None:
        """End a round early (started by mistake, the wrong URL): seats that have not started do not,
        seats without a result are unfinished. RoundNotUnderWay: no such round under way."""
        now = self.clock()
        with self._lock:
            r = self.rounds[-1] if self.rounds else None
            if r is None or r.id != round_id or round_summary(r, now)["state"] == "done":
                raise RoundNotUnderWay(Text(f"round {round_id} is not under way", f"第 {round_id} 轮演练未在进行"))
            r.stopped_at = now
            self.version += 1

    def under_way(self) -> Round | None:
        """The round scheduled or running now, if any."""
        with self._lock:
            r = self.rounds[-1] if self.rounds else None
            if r is not None and round_summary(r, self.clock())["state"] in ("scheduled", "running"):
                return r
            return None

    def latest(self) -> dict[str, Any] | None:
        with self._lock:
            if self.rounds:
                return round_summary(self.rounds[-1], self.clock())
            return self.archived[-1] if self.archived else None

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            now = self.clock()
            return self.archived + [round_summary(r, now) for r in self.rounds]

    def waiting_now(self) -> int:
        now = self.clock()
        with self._lock:
            return sum(1 for seen in self.waiting.values() if now - seen <= JOINED_WITHIN_S)



def _interrupted(doc: dict[str, Any]) -> dict[str, Any]:
    """A round kept by an earlier run of the server: one that was under way when the server stopped
    is over (its seats' results can no longer arrive), and says so."""
    if doc.get("state") not in ("scheduled", "running"):
        return doc
    seats = [dict(s, status="unfinished") if isinstance(s, dict) and s.get("status") in ("waiting", "running") else s
             for s in doc.get("seats") or []]
    unfinished = sorted(str(s.get("hostname")) for s in seats if isinstance(s, dict) and s.get("status") == "unfinished")
    return dict(doc, state="done", interrupted=True, seats=seats, unfinished=unfinished)


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _invalid(doc: dict[str, Any], r: Round) -> str | None:
    """Why a seat's result cannot be true of this round, or None."""
    size, samples = doc.get("bytes"), doc.get("samples_mbps") or []
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= r.paper_bytes:
        return f"bytes: a whole number from 0 to the paper's {r.paper_bytes}"
    if not isinstance(samples, list) or not all(_finite(v) and v >= 0 for v in samples):
        return "samples_mbps: a list of numbers (Mbit/s, not negative)"
    start, finish = doc.get("start"), doc.get("finish")
    low, high = r.start_at - CLOCK_SLACK_S, r.start_at + r.deadline_s + CLOCK_SLACK_S
    for value in (start, finish):
        if value is not None and not (_finite(value) and low <= value <= high):
            return ("start and finish: times in the server's clock (seconds) within the round's window, or null "
                    "(is the PC's clock offset estimated?)")
    if start is not None and finish is not None and finish < start:
        return "finish: before start"
    return None


def round_summary(r: Round, now: float) -> dict[str, Any]:
    """The round as GET /api/rehearsals/latest answers it (docs/schemas.md)."""
    over = not r.open_at(now)
    seats = []
    for s in sorted(r.seats.values(), key=lambda x: x.seat.lower()):
        d = s.to_dict()
        if s.status == "waiting":
            d["status"] = "unfinished" if over else ("running" if now >= r.start_at else "waiting")
        seats.append(d)
    finished = [s for s in r.seats.values() if s.status == "finished"]
    times = [s.finish_s for s in finished if s.finish_s is not None]
    starts = [s.start_s for s in finished if s.start_s is not None]
    total = sum(s.bytes for s in finished)
    span = (max(times) - min(starts)) if times and starts else None
    done = r.all_reported()
    state = "done" if done or over else ("running" if now >= r.start_at else "scheduled")
    return {
        "id": r.id, "state": state, "start_at": r.start_at, "url": r.url, "paper_bytes": r.paper_bytes,
        "deadline_s": r.deadline_s, "stopped": r.stopped_at is not None,
        "expected": len(r.seats), "joined": len(r.seats),
        "finished": len(finished), "failed": sum(1 for s in r.seats.values() if s.status == "failed"),
        "unfinished": sorted(s["hostname"] for s in seats if s["status"] in ("unfinished", "running", "waiting")),
        "late": sorted(r.late),
        "p50_s": percentile(times, 0.5), "p95_s": percentile(times, 0.95), "max_s": max(times) if times else None,
        "plan_s": PLAN_LOAD_S,
        "throughput_mbps": round(total * 8 / 1e6 / span, 2) if span and span > 0 else None,
        "slowest": [s.seat for s in sorted(finished, key=lambda x: -(x.finish_s or 0))[:5]],
        "seats": seats,
    }
