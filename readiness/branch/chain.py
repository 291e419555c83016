"""The plan's chain of command: a site reports to its branch, a branch to headquarters.

A sender's document (a site's `readiness.site/1`, a branch's `readiness.branch/1`) is read once, at
the door, into a `Received` summary: the few figures the level above shows (its verdict, its seats,
its exam timeline, its latest rehearsal). Everything after trusts it. The rows of the level above
(`Row`) are computed from those summaries and the time, by the plan's rules in readiness.core.rules
(stale, the escalation window), so the branch server, `readiness aggregate` over site files and
headquarters over branch documents say the same of the same documents.

No HTTP here: serve/branch_routes.py is the door on the network, aggregate's inputs the one on disk.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone, tzinfo
from typing import Any, Callable, Iterable, Mapping

from readiness import __version__
from readiness.core import reading, rules
from readiness.core.exam import Timeline, sites_escalating, starts_from
from readiness.core.times import iso, parse_instant
from readiness.core.i18n import Text
from readiness.core.names import MAX_NAME, cut, id_problem, shown
from readiness.core.refusals import Invalid, Refused
from readiness.core.status import Status
from readiness.core.facts import parse_schema
from readiness.core.versions import newer_major, tool_version

SITE_SCHEMA = "readiness.site/1"
BRANCH_SCHEMA = "readiness.branch/1"
KINDS = {SITE_SCHEMA: "site", BRANCH_SCHEMA: "branch"}
STATUS_VALUES = (Status.PASS.value, Status.WARN.value, Status.FAIL.value, Status.ERROR.value)  # a sender's verdicts
MAX_FINDINGS = 20  # per sender, on its tile; its whole document stays one click away
MAX_DEADLINES = 20
MAX_TEXT = 200  # characters of a finding's message or a deadline's title, per language (cut with "…")
ROW_BUDGET = 2048  # bytes (JSON, UTF-8) of one row's findings and deadlines: the least severe go first
# bytes of a level's own document (readiness.branch/1): under the 8 MB a level above takes
# (serve/branch_routes.MAX_DOCUMENT), with room for the sender's own fields. Over it, the least urgent
# rows lose their findings and deadlines (row "cut"); their figures and verdicts always stay.
DOCUMENT_BUDGET = 7 * 1024 * 1024
FUTURE_TOLERANCE_S = 300.0  # a sender's clock this far ahead of ours is refused: its order cannot be trusted
DEFAULT_HEARTBEAT_S = 60.0


class DocumentError(Invalid):
    """A document the level above cannot take (its reason in both languages)."""


class WrongSender(Refused):
    """A document about another sender than the token's: nothing of it is kept."""


class TooOften(Refused):
    """A sender sending faster than any change can justify (a loop, a hostile sender)."""


@dataclass(frozen=True)
class Received:
    """One sender's document as the level above keeps it (validated at the door)."""

    kind: str  # "site" or "branch"
    id: str
    name: str
    status: str  # the sender's own verdict: pass, warn, fail, error
    reports: int
    seats_expected: int | None
    missing: int | None
    sent_s: float  # the sender's clock when it sent (or generated) the document: orders its documents
    seq: int  # the sender's count of documents sent: orders two sent in one second
    heartbeat_s: float
    starts_s: tuple[float, ...] = ()
    escalate_before_s: float = rules.ESCALATE_BEFORE_S
    duration_s: float = rules.EXAM_DURATION_S
    escalating: int = 0  # a branch document: its sites that escalate (by its clock)
    unheard: int = 0  # a branch document: its sites never heard from or gone silent
    rehearsal: dict[str, Any] | None = None
    findings: tuple[dict[str, Any], ...] = ()
    deadlines: tuple[dict[str, Any], ...] = ()
    tool_version: str | None = None  # the readiness of the sender's server (its document's tool.version)
    cut: int = 0  # findings and deadlines left out to keep the row within ROW_BUDGET
    left_out: tuple[str, ...] = ()  # other sites' sections in a site's document: not counted (one site per token)
    missing_share: float | None = None  # the sender's own exam.missing_escalate_share, if it sent one

    def newer_than(self, other: "Received") -> bool:
        """Older never beats newer: a document is newer by its sender's count (kept across its
        restarts: a laptop whose clock was set back still counts up) or by its sender's time (a
        sender started afresh in a new data folder counts from 1 again). A replayed document is
        older by both, and so is a second server sending with the same token behind the first.
        Documents from files written without a sender (seq 0) compare by time alone."""
        if self.seq and other.seq:
            return self.seq > other.seq or self.sent_s > other.sent_s
        # a file written without a sender (seq 0) counts by its time; at the same time the worse one
        # counts, as aggregate does for two reports of one PC
        if self.sent_s != other.sent_s:
            return self.sent_s > other.sent_s
        return rules.severity(self.status) < rules.severity(other.status)

    def to_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in _TUPLES:
            out[k] = list(getattr(self, k))
        return out

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> "Received":
        """A summary this tool stored itself (the branch's database): trusted, but an unreadable one
        raises, and the caller drops it rather than show a wrong row."""
        values = {k: doc[k] for k in cls.__dataclass_fields__ if k in doc}
        for k in _TUPLES:
            values[k] = tuple(values.get(k, ()))
        return cls(**values)


