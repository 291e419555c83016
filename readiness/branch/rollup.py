"""Site and branch documents among `aggregate`'s inputs: a branch rolling up the sites that sent
files instead of pushing (a site server's `site.json` download, what it sends its branch, a
`readiness.branch/1`). Each file is read at the door by readiness.branch.chain.read_file, as the branch
server reads a push; the rows and the table are the branch server's own (BranchView,
branch_document), so the same documents read the same offline and live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from readiness.core.inputs import Rejected
from readiness.branch.chain import BranchView, DocumentError, Received, branch_document, read_file
from readiness.core.times import exam_zone
from readiness.core.exam import Timeline
from readiness.core.i18n import Text
from readiness.core.profile import Profile

@dataclass(frozen=True)
class SenderFile:
    """One file's documents (a site file holds one per site it names), validated."""

    path: str
    received: tuple[Received, ...]


def read_sender_file(doc: Any, label: str) -> SenderFile | Rejected:
    try:
        return SenderFile(label, tuple(read_file(doc)))
    except DocumentError as exc:
        return Rejected(label, Text(f"not a usable site document: {exc.reason.en}",
                                    f"不是可用的考点文档：{exc.reason.zh}"))


def branch_table(files: Iterable[SenderFile], profile: Profile, now_s: float) -> dict[str, Any]:
    """The `readiness.branch/1` over the files: one row per site (the newer document of a site
    found twice), the profile's [branch.sites] never heard from as rows too, its [exam] the
    timeline of sites whose documents carry none. A file is last seen at its own time, and is a
    snapshot: it is never "silent" (it promised no heartbeat), whatever its age."""
    files = list(files)
    expected = {sid: "" for sid in profile["branch.sites"]}
    for f in files:
        for got in f.received:
            expected.setdefault(got.id, "")  # every site a file names, and the profile's never heard from
    view = BranchView(expected, Timeline.from_profile(profile), live=False)
    for f in files:
        for got in f.received:
            view.offer(got, got.sent_s)
    return branch_document(profile["branch.id"] or "", profile["branch.name"] or "", view.rows(now_s), now_s,
                           view.timeline, zone=exam_zone(profile))


def branch_outcome(files: Iterable[SenderFile], profile: Profile) -> tuple[dict[str, Any], int]:
    """The branch table over the files now, and the exit code of its verdict (branch.level_status by
    rules.exit_code: 0 ready, 1 not ready or escalated, 3 undetermined)."""
    from readiness.branch.chain import now_s
    from readiness.core.rules import exit_code
    from readiness.core.status import Status

    doc = branch_table(files, profile, now_s())
    return doc, exit_code(Status(doc["status"]))
