"""A sender's document as the branch keeps it, typed once where it is read back: a site's
`readiness.site/1` (its sites, latest round and exam) or a branch's `readiness.branch/1` (its rows,
one per site), the latter also the branch's own document its renderers draw (reports/branch_*).
Whatever a stored document holds reads into these types: a missing or wrong-typed value is none,
never an error, and nothing after this door checks a type again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from typing import Any, Mapping

from readiness.core.i18n import Text
from readiness.core.reading import count, instant, listed, mapping, number, text_of
from readiness.site.document import SiteEntry
from readiness.site.words import WORDS


def tool_version(row: Mapping[str, Any]) -> str | None:
    """A row's `tool_version` when it is a version (a document read back may hold anything)."""
    from readiness.core.versions import parse_version

    v = row.get("tool_version")
    return v.strip() if isinstance(v, str) and parse_version(v) is not None else None

STATUSES = ("pass", "warn", "fail", "error")
BRANCH_SCHEMA = "readiness.branch/1"
MAX_ROWS = 100_000  # a branch's rows read back; the door bounds a document at 8 MB anyway


@dataclass(frozen=True)
class Deadline:
    id: str
    title: Text
    due_at: str | None
    state: str

    @property
    def state_words(self) -> Text:
        return WORDS.get(f"deadline_{self.state}", Text(self.state, self.state))

    @classmethod
    def read(cls, value: Any) -> "Deadline":
        d = mapping(value)
        return cls(text_of(d.get("id")), Text.from_json(d.get("title")), instant(d.get("due_at")), text_of(d.get("state")))


@dataclass(frozen=True)
class Exam:
    """A document's exam: its next start (a branch's document carries its starts only: the next
    one is worked out from them) and the plan's deadlines with their states."""

    next_start: str | None
    deadlines: tuple[Deadline, ...]

    @classmethod
    def read(cls, value: Any) -> "Exam | None":
        e = mapping(value)
        if not e:
            return None
        start = instant(e.get("next_start"))
        if start is None and listed(e.get("starts_at")):
            from readiness.branch.chain import now_s
            from readiness.core.exam import Timeline, starts_from
            from readiness.core.times import iso

            start = iso(Timeline(starts_from(listed(e.get("starts_at")))).start(now_s()))
        return cls(start, tuple(Deadline.read(d) for d in listed(e.get("deadlines"))))


@dataclass(frozen=True)
class RoundBrief:
    """A site's latest rehearsal round in brief (ROUND_BRIEF), or a branch row's count of rehearsed
    sites (sites, rehearsed)."""

    id: str
    state: str | None
    joined: int | None
    finished: int | None
    failed: int | None
    p50_s: float | None
    p95_s: float | None
    max_s: float | None
    plan_s: float | None
    throughput_mbps: float | None
    sites: int | None = None
    rehearsed: int | None = None

    @property
    def title(self) -> Text:
        return Text(*(WORDS["round"](lang).replace("{n}", self.id or "?") for lang in ("en", "zh")))

    @property
    def times(self) -> str:
        return " / ".join("—" if v is None else f"{v:.1f} s" for v in (self.p50_s, self.p95_s, self.max_s))

    def brief(self, lang: str) -> str:
        """"Round 2, done, joined 30, finished 29, failed 1, max 63.5 s" ("" none)."""
        w = lambda k: WORDS[k](lang)  # noqa: E731
        if self.sites is not None:
            return f"{self.rehearsed} / {self.sites} {w('rehearsed')}"
        parts = [w("round").replace("{n}", self.id or "?")]
        if self.state is not None:
            parts.append(w(self.state))
        parts += [f"{w(k)} {v}" for k, v in (("joined", self.joined), ("finished", self.finished),
                                              ("failed", self.failed)) if v is not None]
        if self.max_s is not None:
            parts.append(f"{w('longest')} {self.max_s:.1f} s")
        return ", ".join(parts)

    @classmethod
    def read(cls, value: Any) -> "RoundBrief | None":
        r = value if isinstance(value, Mapping) else None
        if not r:
            return None
        state = r.get("state") if r.get("state") in ("scheduled", "running", "done") else None
        return cls(text_of(r.get("id")), state, count(r.get("joined")), count(r.get("finished")), count(r.get("failed")),
                   number(r.get("p50_s")), number(r.get("p95_s")), number(r.get("max_s")), number(r.get("plan_s")),
                   number(r.get("throughput_mbps")),
                   count(r.get("sites")) if "sites" in r else None, count(r.get("rehearsed")) if "sites" in r else None)


