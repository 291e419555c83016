"""readiness.exe on a USB stick: what a double-click does, and commands that default to the stick.

Without arguments (a technician double-clicks the exe in Explorer) it checks this PC against the
`site.toml` beside the exe (or the built-in plan, saying so), shows the verdict, saves the report
into the `reports` folder beside the exe (the stick collects every PC's report; the Desktop when
the stick is read-only, full or gone) and waits for Enter before the window closes — only when the
console window belongs to this program alone, never in a terminal or a script. `aggregate` without
a PATH aggregates that `reports` folder and writes `site.html` beside the exe. Anything else is
the ordinary command line.

Everything a test needs to replace (the exe's folder, the console probe, the Desktop, the input and
output streams) comes in through `Session`, so the flow is tested on any system.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TextIO

from readiness.core.i18n import Lang, Text

SITE_PROFILE = "site.toml"
REPORTS_FOLDER = "reports"
SITE_PAGE = "site.html"
EXIT_USAGE = 2
EXIT_UNDECIDED = 3


def app_folder() -> Path:
    """The folder of readiness.exe, as the user sees it (a mapped drive stays a drive letter, a
    network share stays a UNC path: nothing is resolved); the current folder when not frozen."""
    if getattr(sys, "frozen", False):
        return Path(os.path.abspath(sys.executable)).parent
    return Path.cwd()


def console_is_own() -> bool:
    """True when no other program shares this console: it was opened for us (a double-click in
    Explorer), so it closes when we exit and the technician would not see the verdict.

    GetConsoleProcessList lists the processes attached to the console; a terminal or a batch file
    adds its own. A one-file PyInstaller exe runs as two processes (the bootloader that unpacks and
    waits, and the interpreter), so another process running this same exe counts as ours. (Not
    os.getppid(): CPython 3.13 asks PssCaptureSnapshot for it, which aborts the process under Wine.)
    """
    if sys.platform != "win32":
        return False
    from readiness.core import win32

    try:
        attached = win32.console_processes(64)
    except (AttributeError, OSError):
        return False
    if attached is None:  # no console, or more programs than we asked about
        return False
    others = set(attached) - {os.getpid()}
    if getattr(sys, "frozen", False):
        others = {pid for pid in others if not _runs(pid, sys.executable)}
    return not others


def _runs(pid: int, executable: str) -> bool:
    """Whether process pid runs the file executable (the one-file bootloader of this exe)."""
    image = _image_of(pid)
    if image is None:
        return False
    if os.path.normcase(os.path.abspath(image)) == os.path.normcase(os.path.abspath(executable)):
        return True
    try:
        return os.path.samefile(image, executable)  # the same file under another name (8.3, a drive mapping)
    except OSError:
        return False


def _image_of(pid: int) -> str | None:
    from readiness.core import win32

    try:
        return win32.process_image(pid)
    except (AttributeError, OSError):
        return None


def desktop_folder() -> Path:
    """The user's Desktop as the shell knows it (OneDrive and redirected desktops included): the
    one lookup, readiness.pc.output.desktop_folder."""
    from readiness.pc.output import desktop_folder as lookup

    return lookup()


@dataclass
class Session:
    """Where readiness.exe lives and how it talks to the technician."""

    folder: Path = field(default_factory=app_folder)
    own_console: Callable[[], bool] = console_is_own
    desktop: Callable[[], Path] = desktop_folder
    out: TextIO | None = None
    err: TextIO | None = None
    read_line: Callable[[str], str] = input
    lang: Lang | None = None
    collect: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None  # this PC's facts, live by default

    @property
    def stdout(self) -> TextIO:
        return self.out or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self.err or sys.stderr

    def ui(self) -> Lang:
        if self.lang is None:
            from readiness.pc.console import stream_encoding
            from readiness.core.i18n import detect_lang

            self.lang = detect_lang(stream_encoding(self.stdout))
        return self.lang

    def write(self, text: str, err: bool = False) -> None:
        """Text into the window, with what came from the machine (a host name, a path or a value in
        user.ini) made harmless: control characters and bidi overrides shown as escapes, as the
        command line does (readiness.pc.console.escape_controls)."""
        from readiness.pc.console import escape_controls

        stream = self.stderr if err else self.stdout
        stream.write(escape_controls(text))
        stream.flush()

    def say(self, text: Text | str, err: bool = False) -> None:
        self.write((text if isinstance(text, str) else text(self.ui())) + "\n", err)

    def pause(self) -> None:
        """Keep a window of its own open until Enter; never wait in a terminal or a script."""
        try:
            if not self.own_console():
                return
            self.read_line(Text("Press Enter to close this window.", "按回车键关闭此窗口。")(self.ui()))
        except (EOFError, KeyboardInterrupt, OSError, ValueError):
            pass


def _prepare_streams(session: Session) -> None:
    """As the command line does: the console's code page when redirected, stand-ins for what it lacks."""
    from readiness.pc.console import prepare, use_console_codepage

    for stream in (session.stdout, session.stderr):
        use_console_codepage(stream)
        prepare(stream)


