"""The exam day's timeline at a site: the next start (or the exam under way), the countdown, and
the plan's deadlines counted back from that start, each derived from what the site server knows.

Pure functions of the profile, the site's facts and the time: the site's dashboard, the document a
site sends its branch and the branch's own view of a silent site all read the same timeline. The
plan's numbers (5 minutes, 48 hours) are in readiness.core.rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from readiness.core import rules
from readiness.core.i18n import Text
from readiness.core.times import iso, parse_instant


@dataclass(frozen=True)
class Timeline:
    starts_s: tuple[float, ...]
    escalate_before_s: float = rules.ESCALATE_BEFORE_S
    duration_s: float = rules.EXAM_DURATION_S

    @classmethod
    def from_profile(cls, profile: Any) -> "Timeline":
        return cls(starts_from(profile["exam.starts_at"]), float(profile["exam.escalate_before_s"]),
                   float(profile["exam.duration_s"]))

    def start(self, now_s: float) -> float | None:
        return rules.exam_under_way_or_next(self.starts_s, now_s, self.duration_s)


@dataclass(frozen=True)
class SiteFacts:
    """What the site server knows that the deadlines are about; None: it cannot tell."""
    ready: bool
    seats_reported: bool | None  # every expected seat has a report
    phones_checked: bool | None  # phone checks arrived and none fails
    ips_registered: bool | None  # egress addresses seen, none unregistered
    rehearsal_done: bool | None  # a round finished with seats in it
    invigilators_at: str | None = None  # when the manager ticked "invigilators assigned"; None: not ticked


# (id, title, how long before the start it is due; None: at the escalation moment)
DEADLINES: tuple[tuple[str, Text, float | None], ...] = (
    ("invigilators", Text("Invigilators assigned (the plan: 48 h before)", "监考教师编排完成（预案：开考 48 小时前）"),
     rules.INVIGILATORS_BEFORE_S),
    ("seats_reported", Text("Every seat reported", "所有机位均已提交报告"), None),
    ("phones_checked", Text("Invigilators' phones checked", "监考手机已检查"), None),
    ("ips_registered", Text("Egress IPs registered", "出口公网 IP 已登记"), None),
    ("rehearsal_done", Text("Exam-start rehearsal done", "开考演练已完成"), None),
)
STATES = {
    "done": Text("done", "已完成"),
    "open": Text("to do", "待完成"),
    "overdue": Text("overdue", "已逾期"),
    "unknown": Text("cannot tell", "无法判断"),
}


def deadline_state(done: bool | None, now_s: float, due_s: float | None) -> str:
    """done; else overdue once its moment has passed; else to do. Not known is "cannot tell" until
    its moment, and overdue after it (nobody could show it was done)."""
    if done:
        return "done"
    if due_s is not None and now_s >= due_s:
        return "overdue"
    return "unknown" if done is None else "open"


def exam_section(timeline: Timeline, facts: SiteFacts, now_s: float) -> dict[str, Any]:
    """The `exam` part of a site's document and of its dashboard's state."""
    start = timeline.start(now_s)
    items = []
    for item_id, title, before in DEADLINES:
        due = None if start is None else start - (timeline.escalate_before_s if before is None else before)
        done = facts.invigilators_at is not None if item_id == "invigilators" else getattr(facts, item_id)
        state = deadline_state(done, now_s, due)
        items.append({"id": item_id, "title": title.to_dict(), "due_at": iso(due), "state": state,
                      "state_text": STATES[state].to_dict(),
                      **({"done_at": facts.invigilators_at} if item_id == "invigilators" and facts.invigilators_at else {})})
    return {"starts_at": [iso(s) for s in timeline.starts_s], "next_start": iso(start),
            "seconds_to_start": None if start is None else round(start - now_s, 1),
            "escalate_before_s": timeline.escalate_before_s, "duration_s": timeline.duration_s,
            "escalate": rules.escalate(now_s, start, timeline.escalate_before_s, timeline.duration_s, facts.ready,
                                       now_s, False),
            "deadlines": items}


def starts_from(values: Iterable[Any]) -> tuple[float, ...]:
    """Starts as a document carries them (ISO strings); the unreadable are left out."""
    found = (parse_instant(v) for v in values)
    return tuple(sorted(v.timestamp() for v in found if v is not None))