@dataclass(frozen=True)
class Row:
    """One sender in a branch's document: a site, or a branch at headquarters."""

    id: str
    name: str
    kind: str
    status: str | None  # None: never heard from (no verdict of its own)
    verdict: Text
    escalate: bool
    stale: bool
    reports: int
    seats_expected: int | None
    missing: int | None
    last_seen: str | None
    next_exam_at: str | None
    rehearsal: RoundBrief | None
    deadlines: tuple[Deadline, ...]
    findings: tuple[Text, ...]
    tool_version: str | None = None  # the readiness of the sender's server, as its document said it

    @classmethod
    def read(cls, value: Any) -> "Row":
        r = mapping(value)
        return cls(text_of(r.get("id")), text_of(r.get("name")), text_of(r.get("kind")) or "site",
                   r.get("status") if r.get("status") in STATUSES else None, Text.from_json(r.get("verdict")),
                   r.get("escalate") is True, r.get("stale") is True, count(r.get("reports")) or 0,
                   count(r.get("seats_expected")), count(r.get("missing")), instant(r.get("last_seen")),
                   instant(r.get("next_exam_at")), RoundBrief.read(r.get("rehearsal")),
                   tuple(Deadline.read(d) for d in listed(r.get("deadlines")) if isinstance(d, Mapping)),
                   tuple(Text.from_json(mapping(f).get("message")) for f in listed(r.get("findings"))
                         if isinstance(f, Mapping)),
                   tool_version(r))


@dataclass(frozen=True)
class Document:
    """A site's or a branch's document, as kept: who sent it and when, its verdict, and its sites
    (a site's) or its rows (a branch's)."""

    is_branch: bool
    id: str
    name: str
    status: str | None
    verdict: Text
    generated_at: str | None
    sent_at: str | None
    counts: dict[str, int]
    escalating: int
    silent: int
    sites: tuple[SiteEntry, ...]
    rows: tuple[Row, ...]
    rehearsal: RoundBrief | None
    exam: Exam | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)  # as it came (the JSON download)

    @property
    def zone(self) -> tzinfo:
        """The zone its sender shows times in (a site or a branch writes generated_at in its exam's
        zone: core.times.exam_zone; an older one in its computer's, an older branch's in UTC):
        its pages and files say its times in it, with the zone said."""
        from readiness.core.times import zone_of

        return zone_of(self.generated_at) or timezone.utc

    @classmethod
    def read(cls, value: Any) -> "Document":
        doc = mapping(value)
        sender = mapping(doc.get("sender"))
        is_branch = doc.get("schema") == BRANCH_SCHEMA
        sid = sender.get("id") if sender.get("id") is not None else doc.get("id")
        name = sender.get("name") if sender.get("name") is not None else doc.get("name")
        return cls(
            is_branch=is_branch, id=text_of(sid), name=text_of(name),
            status=doc.get("status") if doc.get("status") in STATUSES else None,
            verdict=Text.from_json(doc.get("verdict")),
            generated_at=instant(doc.get("generated_at")), sent_at=instant(sender.get("sent_at")),
            counts={k: count(mapping(doc.get("counts")).get(k)) or 0 for k in STATUSES},
            escalating=count(doc.get("escalating")) or 0, silent=count(doc.get("silent")) or 0,
            sites=() if is_branch else tuple(SiteEntry.read(e) for e in listed(doc.get("sites"))),
            rows=tuple(Row.read(r) for r in listed(doc.get("sites"))[:MAX_ROWS] if isinstance(r, Mapping))
            if is_branch else (),
            rehearsal=RoundBrief.read(doc.get("rehearsal")), exam=Exam.read(doc.get("exam")), raw=doc)