def double_click(session: Session) -> int:
    """Check this PC against site.toml beside the exe, show the verdict, save the report on the stick."""
    try:
        return _check_here(session)
    except KeyboardInterrupt:
        session.say(Text("Stopped.", "已中止。"), err=True)
        return 130
    except Exception as exc:  # the window must not vanish with a traceback nobody can read
        session.say(Text(f"readiness stopped on an unexpected error: {type(exc).__name__}: {exc}",
                         f"readiness 因意外错误而停止：{type(exc).__name__}: {exc}"), err=True)
        session.pause()
        return EXIT_UNDECIDED


def _check_here(session: Session) -> int:
    from readiness.core.loading import load_checks_and_profile
    from readiness.core.profile import ProfileError

    _prepare_streams(session)
    ui = session.ui()
    site_file = session.folder / SITE_PROFILE
    profile_path = site_file if site_file.is_file() else None
    if profile_path is None:
        session.say(Text(f"No {SITE_PROFILE} beside readiness.exe ({session.folder}): checking against the "
                         "built-in plan (the 2023 autumn emergency plan).",
                         f"readiness.exe 旁没有 {SITE_PROFILE}（{session.folder}）：按内置要求（2023 秋季应急预案）检查。"))
    else:
        session.say(Text(f"Site profile: {profile_path}", f"考点配置：{profile_path}"))
    try:
        loaded, profile = load_checks_and_profile(profile_path)
    except ProfileError as exc:
        session.say(Text(f"error: the site profile cannot be used: {exc.reason.en}",
                         f"错误：考点配置无法使用：{exc.reason.zh}"), err=True)
        for key, line in exc.lines:  # where the file sets each key the error names
            session.say(Text(f"  {site_file}, line {line}: {key}", f"  {site_file} 第 {line} 行：{key}"), err=True)
        session.say(Text(f"Correct {SITE_PROFILE} (or remove it to check against the built-in plan) and run "
                         "readiness.exe again.",
                         f"请改正 {SITE_PROFILE}（或删除它以按内置要求检查）后重新运行 readiness.exe。"), err=True)
        session.pause()
        return EXIT_USAGE
    if profile["network.offline"]:  # said first: the wait is seconds, not half a minute
        session.say(Text(f"{SITE_PROFILE} says network.offline = true: the network checks are skipped; check them "
                         "again once the exam network is up.",
                         f"{SITE_PROFILE} 设置了 network.offline = true：跳过网络检查；考试网络开通后请再检查。"))
        session.say(Text("Checking this PC ...", "正在检查本机……"))
    else:
        session.say(Text("Checking this PC (about half a minute with the network checks) ...",
                         "正在检查本机（含网络检查约半分钟）……"))

    from readiness.pc.output import temp_folder
    from readiness.pc.pipeline import SavePlan, check_this_pc, progress_bar, server_of
    from readiness.reports.formats import TEXT

    server = server_of(profile)  # site.toml names the site server: the dashboard turns this seat's colour
    not_sent = server.problem(profile) if server is not None else None
    if not_sent is not None:  # the token would leave in clear, or the pin cannot work: checked, not sent
        session.say(Text(f"error: the report will not be sent: {not_sent.en}",
                         f"错误：报告不会发送：{not_sent.zh}"), err=True)
        server = None
    done = check_this_pc(
        profile, loaded, lang=ui, collect=session.collect, progress=progress_bar(session.stderr, ui),
        save=SavePlan(folder=session.folder / REPORTS_FOLDER, fallbacks=(session.desktop, temp_folder), on_stick=True),
        server=server,
        judged=lambda report: session.write(TEXT.render_report(report, ui)),
        sending=lambda url: session.say(Text(f"Sending the report to the site server {url} ...",
                                             f"正在把报告发送到考点服务器 {url} ……")))
    for warning in done.warnings:
        session.say(Text("warning: ", "警告：") + warning, err=True)
    if done.saved_line is not None:
        session.say(done.saved_line)
    if done.submitted is not None:
        for outcome in done.submitted.outcomes:
            session.say(outcome.line(ui))
        if done.submitted.problem is not None:
            session.say(Text("warning: ", "警告：") + done.submitted.problem, err=True)
    if not_sent is not None:
        session.say(Text(f"warning: the report was not sent: {not_sent.en}", f"警告：报告未发送：{not_sent.zh}"),
                    err=True)
    session.pause()
    return done.exit_code


