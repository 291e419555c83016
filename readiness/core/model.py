"""The report model: statuses, one check's result, and the report of one machine.

"Not ready" (fail) and "could not decide" (error) are different statuses on purpose: the first
sends a technician to fix the PC, the second to look at why the tool could not tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from readiness.core import rules
from readiness.core.i18n import Text
from readiness.core.status import Status

REPORT_SCHEMA = "readiness.report/1"


__all__ = ["REPORT_SCHEMA", "STATUS_LABELS", "RETRY_REMEDY", "Status", "Finding", "CheckResult", "Tally", "Report"]


STATUS_LABELS: dict[Status, Text] = {
    Status.PASS: Text("PASS", "通过"),
    Status.WARN: Text("WARN", "警告"),
    Status.FAIL: Text("FAIL", "不通过"),
    Status.SKIP: Text("SKIP", "跳过"),
    Status.ERROR: Text("ERROR", "无法判断"),
}


RETRY_REMEDY = Text("Run the check again on this PC; if it persists, send the report file to technical support.",
                    "请在本机重新检查；如仍无法判断，请将报告文件发给技术支持。")


@dataclass(frozen=True)
class Finding:
    """What a check concludes: the part of a result that the check itself decides."""

    status: Status
    observed: Text
    expected: Text
    message: Text
    remedy: Text | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: Text
    status: Status
    observed: Text
    expected: Text
    message: Text
    remedy: Text | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, check_id: str, title: Text, finding: Finding) -> "CheckResult":
        return cls(check_id, title, finding.status, finding.observed, finding.expected,
                   finding.message, finding.remedy, dict(finding.details))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "title": self.title.to_dict(),
            "observed": self.observed.to_dict(),
            "expected": self.expected.to_dict(),
            "message": self.message.to_dict(),
            "remedy": self.remedy.to_dict() if self.remedy else None,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Tally:
    status: Status
    counts: Mapping[str, int]

    @classmethod
    def of(cls, results: "tuple[CheckResult, ...] | list[CheckResult]") -> "Tally":
        return cls.from_statuses(r.status for r in results)

    @classmethod
    def from_statuses(cls, statuses: "Iterable[Status]") -> "Tally":
        """The counts, and one verdict from many by the rulebook's precedence."""
        counts = {s.value: 0 for s in Status}
        for status in statuses:
            counts[status.value] += 1
        return cls(rules.overall(k for k, n in counts.items() if n), counts)

    @property
    def exit_code(self) -> int:
        return rules.exit_code(self.status)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "counts": dict(self.counts)}


@dataclass(frozen=True)
class Report:
    tool: Mapping[str, Any]
    profile: Mapping[str, Any]
    site: Mapping[str, Any]
    facts: Mapping[str, Any]
    results: tuple[CheckResult, ...]
    checked_at: str

    @property
    def summary(self) -> Tally:
        return Tally.of(self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "checked_at": self.checked_at,
            "tool": dict(self.tool),
            "profile": dict(self.profile),
            "site": dict(self.site),
            "facts": dict(self.facts),
            "results": [r.to_dict() for r in self.results],
            "summary": self.summary.to_dict(),
        }


# A verdict as said of a machine, and of a site or a branch alike: one wording everywhere.
VERDICTS = {
    Status.PASS: Text("READY", "就绪"),
    Status.WARN: Text("READY, WITH WARNINGS", "就绪（有警告）"),
    Status.FAIL: Text("NOT READY", "未就绪"),
    Status.ERROR: Text("UNDETERMINED: some checks could not decide", "无法判断：部分检查项无法判断"),
}
