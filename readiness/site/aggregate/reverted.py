"""Checks that passed in an earlier report of a machine and warn or fail in its newest one.

Exam PCs in labs are often frozen (a restore card, Deep Freeze, a write filter, a cloud classroom
that re-images at each start): a font installed by `fix` or a Level=0 set in user.ini is gone after
the next restart. Every report of a machine is kept (on the stick, in the server's store), so the
site sees the pattern: passed on preparation day, fails again after a restart.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Iterable, NamedTuple

from readiness.core.i18n import Text
from readiness.core.times import when as shown
from readiness.site.words import WORDS

# What counts as "fails again": the checks a technician must act on. An error (could not decide)
# is no evidence that a change was lost; a skip (not collected, e.g. offline) is no evidence either
# way, so a pass, then a skip, then a fail still reverts. The boot marker the check leaves
# (readiness.pc.collect.bootmarker) gone from a later run joins them as the restore check's.
REVERTED_HEADING = WORDS["reverted"]
AGAIN = {"warn": Text("warns", "警告"), "fail": Text("fails", "不通过")}


class Reverted(NamedTuple):
    check: str
    passed_at: str  # checked_at of the newest earlier report in which the check passed
    status: str     # its status now: warn or fail


class EarlierRun(NamedTuple):
    """What is kept of a superseded report of the machine: enough to see a pass, nothing more."""

    when: datetime
    checked_at: str
    checks: tuple[str, ...]  # "id:status", as Machine.checks
    marker_wrote: str | None = None  # the id of the boot marker's stamp this run left (Machine.marker_wrote)


MARKER_LOST = "lost"  # the status of a Reverted whose boot marker (restore) is gone
MARKER_CHECK = "restore"


def find_reverted(now_when: datetime, now_checks: Iterable[str], earlier: Iterable[EarlierRun],
                  marker_read: tuple[str, ...] | None = None) -> tuple[Reverted, ...]:
    """The checks that warn or fail now and passed in a report of the same machine before; and the
    boot marker an earlier run left that this run did not find (rules.marker_lost), as the
    restore check's: the machine lost what was written to its disk. marker_read None: the run
    could not read the marker (or is older than it), no evidence either way."""
    from readiness.core import rules

    passed: dict[str, tuple[datetime, str]] = {}
    wrote: tuple[datetime, str, str] | None = None  # the newest earlier run that left a stamp
    for run in earlier:
        if run.when >= now_when:
            continue  # a report of the same time or later is no "before"
        for entry in run.checks:
            cid, _, status = entry.rpartition(":")
            if status == "pass" and (cid not in passed or run.when > passed[cid][0]):
                passed[cid] = (run.when, run.checked_at)
        if run.marker_wrote and (wrote is None or run.when > wrote[0]):
            wrote = (run.when, run.checked_at, run.marker_wrote)
    out = []
    for entry in now_checks:
        cid, _, status = entry.rpartition(":")
        if status in AGAIN and cid in passed:
            out.append(Reverted(cid, passed[cid][1], status))
    if wrote is not None and marker_read is not None and rules.marker_lost([wrote[2]], marker_read) \
            and not any(r.check == MARKER_CHECK for r in out):
        out.append(Reverted(MARKER_CHECK, wrote[1], MARKER_LOST))
    return tuple(sorted(out))




def reverted_text(r: Reverted, title: Text, zone: tzinfo) -> Text:
    """What it means and what to do, in both languages; the time it passed in zone (the site's)."""
    when, again = shown(r.passed_at, zone) or r.passed_at, AGAIN.get(r.status, Text(r.status, r.status))
    if r.status == MARKER_LOST:
        return Text(f"The marker the check left on {when} (in %ProgramData%\\exam-readiness) is gone: this PC lost "
                    "what was written to its disk since, as a frozen PC does at restart (a restore card, freeze "
                    "software, a cloud classroom). Make changes in the master image, or with the protection off.",
                    f"检查在 {when} 留下的标记（%ProgramData%\\exam-readiness 中）已不在：本机此后写入磁盘的内容已丢失，"
                    "如同受还原保护的电脑重启后一样（还原卡、冰点等还原软件、云课堂）。请在母盘（主镜像）中修改，或关闭还原保护后再修改。")
    if r.check == "clock":
        return Text(f"{title.en} was right on {when} and {again.en} now: the PC loses its time at restart — the "
                    "CMOS battery may be flat (the clock falls back at every start). Replace the battery, and set the "
                    "time in the master image if the PC is frozen.",
                    f"{title.zh}在 {when} 曾正确，现在{again.zh}：本机重启后时间复位——可能是主板（CMOS）电池没电"
                    "（每次开机时钟回退）。请更换电池；如本机有还原保护，请在母盘中校准时间。")
    return Text(f"{title.en} passed on {when} and {again.en} now: this PC loses changes at restart (restore card or "
                "freeze software?). Make the change in the master image, or with the protection off.",
                f"{title.zh}在 {when} 曾通过，现在{again.zh}：本机重启后会丢失修改（还原卡或冰点等还原软件？）。"
                "请在母盘（主镜像）中修改，或关闭还原保护后再修改。")
