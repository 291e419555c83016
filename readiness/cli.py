"""The command line: parse, load the profile, call the collector or runner, render, exit.

Exit codes: 0 ready (warnings allowed), 1 a check failed, 3 none failed but one could not
decide, 2 usage or profile errors (and an output that cannot be written), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from readiness import __version__
from readiness.pc.console import (JSON_ERRORS, TEXT_ERRORS, OutputClosed, escape_controls, escape_json_controls,
                               prepare, stream_encoding, use_console_codepage, write_stream)
from readiness.core.i18n import Lang, Text, TextError, can_show_chinese, detect_lang, same
from readiness.core.plugin import LoadedChecks
from readiness.core.loading import load_checks_and_profile
from readiness.core.profile import Profile, ProfileError, to_toml
from readiness.reports.formats import FILES, FORMATS, JSON, SHOWN, TEXT, Format
from readiness.core.settings import CORE_SETTINGS

if TYPE_CHECKING:
    from readiness.pc.pipeline import SiteServer

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells expect


_ASKED_LANG: list[str | None] = [None]  # the --lang of the command line being run (for its errors)


def _asked_lang(argv: Any) -> str | None:
    """--lang as typed (before click parses it: a usage error may come first)."""
    words = [str(a) for a in argv] if isinstance(argv, (list, tuple)) else []
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def _error_lang() -> Lang:
    """The language of an error message: --lang if given, else the system's; English on a console
    that cannot show Chinese."""
    encoding = stream_encoding(sys.stderr)
    asked = _ASKED_LANG[0]
    lang = Lang(asked) if asked in ("en", "zh") else detect_lang(encoding)
    return Lang.EN if lang is Lang.ZH and not can_show_chinese(encoding) else lang


class UsageError(TextError, click.ClickException):
    """A usage, profile or output error (exit 2): one of the tool's own errors (TextError, the reason
    worded in both languages where it is raised) that click shows and exits with."""

    exit_code = EXIT_USAGE

    def __init__(self, reason: str | Text) -> None:
        super().__init__(reason if isinstance(reason, Text) else same(reason))  # click's message: the English

    def show(self, file: Any = None) -> None:
        ui = _error_lang()
        _stderr_line(Text("error: ", "错误：")(ui) + self.reason(ui))


class BadValue(TextError, click.BadParameter):
    """An option's value refused by one of our own types, worded in both languages (click names
    the option in English; in Chinese it is named here)."""

    def __init__(self, reason: Text, ctx: click.Context | None = None, param: click.Parameter | None = None) -> None:
        click.BadParameter.__init__(self, reason.en, ctx, param)
        self.reason = reason

    def show(self, file: Any = None) -> None:
        if _error_lang() is Lang.EN:
            super().show(file)
            return
        hint = self.param.get_error_hint(self.ctx) if self.param is not None and self.ctx is not None else ""
        _stderr_line(f"错误：{hint} 的值无效：{self.reason.zh}（用 -h 查看帮助）" if hint else f"错误：{self.reason.zh}")


def _lang(value: str | None, fmt: Format = TEXT) -> Lang:
    """The language asked for, or the system's; Chinese on a console that cannot show it (an
    ASCII code page) would be question marks: English then, and said once. A file format (JSON,
    TOML) away from a console is written as UTF-8, which shows Chinese wherever it goes."""
    encoding = "utf-8" if fmt is JSON and not _is_console(sys.stdout) else stream_encoding()
    lang = Lang(value) if value else detect_lang(encoding)  # READINESS_LANG=zh is asked for too
    if lang is Lang.ZH and not can_show_chinese(encoding):
        ctx = click.get_current_context(silent=True)
        meta = ctx.find_root().meta if ctx is not None else {}
        if not meta.get("readiness.lang_note"):  # once per command
            meta["readiness.lang_note"] = True
            _stderr_line(f"note: this console ({encoding}) cannot show Chinese; showing English instead "
                         "(use a UTF-8 or GBK console, or --format json)")
        return Lang.EN
    return lang


def _is_console(stream: Any) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def _setup(profile_path: Path | None) -> tuple[LoadedChecks, Profile]:
    try:
        return load_checks_and_profile(profile_path)
    except ProfileError as exc:
        raise UsageError(exc.reason) from None


def _write_stdout(text: str, fmt: Format) -> None:
    """Print; text from machines never reaches the terminal raw (escapes are shown, not run)."""
    _write_chunks([text], fmt)


def _write_chunks(chunks: Any, fmt: Format) -> None:
    if sys.stdout is not None:
        prepare(sys.stdout, JSON_ERRORS if fmt is JSON else TEXT_ERRORS)
    escape = escape_json_controls if fmt is JSON else escape_controls
    write_stream(sys.stdout, map(escape, chunks), json=fmt is JSON)


class GivenPath(click.Path):
    """A path option that refuses an empty value (which would silently mean the current folder)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            raise BadValue(Text("an empty path: give a file or folder, or leave the option out",
                                "路径为空：请给出文件或文件夹，或不使用此选项"), ctx, param)
        return super().convert(value, param, ctx)


