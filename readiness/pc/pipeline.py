""""Check this PC", written once: collect (or load a snapshot) → judge → save → submit.

`readiness check` and the double-click of readiness.exe both call `check_this_pc`; each front end
only says where the report goes first (a file the user named, the current folder, the stick's
`reports` folder), how it talks to the person and whether it waits for Enter. What happened comes
back as a `CheckOutcome` (the report, where it was saved, warnings as bilingual Text, what the site
server said), which each front end renders. Nothing here prints: text from the machine is escaped
by the front end's writer (readiness.pc.console.escape_controls), the same for every console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TextIO

from readiness.core.i18n import Lang, Text

if TYPE_CHECKING:
    from readiness.core.model import Report
    from readiness.core.plugin import LoadedChecks
    from readiness.core.profile import Profile
    from readiness.core.tls import Trust
    from readiness.pc.submit import Outcome

Collector = Callable[[Mapping[str, Any]], dict[str, Any]]
DOWNLINK = Text("Downlink", "下行带宽")


class LiveProgress:
    """What is being checked, said as it goes on a terminal (readiness.pc.net.collect.Steps): each
    network phase on a line of its own (exam server, public IP, downlink), then the downlink's
    labelled bar. A write that fails never stops the check."""

    def __init__(self, stream: TextIO, lang: Lang = Lang.EN) -> None:
        self.stream, self.lang, self.open_bar = stream, lang, False

    def step(self, what: Text) -> None:
        self._write(("\n" if self.open_bar else "") + what(self.lang) + "\n")
        self.open_bar = False

    def __call__(self, share: float, mbps: float) -> None:
        filled = int(share * 30)
        self._write(f"\r{DOWNLINK(self.lang)} [{'#' * filled}{'.' * (30 - filled)}] {share * 100:3.0f}%  "
                    f"{mbps:8.1f} Mbit/s" + ("\n" if share >= 1 else ""))
        self.open_bar = share < 1

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError, UnicodeEncodeError):
            pass


Progress = LiveProgress


def progress_bar(stream: TextIO | None, lang: Lang = Lang.EN) -> LiveProgress | None:
    """What is checked as it goes, on a terminal; nothing when redirected (a pipe, a file, JSON
    output), where carriage returns would only garble what is read back."""
    try:
        if stream is None or not stream.isatty():
            return None
    except (ValueError, OSError):
        return None
    return LiveProgress(stream, lang)


def collect_live(profile: "Profile", offline: bool = False, include_cpu: bool = True,
                 progress: Progress | None = None) -> dict[str, Any]:
    """This PC's facts; the network ones skipped when asked or when the profile says network.offline."""
    from readiness.pc.collect import OFFLINE, OFFLINE_BY_PROFILE, collect_facts

    reason = OFFLINE if offline else OFFLINE_BY_PROFILE if profile["network.offline"] else None
    return collect_facts(profile.values, offline=reason or False, include_cpu=include_cpu, progress=progress)


@dataclass(frozen=True)
class SavePlan:
    """Where the report goes: a file the user named (replaced, as asked), else a new name in
    `folder` (the current folder, or the Desktop from C:\\Windows\\System32, when None); when that
    cannot be written, a new name in each of `fallbacks` in turn. `on_stick` words the warning for
    a technician at a USB stick (copy the report over by hand)."""

    output: Path | None = None
    folder: Path | None = None
    fallbacks: tuple[Callable[[], Path], ...] = ()
    on_stick: bool = False


@dataclass(frozen=True)
class SiteServer:
    """Where this PC sends its reports: the site server's address, the submit token, and how its
    certificate is trusted ([server] fingerprint or ca_file; None: the system's CAs)."""

    url: str
    token: str
    trust: "Trust | None" = None

    @classmethod
    def of(cls, profile: "Profile", url: str | None = None, token: str | None = None) -> "SiteServer":
        from readiness.core.tls import Trust

        return cls(url or profile["server.url"] or "", token or profile["server.token"] or "",
                   Trust.of(profile, "server"))

    def problem(self, profile: "Profile", url_setting: str = "server.url") -> Text | None:
        """The core's one decision before a token leaves (core.tls.channel_problem): the trust
        settings fit the address, and an http:// address is on the LAN or allowed."""
        from readiness.core.tls import Trust, channel_problem

        return channel_problem(self.url, self.trust or Trust("server"), profile["server.allow_plain_http"],
                               url_setting)