def _has_paths(args: Sequence[str], value_options: set[str]) -> bool:
    """Whether an `aggregate` command line names any PATH (an argument that is no option or its value)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--":
            return True
        elif arg.startswith("-"):
            skip = "=" not in arg and arg in value_options
        else:
            return True
    return False


def aggregate_args(session: Session, args: Sequence[str]) -> list[str] | None:
    """`aggregate ARGS` with the reports folder beside the exe when ARGS name no PATH, and the site
    page beside the exe unless --html is given; None when there is no such folder."""
    import click

    command = _cli_group().commands.get("aggregate")
    value_options = {opt for p in (command.params if command else []) if isinstance(p, click.Option)
                     and not p.is_flag for opt in p.opts}
    if _has_paths(args, value_options) or any(a in ("-h", "--help") for a in args):
        return ["aggregate", *args]
    reports = session.folder / REPORTS_FOLDER
    if not reports.is_dir():
        return None
    html = [] if any(a == "--html" or a.startswith("--html=") for a in args) else ["--html", str(session.folder / SITE_PAGE)]
    return ["aggregate", str(reports), *args, *html]


def main(argv: Sequence[str] | None = None, session: Session | None = None) -> int:
    """readiness.exe's entry: the double-click flow, or the command line with the stick's defaults."""
    args = list(sys.argv[1:] if argv is None else argv)
    session = session or Session()
    if not args:
        return double_click(session)
    if args[0] == "aggregate":
        rewritten = aggregate_args(session, args[1:])
        if rewritten is None:
            _prepare_streams(session)
            session.say(Text(f"error: no PATH given and no {REPORTS_FOLDER} folder beside readiness.exe "
                             f"({session.folder / REPORTS_FOLDER}).",
                             f"错误：未指定路径，readiness.exe 旁也没有 {REPORTS_FOLDER} 文件夹"
                             f"（{session.folder / REPORTS_FOLDER}）。"), err=True)
            return EXIT_USAGE
        args = rewritten
    return run_command_line(args)


def run_command_line(args: Sequence[str]) -> int:
    """The command line exactly as the installed `readiness` console script runs it (its wrapper
    included), with these arguments."""
    entry = _console_script()
    saved = sys.argv
    sys.argv = ["readiness", *args]  # click names the program after argv[0], not the exe's file name
    try:
        entry()
    except SystemExit as exc:
        return _exit_code(exc.code)
    finally:
        sys.argv = saved
    return 0


def _console_script() -> Callable[[], Any]:
    from importlib.metadata import entry_points

    for ep in entry_points(group="console_scripts", name="readiness"):
        if ep.value.startswith("readiness."):
            try:
                return ep.load()  # type: ignore[no-any-return]
            except (ImportError, AttributeError):
                break
    return lambda: _cli_group().main(prog_name="readiness")


def _cli_group() -> Any:
    """The click group of the command line (readiness.cli.main, or the group it wraps)."""
    import click

    from readiness import cli

    groups = [getattr(cli, "main", None)] + [v for v in vars(cli).values() if isinstance(v, click.Group)]
    return next(g for g in groups if isinstance(g, click.Group))


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