class OutputFile(click.ParamType):
    """A file to write: not empty, and not a FIFO, a device or a folder (refused before any work)."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from readiness.core.files import NotRegularFile, write_target

        if isinstance(value, Path):
            return value
        if not str(value).strip():
            raise BadValue(Text("an empty file name: give a file to write, or leave the option out",
                                "文件名为空：请给出要写入的文件，或不使用此选项"), ctx, param)
        path = Path(value)
        try:
            write_target(path)
        except NotRegularFile as exc:
            raise BadValue(Text(f"{value}: {exc.strerror}; refusing to write there",
                                f"{value}：{exc.reason.zh}；不会写入该处"), ctx, param)
        return path


class ReadinessGroup(click.Group):
    """Exit codes the shell can rely on: 130 on Ctrl-C, and no traceback when stdout is gone."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        _ASKED_LANG[0] = _asked_lang(args[0] if args else kwargs.get("args", sys.argv[1:]))
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except (click.Abort, KeyboardInterrupt):
            _stderr_line(Text("interrupted (Ctrl-C)", "已中断（Ctrl-C）")(_error_lang()))  # --lang holds here too
            code = EXIT_INTERRUPTED
        except OutputClosed as exc:
            _silence_stdout()
            if exc.errno != errno.EPIPE:  # a reader that stopped early (| head) needs no message
                ui = _error_lang()
                _stderr_line(Text(f"error: cannot write to standard output ({exc.reason.en})",
                                  f"错误：无法写入标准输出（{exc.reason.zh}）")(ui))
            code = EXIT_USAGE
        sys.exit(code if isinstance(code, int) else 0)


def _cannot_write(path: Path, exc: OSError) -> Text:
    why = exc.strerror or str(exc)
    return Text(f"cannot write {path}: {why}", f"无法写入 {path}：{why}")


def _stderr_line(text: str) -> None:
    try:
        write_stream(sys.stderr, [escape_controls(text) + "\n"])
    except OutputClosed:
        pass


def _silence_stdout() -> None:
    """Point a failed stdout at the null device, so that the final flush at exit cannot fail again."""
    try:
        fd = sys.stdout.fileno() if sys.stdout is not None else 1
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, AttributeError):
        sys.stdout = None  # type: ignore[assignment]


# a folder or a FIFO is refused by the profile's own door (load_profile), in both languages
profile_option = click.option("--profile", "profile_path", type=GivenPath(path_type=Path),
                              help="Site profile (TOML) overriding the built-in plan.")
lang_option = click.option("--lang", type=click.Choice([l.value for l in Lang]),
                           help="Language of the text output (default: the system's).")
FILE_HELP = {"html": "Write a printable page.", "csv": "Write one row per machine (per site over site documents).",
             "xlsx": "Write a workbook."}


def file_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """aggregate's file options, one a file format of the format table (--html, --csv, --xlsx)."""
    for name in reversed(FILES):
        command = click.option(f"--{name}", f"{name}_path", type=OutputFile(), help=FILE_HELP[name])(command)
    return command


offline_option = click.option("--offline", is_flag=True, help="Collect no network facts; network checks skip.")