@dataclass(frozen=True)
class Submitted:
    """What the site server said: one outcome per report (the outbox's first), or why none was sent."""

    url: str
    outcomes: tuple["Outcome", ...] = ()
    problem: Text | None = None

    @property
    def token_refused(self) -> bool:
        """The server refused server.token (401/403): a setting to correct, not a wait."""
        from readiness.pc.submit import Delivery

        return any(o.delivery is Delivery.WRONG_TOKEN for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """`readiness submit`'s code: 2 the token is refused (correct server.token), 1 some report
        refused, 3 some kept in the outbox, 0 all delivered."""
        from readiness.pc.submit import Delivery

        states = {o.delivery for o in self.outcomes}
        if self.token_refused:
            return 2
        if Delivery.REFUSED in states:
            return 1
        return 3 if Delivery.QUEUED in states or self.problem is not None else 0


@dataclass
class CheckOutcome:
    """Everything a front end shows after a check: the verdicts, the saved file, what went wrong on
    the way (never fatal: the verdicts stand), and the site server's answer."""

    report: "Report"
    facts: dict[str, Any]
    data: bytes
    saved: Path | None
    warnings: list[Text] = field(default_factory=list)
    submitted: Submitted | None = None

    @property
    def exit_code(self) -> int:
        """The verdict's code; 2 (a profile error) when the site server refused server.token, which
        fails the same way at every run until it is corrected."""
        if self.submitted is not None and self.submitted.token_refused:
            return 2
        return self.report.summary.exit_code

    @property
    def saved_line(self) -> Text | None:
        if self.saved is None:
            return None
        return Text(f"Report saved: {self.saved}", f"报告已保存：{self.saved}")


def hostname_of(facts: Mapping[str, Any]) -> str | None:
    host = facts.get("host")
    name = host.get("hostname") if isinstance(host, dict) else None
    return name if isinstance(name, str) else None


def check_this_pc(profile: "Profile", loaded: "LoadedChecks", *, lang: Lang,
                  facts_path: Path | None = None, collect: Collector | None = None,
                  offline: bool = False, progress: Progress | None = None,
                  save: SavePlan = SavePlan(), server: SiteServer | None = None,
                  judged: Callable[["Report"], None] | None = None,
                  sending: Callable[[str], None] | None = None) -> CheckOutcome:
    """Collect (a snapshot at facts_path, the injected collector, or this PC live), judge, save,
    submit to `server` (url, token) when given. `judged` sees the report as soon as it exists (the
    double-click shows the verdict before the slower steps), `sending` is told before the server is
    contacted. SnapshotError when the snapshot cannot be read; nothing else stops it."""
    from readiness.core.judging import judge_machine
    from readiness.reports.formats import JSON

    if server is not None:
        # Imported before the check runs: the one-file exe reads its modules from the stick, and a
        # stick pulled while the network checks run must not turn a saved report into an error.
        _import_for_submit()
    if facts_path is not None:
        from readiness.core.facts import load_snapshot

        facts = load_snapshot(facts_path)
    elif collect is not None:
        facts = collect(profile.values)
    else:
        facts = collect_live(profile, offline, progress=progress)
    report = judge_machine(facts, profile, loaded)
    if judged is not None:
        judged(report)
    data = JSON.render_report(report, lang).encode("utf-8")
    saved, warnings = _save(data, save, hostname_of(facts))
    submitted = None
    if server is not None:
        if sending is not None:
            sending(server.url)
        submitted = submit_report(server, data, str(saved) if saved is not None else hostname_of(facts) or "report")
    return CheckOutcome(report, facts, data, saved, warnings, submitted)


def _save(data: bytes, plan: SavePlan, hostname: str | None) -> tuple[Path | None, list[Text]]:
    from readiness.pc.output import default_report_name, save_report

    try:
        saved, problem = save_report(data, plan.output, default_report_name(hostname), folder=plan.folder,
                                     fallbacks=plan.fallbacks or None)
    except OSError as exc:  # the verdicts are still shown
        why = exc.strerror or str(exc)
        return None, [Text(f"the report could not be saved anywhere ({why})", f"报告无法保存（{why}）")]
    if problem is None:
        return saved, []
    if plan.on_stick:
        return saved, [Text(f"Could not save the report on the stick ({problem.en}); saved it on this PC instead: "
                            f"{saved}. Copy it to the stick by hand.",
                            f"无法把报告保存到U盘（{problem.zh}），已改存到本机：{saved}。请手动复制到U盘。")]
    return saved, [problem]


def _import_for_submit() -> None:
    try:
        import readiness.pc.submit  # noqa: F401 - loaded now, used after the check
        import requests  # noqa: F401
    except ImportError:
        pass  # said when the report is to be sent


def submit_report(server: SiteServer, data: bytes, label: str) -> Submitted:
    """The outbox first (reports kept when the server was away), then this one; an unreachable
    server keeps it in the outbox for the next run."""
    url = server.url
    try:
        from readiness.pc.submit import deliver

        return Submitted(url, tuple(deliver(url, server.token, [(label, data)], trust=server.trust)))
    except ImportError as exc:  # the tool's own files are gone (the stick was pulled): the report is saved
        return Submitted(url, (), Text(f"the report was not sent: the tool's files cannot be read any more ({exc.name or exc}); "
                                       "it is saved: send it later with `readiness submit`",
                                       f"报告未发送：无法再读取本工具的文件（{exc.name or exc}，U盘已拔出？）；"
                                       "报告已保存，稍后可用 `readiness submit` 发送"))
    except OSError as exc:  # the outbox folder itself cannot be written
        why = exc.strerror or str(exc)
        return Submitted(url, (), Text(f"the report was not sent ({why}); it is saved",
                                       f"报告未发送（{why}）；已保存"))


def server_of(profile: "Profile") -> SiteServer | None:
    """The site server named by the profile (server.url and server.token), or None."""
    url, token = profile["server.url"], profile["server.token"]
    return SiteServer.of(profile) if url and token else None


__all__: Sequence[str] = ("CheckOutcome", "SavePlan", "SiteServer", "Submitted", "check_this_pc", "collect_live", "progress_bar",
                          "server_of", "submit_report")
