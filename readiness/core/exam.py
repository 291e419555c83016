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


ESCALATED = {
    "never_heard": Text("never heard from, and the exam is near", "临近开考仍从未上报"),
    "silent": Text("silent since before the escalation window", "自需上报时段开始前起一直没有消息"),
    "not_ready": Text("not ready, and the exam is near", "临近开考仍未就绪"),
}


def sites_escalating(count: int) -> Text:
    """A branch's row at headquarters: its sites escalate by their own timelines."""
    return Text(f"{count} of its sites escalate", f"其下 {count} 个考点需上报")


@dataclass(frozen=True)
class Timeline:
    starts_s: tuple[float, ...]
    escalate_before_s: float = rules.ESCALATE_BEFORE_S
    duration_s: float = rules.EXAM_DURATION_S
    missing_share: float = rules.MISSING_ESCALATE_SHARE

    @classmethod
    def from_profile(cls, profile: Any) -> "Timeline":
        return cls(starts_from(profile["exam.starts_at"]), float(profile["exam.escalate_before_s"]),
                   float(profile["exam.duration_s"]), float(profile["exam.missing_escalate_share"]))

    def start(self, now_s: float) -> float | None:
        return rules.exam_under_way_or_next(self.starts_s, now_s, self.duration_s)

    def after(self, start_s: float | None) -> float | None:
        """The start after `start_s` (exam B while exam A is under way)."""
        return rules.exam_after(self.starts_s, start_s)

    def escalation(self, now_s: float, start_s: float | None, ready: bool, last_seen_s: float | None, stale: bool,
                   missing: int | None = None, seats: int | None = None) -> "Text | None":
        """Why this timeline escalates a sender now (rules.escalation_cause), said; None: it does not."""
        cause = rules.escalation_cause(now_s, start_s, self.escalate_before_s, self.duration_s, ready, last_seen_s,
                                       stale, missing, seats, self.missing_share)
        if cause == "missing":
            return Text(f"{missing} of {seats} seats have no report (more than {self.missing_share:.0%})",
                        f"{seats} 个机位中 {missing} 个尚未提交报告（超过 {self.missing_share:.0%}）")
        return None if cause is None else ESCALATED[cause]


@dataclass(frozen=True)
class SiteFacts:
    """What the site server knows that the deadlines are about; None: it cannot tell."""
    ready: bool
    seats_reported: bool | None  # every expected seat has a report
    phones_checked: bool | None  # phone checks arrived and none fails
    ips_registered: bool | None  # egress addresses seen, none unregistered
    rehearsal_done: bool | None  # a round finished with seats in it
    invigilators_at: str | None = None  # when the manager ticked "invigilators assigned"; None: not ticked
    missing: int | None = None  # seats without a report (None: cannot tell)
    seats: int | None = None  # seats expected


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
    why = timeline.escalation(now_s, start, facts.ready, now_s, False, facts.missing, facts.seats)
    return {"starts_at": [iso(s) for s in timeline.starts_s], "next_start": iso(start),
            "following_start": iso(timeline.after(start)),
            "seconds_to_start": None if start is None else round(start - now_s, 1),
            "escalate_before_s": timeline.escalate_before_s, "duration_s": timeline.duration_s,
            "missing_escalate_share": timeline.missing_share,
            "escalate": why is not None, "escalate_reason": None if why is None else why.to_dict(),
            "deadlines": items}


def starts_from(values: Iterable[Any]) -> tuple[float, ...]:
    """Starts as a document carries them (ISO strings); the unreadable are left out."""
    found = (parse_instant(v) for v in values)
    return tuple(sorted(v.timestamp() for v in found if v is not None))