@click.group(cls=ReadinessGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="exam-readiness")
def main() -> None:
    """Checks that an exam PC meets the site's emergency plan before exam day."""
    use_console_codepage(sys.stdout)
    use_console_codepage(sys.stderr)
    prepare(sys.stderr)


@main.command()
@profile_option
@click.option("--facts", "facts_path", type=GivenPath(path_type=Path),
              help="Rejudge a saved facts snapshot (or report) instead of this machine.")
@click.option("--format", "fmt", type=click.Choice(SHOWN), default="text",
              show_default=True, help="What to print on standard output.")
@click.option("--output", type=OutputFile(),
              help="Where to save the JSON report (default: readiness-report-HOST-TIME.json here).")
@lang_option
@offline_option
@click.option("--submit", is_flag=True, help="Send the report to the site server (server.url of the profile).")
@click.option("--server", help="The site server's address (default: server.url of the profile); implies --submit.")
@click.option("--token", help="The submit token (default: server.token of the profile).")
def check(profile_path: Path | None, facts_path: Path | None, fmt: str, output: Path | None,
          lang: str | None, offline: bool, submit: bool, server: str | None, token: str | None) -> None:
    """Check this PC (or a saved snapshot) and save the report."""
    from readiness.core.facts import SnapshotError
    from readiness.pc.pipeline import SavePlan, check_this_pc

    loaded, profile = _setup(profile_path)
    target = _server(profile, server, token) if submit or server else None
    ui = _lang(lang)
    try:
        done = check_this_pc(profile, loaded, lang=ui, facts_path=facts_path, offline=offline,
                             progress=_progress_bar(ui), save=SavePlan(output=output), server=target)
    except SnapshotError as exc:
        raise UsageError(exc.reason if isinstance(exc, TextError) else same(str(exc))) from None
    out_format = FORMATS[fmt]
    shown = done.data.decode("utf-8") if out_format is JSON else out_format.render_report(done.report, ui)
    _write_stdout(shown, out_format)  # the JSON report as saved, not rendered twice
    for warning in done.warnings:
        _stderr_line(Text("warning: ", "警告：")(ui) + warning(ui))
    if done.submitted is not None:
        _show_submitted(done.submitted, ui)
    if done.saved_line is not None:
        if out_format is TEXT:
            _write_stdout(done.saved_line(ui) + "\n", out_format)
        else:
            _stderr_line(done.saved_line(ui))
    sys.exit(done.exit_code)


def _collect(profile: Profile, offline: bool, include_cpu: bool = True) -> dict[str, Any]:
    from readiness.pc.pipeline import collect_live

    return collect_live(profile, offline, include_cpu=include_cpu, progress=_progress_bar())


