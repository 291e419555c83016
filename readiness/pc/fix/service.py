"""The `fix` and `fix --undo` flows; the CLI passes in how to talk to the user and the machine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from readiness.pc.fix.actions import (ChangeSet, apply, failure_note, pending_paths, preconditions, propose_changes,
                                   undo)
from readiness.pc.fix.journal import Journal
from readiness.pc.fix.winfont import FontHost
from readiness.core.i18n import Lang, Text
from readiness.core.model import STATUS_LABELS
from readiness.core.plugin import LoadedChecks
from readiness.core.profile import Profile
from readiness.core.judging import judge_checks


@dataclass
class FixIO:
    echo: Callable[[str], None]
    confirm: Callable[[str], bool]
    collect: Callable[[], Mapping[str, Any]]
    running: Callable[[], list[str]]
    font_host: FontHost
    lang: Lang


def _say(io: FixIO, text: Text, prefix: str = "") -> None:
    io.echo(prefix + text(io.lang))


def _statuses(facts: Mapping[str, Any], profile: Profile, loaded: LoadedChecks, ids: list[str]) -> dict[str, str]:
    return {r.id: STATUS_LABELS[r.status](Lang.EN) for r in judge_checks(facts, profile, loaded.select(ids))}


def _not_fixable(io: FixIO, facts: Mapping[str, Any], profile: Profile, loaded: LoadedChecks, changes: ChangeSet) -> None:
    """Say what fix cannot do, so that nobody believes the PC is ready after it."""
    fixable = {"opengl-level"} | ({"font-msyh"} if any(a.check_id == "font-msyh" for a in changes.actions) else set())
    ids = [c.id for c in loaded.checks if c.id not in fixable]
    failing = {cid: st for cid, st in _statuses(facts, profile, loaded, ids).items() if st in ("FAIL", "ERROR")}
    if failing:
        listed = ", ".join(f"{cid} ({st})" for cid, st in failing.items())
        _say(io, Text(f"Not fixed by this command (see `readiness check`): {listed}.",
                      f"以下问题本命令无法处理（详见 `readiness check`）：{listed}。"))


def _protection_note(io: FixIO, facts: Mapping[str, Any]) -> None:
    """Before anything is applied: on a protected PC every change made now is lost at restart; with a
    product whose state could not be read, it may be."""
    from readiness.core import rules

    restore = facts.get("restore")
    found = restore.get("found") if isinstance(restore, Mapping) else None
    found = [f for f in found if isinstance(f, Mapping)] if isinstance(found, list) else []
    on = rules.protection_on(found)
    states = rules.product_states(found)
    shown = on or [f for f in found if states.get(str(f.get("product"))) == rules.UNKNOWN]
    if not shown:
        return
    names = ", ".join(dict.fromkeys(str(f.get("name") or f.get("product")) for f in shown))
    if on:
        note = Text(f"Protection is on ({names}): what this command changes is lost at the next restart. Make the "
                    "change in the master image, or in the product's thawed/maintenance mode, then check again "
                    "after a restart.",
                    f"系统还原保护已开启（{names}）：本命令所做的修改将在下次重启后丢失。请在母盘镜像中修改，"
                    "或在该产品的解冻/维护模式下修改，重启后再次检查。")
    else:
        note = Text(f"{names} is installed and whether it protects this PC now could not be read: what this command "
                    "changes may be lost at the next restart. Restart and run `readiness check` to see whether it "
                    "lasted; if not, make the change in the master image or with the protection off.",
                    f"{names} 已安装，无法读取其当前是否保护本机：本命令所做的修改可能在下次重启后丢失。"
                    "请重启后运行 `readiness check` 确认是否保留；如未保留，请在母盘镜像中或关闭保护后修改。")
    _say(io, note, "! ")


def run_fix(profile: Profile, loaded: LoadedChecks, io: FixIO, *, backup_root: Path, yes: bool,
            dry_run: bool, white_screen: bool, font: Path | None, undo_hint: str = "readiness fix --undo") -> int:
    facts = io.collect()
    changes: ChangeSet = propose_changes(facts, profile.values, white_screen=white_screen, font=font, font_host=io.font_host)
    _protection_note(io, facts)
    _whose_files_note(io, facts)
    _not_fixable(io, facts, profile, loaded, changes)
    for note in changes.notes:
        _say(io, note, "  ")
    if changes.refusals:
        _say(io, Text("Refused; nothing was changed:", "已拒绝执行，未做任何修改："))
        for r in changes.refusals:
            _say(io, r, "  ! ")
        return 1
    if not changes.actions:
        _say(io, Text("Nothing to change.", "无需修改。"))
        return 0
    _say(io, Text("Planned changes:", "计划的修改："))
    for i, action in enumerate(changes.actions, 1):
        _say(io, action.describe(), f"  {i}. ")
    problems = preconditions(changes, io.running, profile["client.exe_name"], probe=not dry_run)
    if dry_run:
        if problems:  # what the real run would say, so that nobody finds out only then
            _say(io, Text("The real run would refuse; nothing would be changed:", "正式运行时将拒绝执行，不会做任何修改："))
            for p in problems:
                _say(io, p, "  ! ")
        _say(io, Text("Dry run: nothing was changed.", "试运行：未做任何修改。"))
        return 1 if problems else 0
    if problems:
        _say(io, Text("Refused; nothing was changed:", "已拒绝执行，未做任何修改："))
        for p in problems:
            _say(io, p, "  ! ")
        return 1
    if not yes and not io.confirm(Text("Apply these changes?", "确认执行以上修改？")(io.lang)):
        _say(io, Text("Nothing was changed.", "未做任何修改。"))
        return 1
    before = _statuses(facts, profile, loaded, changes.check_ids)
    try:
        journal = Journal.start(backup_root)
    except OSError as exc:
        _say(io, Text(f"Cannot create the backup folder {backup_root} ({exc.strerror or exc}); nothing was changed.",
                      f"无法创建备份目录 {backup_root}（{exc.strerror or exc}），未做任何修改。"))
        return 1
    try:
        apply(changes, journal, io.font_host)
    except Exception as exc:
        _say(io, Text(f"Failed: {type(exc).__name__}: {exc}. ", f"失败：{type(exc).__name__}: {exc}。")
             + failure_note(journal, undo_hint))
        return 1
    journal.finish("done")
    after = _statuses(io.collect(), profile, loaded, changes.check_ids)
    _say(io, Text("Done. Before -> after:", "已完成。修改前 -> 修改后："))
    for check_id in changes.check_ids:
        io.echo(f"  {check_id}: {before.get(check_id, '?')} -> {after.get(check_id, '?')}")
    _say(io, Text(f"Backup and journal: {journal.folder}. Undo with `{undo_hint}`.",
                  f"备份和日志：{journal.folder}。可用 `{undo_hint}` 撤销。"))
    return 0


def run_undo(io: FixIO, backup_root: Path, dry_run: bool = False) -> int:
    journal = Journal.latest(backup_root)
    if journal is None:
        _say(io, Text(f"Nothing to undo in {backup_root}.", f"{backup_root} 中没有可撤销的修改。"))
        return 0
    if dry_run:
        _say(io, Text(f"Would restore what {journal.folder} records:", f"将还原 {journal.folder} 中记录的修改："))
        for path in pending_paths(journal):
            io.echo(f"  {path}")
        _say(io, Text("Dry run: nothing was changed.", "试运行：未做任何修改。"))
        return 0
    denied = _journal_not_writable(journal.folder)
    if denied is not None:  # an elevated fix keeps its journal where only administrators may write
        _say(io, denied)
        return 1
    problems = undo(journal, io.font_host)
    if problems:
        _say(io, Text("Some changes could not be undone:", "部分修改无法撤销："))
        for p in problems:
            _say(io, p, "  ! ")
        return 1
    _say(io, Text(f"Undone: the changes recorded in {journal.folder} are restored.",
                  f"已撤销：{journal.folder} 中记录的修改已还原。"))
    return 0


def _journal_not_writable(folder: Path) -> Text | None:
    """Why undo cannot record what it restores (and restore files an administrator wrote): a probe
    in the journal's folder, since on Windows os.access() reads only the read-only attribute, never
    the folder's ACL."""
    import os
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(prefix=".readiness-probe-", dir=folder)
    except OSError as exc:
        why = exc.strerror or str(exc)
        return Text(f"Cannot write in {folder} ({why}): the fix was made as administrator. Run the command prompt "
                    "as administrator (right-click → Run as administrator) and undo again. Nothing was changed.",
                    f"无法写入 {folder}（{why}）：修改是以管理员身份做的。请右键“命令提示符”选择“以管理员身份运行”，"
                    "再执行撤销。未做任何修改。")
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return None


def _whose_files_note(io: FixIO, facts: Mapping[str, Any]) -> None:
    """An exam PC is often elevated with another administrator's credentials: the per-user files
    read and changed are then that account's, not those of the user the exam client runs as."""
    host = facts.get("host")
    user = host.get("user") if isinstance(host, Mapping) else None
    session = host.get("session_user") if isinstance(host, Mapping) else None
    if isinstance(user, str) and isinstance(session, str) and user and session \
            and user.casefold() != session.casefold():
        _say(io, Text(f"This command runs as {user}, but {session} is signed in at this PC: the per-user files it "
                      f"checks and changes (the VirtualStore copy of user.ini, fonts installed for one user, the Desktop) "
                      f"are {user}'s. If the exam client runs as {session}, run `readiness check` in {session}'s own "
                      "session too.",
                      f"本命令以 {user} 身份运行，但本机当前登录的是 {session}：所检查和修改的用户文件（user.ini 的 "
                      f"VirtualStore 副本、仅为单个用户安装的字体、桌面）属于 {user}。如考试客户端以 {session} 运行，"
                      f"请也在 {session} 的登录会话中运行 `readiness check`。"), "! ")