_TUPLES = ("starts_s", "findings", "deadlines", "left_out")


# -- the door -----------------------------------------------------------------------------------

def _refuse(en: str, zh: str) -> DocumentError:
    return DocumentError(Text(en, zh))


def _text_id(value: Any, what: Text) -> str:
    problem = id_problem(value)
    if problem is not None:
        raise _refuse(f"{what.en}: {problem.en}", f"{what.zh}：{problem.zh}")
    return str(value)


def _count(value: Any, what: str, most: int = 10_000_000) -> int:
    """A count the document must give right (reading.count's rule, within 0..most), else refused."""
    found = reading.count(value)
    if found is None or not 0 <= found <= most:
        raise _refuse(f"{what} must be a whole number from 0", f"{what} 须为不小于 0 的整数")
    return found


def _number(value: Any, what: str, low: float, high: float) -> float:
    """A figure the document must give right (reading.number's rule, within low..high), else refused."""
    found = reading.number(value)
    if found is None or not low <= found <= high:
        raise _refuse(f"{what} must be a number from {low:g} to {high:g}", f"{what} 须为 {low:g} 至 {high:g} 之间的数")
    return found


def _status(value: Any, what: str) -> str:
    if value not in STATUS_VALUES:
        raise _refuse(f"{what} must be pass, warn, fail or error", f"{what} 须为 pass、warn、fail 或 error")
    return str(value)


def _bilingual(value: Any) -> dict[str, str]:
    """A sender's text as rows carry it: the names' rule (control and direction characters out),
    at most MAX_TEXT characters in each language."""
    t = Text.from_json(value)
    return {"en": cut(t.en, MAX_TEXT), "zh": cut(t.zh, MAX_TEXT)}


MACHINE_CHECKS_NAMED = 3  # checks named in a site's "2 PCs: memory; 1: MSYH font"; the rest counted