@main.command()
@profile_option
@offline_option
@click.option("--output", type=OutputFile(), help="Save to this file too.")
def facts(profile_path: Path | None, offline: bool, output: Path | None) -> None:
    """Print this PC's facts as JSON.

    The snapshot can be judged anywhere with `readiness check --facts FILE`.
    """
    from readiness.pc.output import atomic_write

    _loaded, profile = _setup(profile_path)
    snapshot = _collect(profile, offline)
    text = json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n"
    if output is not None:
        try:
            atomic_write(output, text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(_cannot_write(output, exc)) from None
    _write_stdout(text, JSON)


@main.command("profile")
@profile_option
@click.option("--format", "fmt", type=click.Choice(["toml", "json"]), default="toml", show_default=True)
@lang_option
def show_profile(profile_path: Path | None, fmt: str, lang: str | None) -> None:
    """Show the effective profile (plan defaults + site overrides)."""
    loaded, profile = _setup(profile_path)
    if fmt == "json":
        _write_stdout(json.dumps(profile.to_dict(), ensure_ascii=False, indent=2) + "\n", JSON)
    else:
        # a file format, like JSON: UTF-8 when redirected (`readiness profile > site.toml`), which
        # is what --profile reads; GBK there would not load
        text = to_toml(profile, CORE_SETTINGS + loaded.settings, _lang(lang, JSON).value)
        _write_stdout(text, JSON)


@main.command("checks")
@lang_option
def list_checks(lang: str | None) -> None:
    """List the installed checks, built-in and third-party."""
    loaded, _profile = _setup(None)
    ui = _lang(lang)
    since = Text("since", "始于")
    lines = [f"{c.id:<16} {c.title(ui)}  ({c.func.__module__}{f', {since(ui)} {c.since}' if c.since else ''})"
             for c in loaded.checks]
    lines += [f"{f.name:<16} {Text('ERROR', '错误')(ui)}: {f.reason(ui)}" for f in loaded.failures]
    _write_stdout("\n".join(lines) + "\n", TEXT)


@main.command()
@profile_option
@click.option("--yes", is_flag=True, help="Apply without asking.")
@click.option("--dry-run", is_flag=True, help="Only list what would change.")
@click.option("--white-screen", is_flag=True,
              help="Also move D3DCompiler_47.dll out of the client folder (into the backup).")
@click.option("--font", type=GivenPath(path_type=Path, exists=True, dir_okay=False),
              help="Install this msyh.ttc for all users (Windows, administrator).")
@click.option("--undo", "undo_last", is_flag=True, help="Restore the last fix run's changes exactly.")
@click.option("--backup-dir", type=GivenPath(path_type=Path, file_okay=False),
              help="Where backups and the journal go (default: %ProgramData%\\exam-readiness\\backups).")
@lang_option
def fix(profile_path: Path | None, yes: bool, dry_run: bool, white_screen: bool, font: Path | None,
        undo_last: bool, backup_dir: Path | None, lang: str | None) -> None:
    """Apply the plan's remedies, with a backup and an undo."""
    from readiness.pc.fix.actions import running_processes
    from readiness.pc.fix.journal import default_backup_dir
    from readiness.pc.fix.service import FixIO, run_fix, run_undo
    from readiness.pc.fix.winfont import current_font_host

    loaded, profile = _setup(profile_path)
    io = FixIO(echo=lambda line: _write_stdout(line + "\n", TEXT),
               confirm=_confirm,
               collect=lambda: _collect(profile, offline=True, include_cpu=False), running=running_processes,
               font_host=current_font_host(), lang=_lang(lang))
    root = backup_dir or default_backup_dir()
    if undo_last:  # a dry run changes nothing, whatever else is asked
        sys.exit(run_undo(io, root, dry_run=dry_run))
    hint = "readiness fix --undo" + (f' --backup-dir "{backup_dir}"' if backup_dir is not None else "")
    sys.exit(run_fix(profile, loaded, io, backup_root=root, yes=yes, dry_run=dry_run,
                     white_screen=white_screen, font=font, undo_hint=hint))


def _confirm(question: str) -> bool:
    """Ask on a terminal; without one (a scheduled task, input from a file) an empty or closed input
    is a "no", never taken for Ctrl-C."""
    if sys.stdin is None:
        return False
    if not _is_console_input(sys.stdin):
        _write_stdout(question + " [y/N]: ", TEXT)
        try:
            answer = sys.stdin.readline()
        except (OSError, ValueError):
            answer = ""
        if not answer:
            _write_stdout("\n", TEXT)
        return answer.strip().lower() in ("y", "yes", "是")
    return click.confirm(question, default=False)


def _is_console_input(stream: Any) -> bool:
    """A person at a console. On Windows isatty() is true for NUL too (bpo-28654): a script's or a
    scheduled task's `< NUL` would reach click's prompt and end as Ctrl-C; GetConsoleMode decides."""
    try:
        if not stream.isatty():
            return False
        if sys.platform != "win32":
            return True
        from readiness.core.win32 import is_console

        return is_console(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def entry() -> None:
    """The console script: freeze_support() first, before click reads the command line.

    A frozen build (PyInstaller) starts multiprocessing children (the aggregate pool) as itself
    with --multiprocessing-fork; without this, each child would run the user's command again.
    Unfrozen, freeze_support() does nothing (children start through multiprocessing.spawn), so
    multiprocessing is not imported on every start.
    """
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    main()


def _progress_bar(lang: Lang | None = None) -> Any:
    """What is checked as it goes and the downlink's bar (readiness.pc.pipeline.progress_bar), on
    stderr, in the command's language."""
    from readiness.pc.pipeline import progress_bar

    return progress_bar(sys.stderr, lang or _error_lang())


@main.command()
@profile_option
@click.option("--url", help="A large file to download (default: bandwidth.url of the profile).")
@click.option("--backend", type=click.Choice(["auto", "http", "speedtest"]), help="Measuring backend.")
@click.option("--duration", type=click.FloatRange(min=1), help="Measuring window, seconds (default 10).")
@click.option("--warmup", type=click.FloatRange(min=0), help="Warm-up discarded first, seconds (default 2).")
@click.option("--streams", type=click.IntRange(min=1, max=64), help="Parallel streams (default 4).")
@click.option("--format", "fmt", type=click.Choice(SHOWN), default="text", show_default=True)
@lang_option
def bandwidth(profile_path: Path | None, url: str | None, backend: str | None, duration: float | None,
              warmup: float | None, streams: int | None, fmt: str, lang: str | None) -> None:
    """Measure the downlink and judge it against the site's seats."""
    from readiness.pc.net.collect import measure
    from readiness.core.judging import judge_checks
    from readiness.core.rules import exit_code

    if url is not None and not url.strip():
        raise UsageError(Text("--url is empty: give the file to download, or leave the option out (speedtest)",
                              "--url 为空：请给出要下载的文件，或不使用此选项（使用 speedtest）"))
    loaded, profile = _setup(profile_path)
    declared = {s.key: s for s in CORE_SETTINGS + loaded.settings}
    values = dict(profile.values)
    for key, value, option in (("bandwidth.url", url, "--url"), ("bandwidth.backend", backend, "--backend"),
                               ("bandwidth.duration_s", duration, "--duration"),
                               ("bandwidth.warmup_s", warmup, "--warmup"), ("bandwidth.streams", streams, "--streams")):
        if value is not None:  # the options obey the profile's rules: no ftp://, no nan
            values[key], problem = declared[key].check(value)
            if problem:
                raise UsageError(Text(f"{option}: {problem.en}", f"{option}：{problem.zh}"))
    if url and backend is None:
        values["bandwidth.backend"] = "http"
    ui = _lang(lang)
    m = measure(values, progress=_progress_bar(ui))
    facts = {"network": {"bandwidth": m}, "errors": {}}
    result = judge_checks(facts, Profile(values, profile.source), loaded.select(["bandwidth"]))[0]
    if FORMATS[fmt] is JSON:
        doc = dict(m, status=result.status.value, required_mbps=result.details.get("required_mbps"),
                   load_s=result.details.get("load_s"), message=result.message.to_dict())
        _write_stdout(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", JSON)
    else:
        from readiness.reports import bandwidth_text

        _write_stdout(bandwidth_text.render(m, result, values["bandwidth.duration_s"], ui), TEXT)
    sys.exit(exit_code(result.status))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=GivenPath())
@click.option("--profile", "profile_path", type=GivenPath(path_type=Path),
              help="Re-judge every machine's facts under this profile instead of trusting stored verdicts.")
@click.option("--format", "fmt", type=click.Choice(SHOWN), default="text", show_default=True)
@file_options
@click.option("--workers", type=click.IntRange(min=1), help="Processes reading reports (default: one per core).")
@lang_option
def aggregate(paths: tuple[str, ...], profile_path: Path | None, fmt: str, workers: int | None, lang: str | None,
              **files: Path | None) -> None:
    """One verdict per site from its PCs' reports; or, over site documents, the branch table.

    PATHS are report files, folders (searched recursively) and .zip archives; or sites' documents
    (a site server's site.json download) and branches' (readiness.branch/1): then one row per site,
    with --profile's [branch] sites never heard from and its [exam] timeline.
    """
    from readiness.site.aggregate.build import aggregate as run_aggregate
    from readiness.branch.rollup import SenderFile, read_sender_file

    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(Text(f"no such file or folder: {', '.join(missing)}",
                              f"文件或文件夹不存在：{'、'.join(missing)}"))
    loaded = _setup(profile_path) if profile_path is not None else None  # a bad profile: a usage error first
    documents: list[SenderFile] = []
    agg = run_aggregate(paths, str(profile_path) if profile_path else None, workers, loaded, documents,
                        read_sender_file)
    ui = _lang(lang)
    if documents and any(agg.counts.values()):
        raise UsageError(Text(
            f"PC reports and site documents given together ({len(documents)} site or branch documents): "
            "aggregate the PCs' reports of each site, or the sites' documents, not both",
            f"同时给出了考试机报告和考点文档（{len(documents)} 个考点或分部文档）：请分别汇总各考点的考试机报告，或汇总考点文档，不要混在一起"))
    if documents:
        from readiness.branch.rollup import branch_outcome
        from readiness.site.words import WORDS

        from readiness.branch.document import Document

        made, code = branch_outcome(documents, loaded[1] if loaded is not None else _setup(None)[1])
        doc = Document.read(made)
        for r in agg.rejected:  # what was not read: said, as the site table lists it
            _stderr_line(f"{WORDS['rejected'](ui)}: {r.path}: {r.reason(ui)}")
        _write_outputs(files, ui, lambda f: f.render_branch(doc, ui))
        _write_stdout(FORMATS[fmt].render_branch(doc, ui).decode("utf-8"), FORMATS[fmt])
        sys.exit(code)
    _write_outputs(files, ui, lambda f: f.render_site(agg, ui))
    if FORMATS[fmt] is JSON:
        from readiness.reports import site_json

        _write_chunks(site_json.render_chunks(agg), JSON)  # streamed: never one huge string
    else:
        _write_stdout(TEXT.render_site(agg, ui).decode("utf-8"), TEXT)
    sys.exit(agg.exit_code)


def _write_outputs(files: dict[str, Path | None], ui: Lang, make: Callable[[Format], bytes]) -> None:
    """aggregate's file options (--html, --csv, --xlsx: a site's, or a branch table's), each written whole."""
    from readiness.pc.output import atomic_write

    for name in FILES:
        path = files.get(f"{name}_path")
        if path is not None:
            try:
                atomic_write(path, make(FORMATS[name]))
            except OSError as exc:
                raise UsageError(_cannot_write(path, exc)) from None
            _stderr_line(("Written: " if ui is Lang.EN else "已写入：") + str(path.resolve()))


def _server(profile: Profile, url: str | None, token: str | None) -> "SiteServer":
    """The site server to send to, refused here (exit 2) when its token would travel in clear
    beyond the LAN or its certificate settings cannot work (readiness.core.tls)."""
    from readiness.pc.pipeline import SiteServer

    given = url
    url = (url or profile["server.url"] or "").strip()  # --server trimmed as the profile stores server.url
    token = token or profile["server.token"]
    if not url or not url.lower().startswith(("http://", "https://")):
        raise UsageError(Text("no site server: pass --server http://ADDRESS:PORT or set server.url in the profile",
                              "未指定考点服务器：请使用 --server http://地址:端口，或在配置文件中设置 server.url"))
    if not token:
        raise UsageError(Text("no submit token: pass --token or set server.token in the profile "
                              "(readiness serve prints it)",
                              "未指定提交令牌：请使用 --token，或在配置文件中设置 server.token（`readiness serve` 会显示它）"))
    target = SiteServer.of(profile, url, token)
    problem = target.problem(profile, "--server" if given else "server.url")
    if problem is not None:
        raise UsageError(problem)
    return target


def _submit(target: "SiteServer", reports: list[tuple[str, bytes]], unreadable: list[Text], ui: Lang) -> int:
    """Flush the outbox, then send; one line per report on stderr. 0 all delivered, 1 some refused,
    3 some kept in the outbox."""
    from readiness.pc.pipeline import Submitted
    from readiness.pc.submit import deliver

    submitted = Submitted(target.url, tuple(deliver(target.url, target.token, reports, trust=target.trust)))
    _show_submitted(submitted, ui)
    for line in unreadable:
        _stderr_line(line(ui))
    return 1 if unreadable else submitted.exit_code


def _show_submitted(submitted: Any, ui: Lang) -> None:
    for outcome in submitted.outcomes:
        _stderr_line(outcome.line(ui))
    if submitted.problem is not None:
        _stderr_line(Text("warning: ", "警告：")(ui) + submitted.problem(ui))


@main.command("submit")
@click.argument("paths", nargs=-1, type=click.Path())
@profile_option
@click.option("--server", help="The site server's address (default: server.url of the profile).")
@click.option("--token", help="The submit token (default: server.token of the profile).")
@lang_option
def submit_reports(paths: tuple[str, ...], profile_path: Path | None, server: str | None, token: str | None,
                   lang: str | None) -> None:
    """Send reports to the site server: those waiting in the outbox, and PATHS (files, folders, .zip).

    Exit codes: 0 all delivered, 1 some refused or unreadable, 3 some kept in the outbox
    (server unreachable), 2 usage errors.
    """
    from readiness.pc.submit import reports_in

    _loaded, profile = _setup(profile_path)
    target = _server(profile, server, token)
    reports: list[tuple[str, bytes]] = []
    unreadable: list[Text] = []
    for label, body, why in reports_in(paths):
        if body is None:
            unreadable.append(Text(f"{label}: {why.en}", f"{label}：{why.zh}"))
        else:
            reports.append((label, body))
    sys.exit(_submit(target, reports, unreadable, _lang(lang)))


@main.command()
@profile_option
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default="readiness-data",
              show_default=True, help="Folder of the server's database (reports, phones, keys).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on (0.0.0.0: every LAN address).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="TCP port.")
@lang_option
def serve(profile_path: Path | None, data_dir: Path, host: str, port: int, lang: str | None) -> None:
    """Run the site server: PCs submit reports, the manager watches the seats and phones live."""
    from readiness.serve.launch import run_server

    loaded, profile = _setup(profile_path)  # once: the server judges with these
    prepare(sys.stdout)
    sys.exit(run_server(loaded, profile, profile_path is not None, data_dir, host, port,
                        _lang(lang), sys.stdout, stream_encoding()))


@main.command()
@profile_option
@click.option("--seat", help="This seat's label (default: the host name).")
@click.option("--server", help="The site server's address (default: server.url of the profile).")
@click.option("--token", help="The submit token (default: server.token of the profile).")
@click.option("--rounds", type=click.IntRange(min=1), help="Stop after this many rounds (default: wait until Ctrl+C).")
@lang_option
def rehearse(profile_path: Path | None, seat: str | None, server: str | None, token: str | None,
             rounds: int | None, lang: str | None) -> None:
    """Take part in the site's exam-start rehearsal: wait, then load a paper at the announced moment.

    Exit codes: 0 after --rounds rounds, 2 when the server refuses this PC's token or has no
    rehearsals at its address (waiting would not change it), 130 on Ctrl+C.
    """
    import socket

    from readiness.pc.agent import Agent, Refused

    _loaded, profile = _setup(profile_path)
    target = _server(profile, server, token)
    label = seat or socket.gethostname()
    ui = _lang(lang)
    click.echo(("Waiting for the site's rehearsal round as " if ui is Lang.EN else "正在等待考点的开考演练，机位：")
               + label + (" (Ctrl+C to stop)" if ui is Lang.EN else "（按 Ctrl+C 停止）"), err=True)
    allowed = tuple(u for u in (profile["rehearsal.url"], profile["bandwidth.url"]) if u)
    agent = Agent(target.url, target.token, label, int(profile["bandwidth.max_mb"] * 2**20), profile["network.timeout_s"],
                  echo=lambda line: click.echo(line, err=True), allowed_urls=allowed, lang=ui, trust=target.trust)
    try:
        agent.run(rounds)
    except Refused as exc:  # a wrong token or address fails the same way every time: said, exit 2
        _stderr_line(Text("error: ", "错误：")(ui) + exc.reason(ui))
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:  # as every command: 130, said on stderr, no traceback
        agent.stop.set()
        raise
    sys.exit(0)