def machine_findings(site: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What a site's PCs fail (then what they could not decide) as one finding each, worst check
    first, from its per-check counts and titles: "2 PCs: Memory; 1: MSYH font". The site's own
    findings are about the site (downlink, IPs, seats); without this a NOT READY tile said no why."""
    checks, titles = site.get("checks"), site.get("titles")
    if not isinstance(checks, dict):
        return []
    titles = titles if isinstance(titles, dict) else {}
    out = []
    for status, lead in (("fail", Text("", "")), ("error", Text("Could not decide on ", "无法判断："))):
        named = sorted(((n, str(cid)) for cid, c in checks.items() if isinstance(c, dict)
                        for n in (c.get(status),) if isinstance(n, int) and not isinstance(n, bool) and n > 0),
                       key=lambda x: (-x[0], x[1]))
        if not named:
            continue
        parts = []
        for i, (n, cid) in enumerate(named[:MACHINE_CHECKS_NAMED]):
            title = Text.from_json(titles.get(cid)) if cid in titles else Text(cid, cid)
            title = title if title.en or title.zh else Text(cid, cid)
            parts.append(Text(f"{n} PC{'s' if n > 1 else ''}: {title.en}" if i == 0 else f"{n}: {title.en}",
                              f"{n} 台考试机：{title.zh}" if i == 0 else f"{n} 台：{title.zh}"))
        message = lead + Text("; ".join(p.en for p in parts), "；".join(p.zh for p in parts))
        if len(named) > MACHINE_CHECKS_NAMED:
            more = len(named) - MACHINE_CHECKS_NAMED
            message += Text(f"; {more} more check{'s' if more > 1 else ''}", f"；另有 {more} 项检查")
        out.append({"status": status, "message": message.to_dict()})
    return out


def _findings(sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for s in sites:
        found = s.get("findings")
        if found is not None and not isinstance(found, list):
            raise _refuse("sites[].findings must be a list", "sites[].findings 须为列表")
        out += [{"status": f["status"], "message": _bilingual(f["message"])} for f in machine_findings(s)]
        for f in reading.listed(found):
            status = reading.mapping(f).get("status")
            if status in ("warn", "fail", "error"):
                out.append({"status": status, "message": _bilingual(f.get("message"))})
    out.sort(key=lambda f: rules.severity(f["status"]))
    return out


def _json_size(value: Any) -> int:
    import orjson

    return len(orjson.dumps(value))


def bounded(findings: list[dict[str, Any]], deadlines: list[dict[str, Any]]
            ) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...], int]:
    """A row's findings (worst first) and deadlines within MAX_FINDINGS, MAX_DEADLINES and
    ROW_BUDGET bytes: the longer list loses its last one (the last deadline, the least severe
    finding; the deadlines first) until the row fits; how many went."""
    kept_f, kept_d = findings[:MAX_FINDINGS], deadlines[:MAX_DEADLINES]
    size = _json_size(kept_f) + _json_size(kept_d)
    while size > ROW_BUDGET and (kept_f or kept_d):
        gone = kept_d.pop() if len(kept_d) >= len(kept_f) else kept_f.pop()
        size -= _json_size(gone) + 1
    return tuple(kept_f), tuple(kept_d), len(findings) + len(deadlines) - len(kept_f) - len(kept_d)


def _rehearsal(value: Any) -> dict[str, Any] | None:
    """A round in brief, as its sender summarised it (rounds.py's GET /api/rehearsals/latest)."""
    if not isinstance(value, Mapping):
        return None
    from readiness.site.rounds import BRIEF_COUNTS, BRIEF_FIGURES

    keep: dict[str, Any] = {}
    for k in BRIEF_COUNTS:
        n = reading.count(value.get(k))
        keep[k] = n if n is not None and 0 <= n < 10**9 else None
    for k in BRIEF_FIGURES:
        keep[k] = reading.number(value.get(k))
    state = value.get("state")
    keep["state"] = state if state in ("scheduled", "running", "done") else None
    start = value.get("start_at")
    keep["start_at"] = start if reading.number(start) is not None else None  # as sent (an int stays one)
    keep["stopped"] = value.get("stopped") is True
    return keep


@dataclass(frozen=True)
class Sender:
    """Who sent a document, as its `sender` object names itself (read at the door)."""

    kind: str  # "site" or "branch", as the schema says
    id: str
    name: str
    sent_s: float  # orders its documents (Received.newer_than)
    seq: int
    heartbeat_s: float
    seats: Any = None  # a site's own count of its seats, as sent: read only while no report has reached it

    @classmethod
    def of(cls, kind: str, ident: str, name: Any, sent_s: float, seq: int = 0,
           heartbeat_s: float = DEFAULT_HEARTBEAT_S, seats: Any = None) -> "Sender":
        """A sender from what a door read (ident already checked by _text_id), its name cleaned the
        one way: a pushed document's `sender`, or a file's own fields (a file promises no heartbeat
        and has no sequence: the default beat, 0)."""
        return cls(kind, ident, shown(name)[:MAX_NAME] if isinstance(name, str) else "", sent_s, seq, heartbeat_s,
                   seats)


def _sender(doc: Mapping[str, Any], kind: str) -> Sender:
    sender = doc.get("sender")
    if not isinstance(sender, dict):
        raise _refuse("sender {kind, id, name, heartbeat_s, sent_at, seq} is missing",
                      "缺少 sender {kind, id, name, heartbeat_s, sent_at, seq}")
    if sender.get("kind") != kind:
        raise _refuse(f"sender.kind must be {kind} for {doc.get('schema')}", f"{doc.get('schema')} 的 sender.kind 须为 {kind}")
    sender_id = _text_id(sender.get("id"), Text("sender.id", "sender.id"))
    sent = parse_instant(sender.get("sent_at"))
    if sent is None:
        raise _refuse("sender.sent_at must be a date-time with its offset", "sender.sent_at 须为带时区的日期时间")
    return Sender.of(kind, sender_id, sender.get("name"), sent.timestamp(),
                     _count(sender.get("seq"), "sender.seq", 2**53),
                     _number(sender.get("heartbeat_s"), "sender.heartbeat_s", *rules.HEARTBEAT_S),
                     sender.get("seats"))


@dataclass(frozen=True)
class ExamPlan:
    """A document's `exam` section as the level above keeps it (no section: the defaults)."""

    starts_s: tuple[float, ...] = ()
    escalate_before_s: float = rules.ESCALATE_BEFORE_S
    duration_s: float = rules.EXAM_DURATION_S
    missing_share: float | None = None
    deadlines: tuple[dict[str, Any], ...] = ()


def _deadline(value: Any) -> dict[str, Any] | None:
    d = reading.mapping(value)
    ident, state = d.get("id"), d.get("state")
    if not isinstance(ident, str) or state not in ("done", "open", "overdue", "unknown"):
        return None
    return {"id": cut(ident, 64), "title": _bilingual(d.get("title")), "state": state,
            "due_at": d["due_at"] if parse_instant(d.get("due_at")) else None}


def _exam(doc: Mapping[str, Any]) -> ExamPlan:
    exam = doc.get("exam")
    if exam is None:
        return ExamPlan()
    if not isinstance(exam, dict):
        raise _refuse("exam must be an object", "exam 须为对象")
    starts = exam.get("starts_at", [])
    if not isinstance(starts, list) or len(starts) > 1000 or any(parse_instant(s) is None for s in starts):
        raise _refuse("exam.starts_at must be a list of date-times with their offset",
                      "exam.starts_at 须为带时区的日期时间列表")
    kept = (_deadline(d) for d in reading.listed(exam.get("deadlines"))[:MAX_DEADLINES])
    share = exam.get("missing_escalate_share")
    return ExamPlan(starts_from(starts),
                    _number(exam.get("escalate_before_s", rules.ESCALATE_BEFORE_S), "exam.escalate_before_s", 0, 86400),
                    _number(exam.get("duration_s", rules.EXAM_DURATION_S), "exam.duration_s", 60, 86400),
                    None if share is None else _number(share, "exam.missing_escalate_share", 0, 1),
                    tuple(d for d in kept if d is not None))


@dataclass(frozen=True)
class Figures:
    """What a document's `sites` say, by its kind's rule (_site_figures, _branch_figures)."""

    status: str
    reports: int
    seats_expected: int | None
    missing: int | None
    starts_s: tuple[float, ...]
    rehearsal: dict[str, Any] | None
    findings: list[dict[str, Any]]
    escalating: int = 0
    unheard: int = 0
    left_out: tuple[str, ...] = ()


def _sections(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    sites = doc.get("sites")
    if not isinstance(sites, list):
        raise _refuse("sites must be a list", "sites 须为列表")
    return sites


def _objects(sites: list[Any]) -> list[dict[str, Any]]:
    if not all(isinstance(s, dict) for s in sites):
        raise _refuse("sites[] must be objects", "sites[] 须为对象")
    return sites


def _site_figures(doc: Mapping[str, Any], sender: Sender, status: str, exam: ExamPlan) -> Figures:
    """A site's document: its own sections' reports and seats (one site per token), its findings;
    before any report, the seats its sender names, and no verdict."""
    sites, left_out = _own_sections(_objects(_sections(doc)), sender.id)
    reports = 0
    seats: int | None = 0
    for s in sites:
        reports += _count(s.get("reports"), "sites[].reports")
        site = reading.mapping(s.get("site"))
        if site.get("seats_source") == "machines" or site.get("seats") is None or seats is None:
            seats = None  # counted from the machines themselves: how many are missing is unknown
        else:
            seats += _count(site.get("seats"), "sites[].site.seats")
    if not sites:
        named = sender.seats  # the site's own count before any report
        seats = None if named is None else _count(named, "sender.seats")
        status = Status.ERROR.value  # nothing reported yet: nobody can say the site is ready
    return Figures(status, reports, seats, None if seats is None else max(0, seats - reports), exam.starts_s,
                   _rehearsal(doc.get("rehearsal")), _findings(sites), left_out=left_out)


def _branch_figures(doc: Mapping[str, Any], exam: ExamPlan) -> Figures:
    """A branch's document: the sums of its rows, its verdict from them by this level's rule (a
    branch of no sites, or of silent ones, is not "ready"), its sites' own starts as its own too."""
    rows = _sections(doc)
    reports = seats = missing = escalating = unheard = 0
    seats_known = True
    counted = []
    starts = set(exam.starts_s)
    for r in rows:
        if not isinstance(r, dict):
            raise _refuse("sites[] must be objects", "sites[] 须为对象")
        counted.append(_row_counts_as(r))
        for k in ("next_exam_at", "following_exam_at"):  # its sites' own starts are the branch's too
            at = parse_instant(r.get(k))
            if at is not None:
                starts.add(at.timestamp())
        reports += _count(r.get("reports") or 0, "sites[].reports")
        if r.get("seats_expected") is None:
            seats_known = False
        else:
            seats += _count(r.get("seats_expected"), "sites[].seats_expected")
        missing += _count(r.get("missing") or 0, "sites[].missing")
        escalating += r.get("escalate") is True
        unheard += r.get("last_seen") is None or r.get("stale") is True
    rehearsed = [_rehearsal_counts(r.get("rehearsal")) for r in rows]
    return Figures(rules.overall(counted).value if counted else Status.ERROR.value, reports,
                   seats if seats_known else None, missing, tuple(sorted(starts)),
                   {"sites": sum(n for n, _ in rehearsed), "rehearsed": sum(d for _, d in rehearsed)}, [],
                   escalating, unheard)


def _newer_major(doc: dict[str, Any], who: str) -> None:
    """A document of a new major schema (readiness.site/2) is refused with the advice to update;
    a newer minor version of /1 (checks, fields this one does not know) is read for what it knows."""
    schema = parse_schema(doc.get("schema"))
    if schema is not None and f"{schema[0]}/1" in KINDS and schema[1] > 1:
        raise DocumentError(newer_major(str(doc["schema"]), f"{schema[0]}/1", doc, who))


def read_document(doc: Any, who: str = "branch") -> Received:
    """A sender's document (parsed JSON) as the level above keeps it, or DocumentError saying
    what is wrong. The sender names itself in `sender`; its figures come from the document.
    who: whose door ("branch" the server, "tool" aggregate), for the advice on a newer schema."""
    if not isinstance(doc, dict):
        raise _refuse("not a JSON object", "不是 JSON 对象")
    _newer_major(doc, who)
    kind = KINDS.get(doc.get("schema"))  # type: ignore[arg-type]
    if kind is None:
        raise _refuse(f"schema must be {SITE_SCHEMA} or {BRANCH_SCHEMA}", f"schema 须为 {SITE_SCHEMA} 或 {BRANCH_SCHEMA}")
    return _received(doc, kind, _sender(doc, kind))


def _received(doc: Mapping[str, Any], kind: str, sender: Sender) -> Received:
    """A document of this kind from this sender (read from its `sender`, or from a file's own fields)."""
    status = _status(doc.get("status"), "status")
    exam = _exam(doc)
    got = _site_figures(doc, sender, status, exam) if kind == "site" else _branch_figures(doc, exam)
    findings, deadlines, cut_n = bounded(got.findings, list(exam.deadlines))
    return Received(kind, sender.id, sender.name, got.status, got.reports, got.seats_expected, got.missing,
                    sender.sent_s, sender.seq, sender.heartbeat_s, starts_s=got.starts_s,
                    escalate_before_s=exam.escalate_before_s, duration_s=exam.duration_s, escalating=got.escalating,
                    unheard=got.unheard, rehearsal=got.rehearsal, findings=findings, deadlines=deadlines, cut=cut_n,
                    left_out=got.left_out, missing_share=exam.missing_share, tool_version=tool_version(doc))


def _own_sections(sites: list[dict[str, Any]], sender_id: str) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """One site per site token: a section naming another site's id (PCs whose profile names
    another site, or a forged section) is left out of the figures and findings, and its id said on
    the row. Left out rather than refusing the document: the site stays heard and judged by its own
    PCs on exam morning, and cannot speak for another. A section without an id is the site's own."""
    own, other = [], []
    for s in sites:
        site_id = reading.mapping(s.get("site")).get("id")
        if isinstance(site_id, str) and site_id and site_id != sender_id:
            other.append(cut(site_id, 64))
        else:
            own.append(s)
    return own, tuple(dict.fromkeys(other))[:20]


def read_file(doc: Any, who: str = "tool") -> list[Received]:
    """A document from a file (a site's `site.json` download, a branch's, `aggregate --format
    json`), for `readiness aggregate` over site documents: one sent up the chain names its sender;
    a file written without one counts by its own time, one row per site it holds."""
    if isinstance(doc, dict) and "sender" in doc:
        return [read_document(doc, who)]
    if isinstance(doc, dict):
        _newer_major(doc, who)
    if not isinstance(doc, dict) or doc.get("schema") not in KINDS:
        raise _refuse(f"schema must be {SITE_SCHEMA} or {BRANCH_SCHEMA}", f"schema 须为 {SITE_SCHEMA} 或 {BRANCH_SCHEMA}")
    when = parse_instant(doc.get("generated_at"))
    if when is None:
        raise _refuse("generated_at must be a date-time with its offset", "generated_at 须为带时区的日期时间")
    if doc["schema"] == BRANCH_SCHEMA:
        branch_id = _text_id(doc.get("id"), Text("id", "id"))
        return [_received(doc, "branch", Sender.of("branch", branch_id, doc.get("name"), when.timestamp()))]
    sites = doc.get("sites")
    if not isinstance(sites, list) or not sites:
        raise _refuse("a site document without sites (no report had reached that server)",
                      "考点文档中没有考点（该服务器尚未收到任何报告）")
    rounds = doc.get("rehearsals")
    brief = doc.get("rehearsal") if "rehearsal" in doc else (rounds[-1] if isinstance(rounds, list) and rounds else None)
    out = []
    for entry in sites:
        site = entry.get("site") if isinstance(entry, dict) else None
        if not isinstance(site, dict):
            raise _refuse("sites[].site must be an object", "sites[].site 须为对象")
        if not site.get("id"):
            raise _refuse("a site without an id (its PCs' profile has no [site] id)",
                          "考点没有编号（考试机的配置文件中没有 [site] id）")
        site_id = _text_id(site["id"], Text("sites[].site.id", "sites[].site.id"))
        sender = Sender.of("site", site_id, site.get("name"), when.timestamp())  # its seats: in its section
        out.append(_received({**doc, "sites": [entry], "status": entry.get("status"), "rehearsal": brief}, "site",
                             sender))
    return out


def counted_as(status: Any, heard: bool, stale: bool, escalated: bool) -> str:
    """How one row counts for its level's verdict, written once for a Row and for a row of a branch's
    document read at headquarters: never heard from, silent or of no known status is undetermined;
    escalated (or holding escalated sites) is not ready, unless already undetermined."""
    if status not in STATUS_VALUES or not heard or stale:
        return Status.ERROR.value
    if escalated:
        return Status.ERROR.value if status == Status.ERROR.value else Status.FAIL.value
    return str(status)


def _row_counts_as(r: Mapping[str, Any]) -> str:
    return counted_as(r.get("status"), r.get("last_seen") is not None, r.get("stale") is True,
                     r.get("escalate") is True or (reading.count(r.get("escalating")) or 0) > 0)


def _rehearsal_counts(brief: Any) -> tuple[int, int]:
    """(sites, sites rehearsed) under one row: a site's round in brief counts when it finished
    with seats in it; a branch's row carries its own counts."""
    brief = reading.mapping(brief)
    if "sites" in brief:
        sites, done = reading.count(brief.get("sites")), reading.count(brief.get("rehearsed"))
        return (sites, done) if sites is not None and done is not None and sites >= 0 and done >= 0 else (0, 0)
    return 1, int(brief.get("state") == "done" and (reading.count(brief.get("finished")) or 0) > 0)


def check_clock(got: Received, now_s: float) -> None:
    """A sender whose clock is ahead of ours cannot be ordered (its documents would beat the
    newer ones sent after its clock is set right): refused, saying by how much."""
    if got.sent_s > now_s + FUTURE_TOLERANCE_S:
        ahead = round(got.sent_s - now_s)
        raise _refuse(f"sender.sent_at is {ahead} s ahead of this server's clock: set the sender's clock",
                      f"sender.sent_at 比本服务器时钟快 {ahead} 秒：请校准发送方的时钟")


def chain_problem(profile: Any) -> Text | None:
    """What keeps a server from taking its place in the chain, checked at start: a branch needs
    its own id; sending up needs a token, and the id it sends as (its site's, or its branch's)."""
    if profile.is_branch and not profile["branch.id"]:
        return Text("[branch.sites] is set but [branch] id is not: a branch server needs its own id",
                    "已设置 [branch.sites] 但未设置 [branch] id：分部服务器需要自己的编号")
    strays = [b for b in profile["branch.branches"] if b not in profile["branch.sites"]]
    if strays:
        return Text(f"[branch] branches names {', '.join(strays)}, not in [branch.sites]: list each branch there with "
                    f"its token", f"[branch] branches 中的 {'、'.join(strays)} 不在 [branch.sites] 中：请在其中为每个分部设置令牌")
    if profile["upstream.url"]:
        if not profile["upstream.token"]:
            return Text("[upstream] url is set but token is not: ask the branch for this site's token",
                        "已设置 [upstream] url 但未设置 token：请向分部索取本考点的令牌")
        if not profile.is_branch and not profile["site.id"]:
            return Text("[upstream] needs [site] id: the branch knows this site by it",
                        "[upstream] 需要设置 [site] id：分部以此识别本考点")
        from urllib.parse import urlsplit

        parts = urlsplit(profile["upstream.url"].strip())
        if parts.query or parts.fragment:
            return Text("[upstream] url: the branch server's address, without ?query or #fragment",
                        "[upstream] url：分部服务器地址，不能带 ? 查询或 # 片段")
    return None


def half_site(profile: Any) -> Text | None:
    """A branch whose [site] id is not one of its [branch.sites]: a branch only (Profile.is_site),
    said at start, so that a site copied into a branch's profile is not taken for a running site."""
    if not (profile.is_branch and profile["site.id"]) or profile.is_site:
        return None
    sid = profile["site.id"]
    return Text(f"warning: [site] id {sid} is not in [branch.sites]: this server is a branch only (no PCs' reports, no "
                f"site dashboard). To be the site {sid} too, list \"{sid}\" in [branch.sites] with a token of its own; "
                "otherwise remove [site] from this profile.",
                f"警告：[site] id {sid} 不在 [branch.sites] 中：本服务器仅作为分部服务器（不接收考试机报告，没有考点看板）。"
                f"如需同时作为考点 {sid}，请在 [branch.sites] 中列出 \"{sid}\" 并为其设置单独的令牌；否则请从本配置中删除 [site]。")


# -- the rows -----------------------------------------------------------------------------------

NEVER_HEARD = Text("NEVER HEARD FROM", "从未上报")


def verdict(status: str | None) -> Text:
    """A sender's verdict in words: a site's reads like a machine's (the one table, reports/text.py)."""
    from readiness.core.model import VERDICTS

    return NEVER_HEARD if status is None else VERDICTS[Status(status)]


@dataclass(frozen=True)
class Row:
    """One sender as the level above shows it now."""

    id: str
    name: str
    kind: str
    received: Received | None
    last_seen_s: float | None
    stale: bool
    escalate: bool
    next_exam_s: float | None
    static: Mapping[str, Any] | None = None  # received_json() of its document
    refused: Mapping[str, Any] | None = None  # its last refused document: {at, reason}
    why: Text | None = None  # why it escalates (None: it does not)
    following_s: float | None = None  # the start after next_exam_s (exam B while exam A is under way)

    @property
    def status(self) -> str | None:
        return self.received.status if self.received else None

    @property
    def counts_as(self) -> str:
        """For the level's own verdict (counted_as): a sender never heard from or gone silent cannot be called ready."""
        r = self.received
        return counted_as(r.status if r else None, r is not None, self.stale,
                         self.escalate or bool(r and r.escalating))

    def urgency(self) -> tuple[int, int, str]:
        """Act first on: escalated, then silent or never heard, then by verdict, worst first."""
        heard = self.received is not None
        silent = not heard or self.stale
        return (0 if self.escalate else 1 if silent else 2,
                rules.severity(self.status or Status.FAIL.value), self.id)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.static) if self.static is not None else _never_heard(self.kind)
        out.update(id=self.id, name=self.name or out["name"], stale=self.stale, escalate=self.escalate,
                   escalate_reason=None if self.why is None else self.why.to_dict(),
                   next_exam_at=iso(self.next_exam_s), following_exam_at=iso(self.following_s), refused=self.refused)
        return out


def received_json(got: Received, last_seen_s: float) -> dict[str, Any]:
    """The parts of a row that change only with a new document (worked out once, not at every look:
    a branch of 3,000 sites is asked every few seconds)."""
    return {"id": got.id, "name": got.name, "kind": got.kind, "status": got.status,
            "verdict": verdict(got.status).to_dict(), "reports": got.reports, "missing": got.missing,
            "seats_expected": got.seats_expected, "last_seen": iso(last_seen_s), "stale": False, "escalate": False,
            "next_exam_at": None, "rehearsal": got.rehearsal, "heartbeat_s": got.heartbeat_s, "sent_at": iso(got.sent_s),
            "findings": list(got.findings), "deadlines": list(got.deadlines), "escalating": got.escalating,
            "unheard": got.unheard, "cut": got.cut, "left_out": list(got.left_out), "tool_version": got.tool_version}


def _never_heard(kind: str) -> dict[str, Any]:
    return {"id": "", "name": "", "kind": kind, "status": None, "verdict": NEVER_HEARD.to_dict(), "reports": 0,
            "missing": None, "seats_expected": None, "last_seen": None, "stale": False, "escalate": False,
            "next_exam_at": None, "rehearsal": None, "heartbeat_s": None, "sent_at": None, "findings": [],
            "deadlines": [], "escalating": 0, "unheard": 0, "cut": 0, "left_out": [], "tool_version": None}


def row_for(site_id: str, name: str, got: Received | None, last_seen_s: float | None, now_s: float,
            fallback: Timeline, static: Mapping[str, Any] | None = None,
            starts: dict[tuple[tuple[float, ...], float], float | None] | None = None,
            refused: Mapping[str, Any] | None = None, live: bool = True) -> Row:
    """A sender's row now: stale after three of its heartbeats; its exam timeline its own, else the
    level's own (a sender never heard from has none); escalated by the plan's rule."""
    heartbeat = got.heartbeat_s if got else DEFAULT_HEARTBEAT_S
    stale = live and rules.is_stale(now_s, last_seen_s, heartbeat)  # a file is a snapshot: it promised no heartbeat
    timeline = fallback
    if got is not None and got.starts_s:
        # the sender's own starts and this level's both count, with the wider window: a site cannot
        # leave its branch's exam day by sending another timeline (or none, or a zero window)
        timeline = Timeline(tuple(sorted(set(got.starts_s) | set(fallback.starts_s))),
                            max(got.escalate_before_s, fallback.escalate_before_s) if fallback.starts_s
                            else got.escalate_before_s,
                            max(got.duration_s, fallback.duration_s) if fallback.starts_s else got.duration_s,
                            fallback.missing_share)
    if got is not None and got.missing_share is not None and got.missing_share < timeline.missing_share:
        timeline = replace(timeline, missing_share=got.missing_share)  # a site stricter than its branch
    key = (timeline.starts_s, timeline.duration_s)
    if starts is not None and key in starts:  # most senders of a level share one exam day
        start = starts[key]
    else:
        start = timeline.start(now_s)
        if starts is not None:
            starts[key] = start
    if got is not None and got.escalating and (not stale or rules.in_escalation_window(
            now_s, start, timeline.escalate_before_s, timeline.duration_s)):
        why: Text | None = sites_escalating(got.escalating)  # a branch escalates when any of its sites does
    else:
        site = got is None or got.kind == "site"  # the seats rule is a site's; a branch's sites carry it up
        why = timeline.escalation(now_s, start, got is not None and rules.is_ready(got.status), last_seen_s, stale,
                                  got.missing if got and site else None, got.seats_expected if got and site else None)
    if got is not None and static is None:
        static = received_json(got, last_seen_s or 0.0)
    return Row(site_id, name, got.kind if got else "site", got, last_seen_s, stale, why is not None, start, static,
               refused, why, timeline.after(start))


@dataclass
class BranchView:
    """The latest document of every sender this level knows, in memory (the store keeps them)."""

    expected: dict[str, str]  # sender id -> the name given by the profile ("" if none)
    timeline: Timeline
    live: bool = True  # senders that push (a server); False: documents from files, never "stale"
    _latest: dict[str, tuple[Received, float, dict[str, Any]]] = field(default_factory=dict)  # id -> (doc, received at, its row's fixed part)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # one document of a sender at a time decides "newer" (and is stored): per sender, so that a small
    # document never waits for another sender's large one
    _ingest: dict[str, threading.Lock] = field(default_factory=dict)
    refused: dict[str, dict[str, Any]] = field(default_factory=dict)  # sender id -> {at, reason} of its last refusal
    version: int = 0
    answered: tuple[tuple[int, int], bytes] | None = None  # (version, second) -> the document as last sent

    def load(self, rows: Iterable[tuple[str, float, Received]]) -> None:
        for sender_id, received_s, got in rows:
            self._latest[sender_id] = (got, received_s, received_json(got, received_s))
        self.version += 1

    def latest(self, sender_id: str) -> Received | None:
        with self._lock:
            found = self._latest.get(sender_id)
        return found[0] if found else None

    def offer(self, got: Received, received_s: float, keep: Callable[[], None] | None = None) -> bool:
        """Keep it if it is newer than what this level has of that sender (True), else not. keep:
        store it first (under that sender's lock: two documents of one sender racing are decided
        once, and the one acknowledged is the one stored). Everything heavy (unpacking, parsing,
        validating, compressing) is done before, by the caller."""
        with self._lock:
            ingest = self._ingest.setdefault(got.id, threading.Lock())
        with ingest:
            with self._lock:
                have = self._latest.get(got.id)
            if have is not None and not got.newer_than(have[0]):
                return False
            if keep is not None:
                keep()  # raises: nothing changes in memory either
            with self._lock:
                self._latest[got.id] = (got, received_s, received_json(got, received_s))
                self.refused.pop(got.id, None)
                self.version += 1
            return True

    def refuse(self, sender_id: str, at_s: float, reason: Text) -> None:
        """A sender's last refused document (a wrong id, a bad document, a clock ahead), for its row:
        a site that sends but is refused is not the same as a site that is silent."""
        if sender_id in self.expected:
            with self._lock:
                self.refused[sender_id] = {"at": iso(at_s), "reason": reason.to_dict()}
                self.version += 1

    def row(self, sender_id: str, now_s: float) -> Row | None:
        """One sender's row now, as rows() gives it (its page says ESCALATE as its tile does)."""
        if sender_id not in self.expected:
            return None
        with self._lock:
            got, seen, static = self._latest.get(sender_id, (None, None, None))
        return row_for(sender_id, self.expected.get(sender_id, ""), got, seen, now_s, self.timeline, static,
                       {}, self.refused.get(sender_id), self.live)

    def rows(self, now_s: float) -> list[Row]:
        with self._lock:
            latest = dict(self._latest)
        ids = list(self.expected)  # the profile says who belongs: a sender taken out of it is no longer listed
        rows = []
        starts: dict[tuple[tuple[float, ...], float], float | None] = {}
        for sender_id in ids:
            got, seen, static = latest.get(sender_id, (None, None, None))
            rows.append(row_for(sender_id, self.expected.get(sender_id, ""), got, seen, now_s, self.timeline, static,
                                starts, self.refused.get(sender_id), self.live))
        rows.sort(key=Row.urgency)
        return rows


def level_status(rows: list[Row]) -> str:
    """The level's own verdict over its rows (nothing expected and nothing heard: undetermined)."""
    if not rows:
        return Status.ERROR.value
    return rules.overall(r.counts_as for r in rows).value


def branch_document(branch_id: str, name: str, rows: list[Row], now_s: float, timeline: Timeline,
                    sender: Mapping[str, Any] | None = None, zone: tzinfo | None = None) -> dict[str, Any]:
    """`readiness.branch/1`: what GET /api/branch answers and what a branch sends headquarters;
    generated_at in zone (the branch's exam zone, core.times.exam_zone: its pages and files show
    every time in the zone it is written in), else UTC."""
    status = level_status(rows)
    doc: dict[str, Any] = {
        "schema": BRANCH_SCHEMA, "tool": {"name": "exam-readiness", "version": __version__},
        "generated_at": iso(now_s, zone), "id": branch_id, "name": name,
        "status": status, "verdict": verdict(status).to_dict(),
        "counts": {k: sum(1 for r in rows if r.counts_as == k) for k in ("pass", "warn", "fail", "error")},
        "escalating": sum(1 for r in rows if r.escalate),
        "silent": sum(1 for r in rows if r.received is None or r.stale),
        "exam": {"starts_at": [iso(s) for s in timeline.starts_s], "escalate_before_s": timeline.escalate_before_s,
                 "duration_s": timeline.duration_s},
        "sites": [r.to_json() for r in rows],
        "cut": 0,
    }
    if sender is not None:
        doc["sender"] = dict(sender)
    return within_budget(doc)


def within_budget(doc: dict[str, Any], budget: int | None = None) -> dict[str, Any]:
    """A level's document within DOCUMENT_BUDGET bytes, so that the level above always takes it:
    over it, the least urgent rows (last) lose their findings and deadlines first (each such row's
    `cut` counts what went, the document's `cut` the rows cut); figures and verdicts always stay."""
    budget = DOCUMENT_BUDGET if budget is None else budget
    size = _json_size(doc)
    rows = doc["sites"]
    for i in range(len(rows) - 1, -1, -1):
        if size <= budget:
            break
        row = rows[i]
        if not row.get("findings") and not row.get("deadlines"):
            continue
        saved = _json_size(row.get("findings")) + _json_size(row.get("deadlines")) - 4
        rows[i] = {**row, "findings": [], "deadlines": [],
                   "cut": (row.get("cut") or 0) + len(row.get("findings") or ()) + len(row.get("deadlines") or ())}
        size -= saved
        doc["cut"] += 1
    return doc


def check_kind(got: Received, listed_as_branch: bool) -> None:
    """A sender posts the kind of document the profile lists it as: only a sender in [branch]
    branches may post `readiness.branch/1` (a site's token cannot turn its tile into a branch's)."""
    if got.kind == "branch" and not listed_as_branch:
        raise WrongSender(Text(f"{got.id} is listed as a site, and sent a branch document: nothing kept "
                               f"(a branch is listed in [branch] branches)",
                               f"{got.id} 登记为考点，却发送了分部文档：未保存（分部须列入 [branch] branches）"))
    if got.kind == "site" and listed_as_branch:
        raise WrongSender(Text(f"{got.id} is listed as a branch ([branch] branches), and sent a site document: "
                               f"nothing kept", f"{got.id} 登记为分部（[branch] branches），却发送了考点文档：未保存"))


def now_s() -> float:
    return datetime.now(timezone.utc).timestamp()

