"""Judging: runs every check on a facts snapshot and builds the report.

Checks are pure functions of facts and profile, so the same snapshot judged anywhere gives the
same verdicts. A check that raises becomes one error result; the others still run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from readiness import __version__
from readiness.core.facts import Facts, FactUnavailable, NotCollected, fact_name
from readiness.core.i18n import Text, same
from readiness.core.model import RETRY_REMEDY, CheckResult, Finding, Report, Status
from readiness.core.plugin import CheckSpec, LoadedChecks
from readiness.core.profile import Profile
from readiness.core.versions import predates, tool_version
from readiness.core.times import now_iso

NOTHING = Text("-", "-")


def not_collected_by(collector: str | None, since: str) -> Text:
    """Why a check that came later skips facts of an older readiness (one sentence, both languages)."""
    if collector is None:
        return Text(f"not collected by readiness (the facts carry no version; this check came in {since}): "
                    "check this PC again with the current version",
                    f"未由 readiness 采集（这些信息没有版本号；本检查项自 {since} 起才有）：请用当前版本重新检查本机")
    return Text(f"not collected by readiness {collector} (this check came in {since}): "
                "check this PC again with the current version",
                f"readiness {collector} 未采集此项（本检查项自 {since} 起才有）：请用当前版本重新检查本机")


def judge_check(spec: CheckSpec, facts: Facts, profile: Profile) -> CheckResult:
    try:
        finding = spec.func(facts, profile)
        if not isinstance(finding, Finding):
            raise TypeError(f"returned {type(finding).__name__}, not a Finding")
    except NotCollected as exc:
        finding = Finding(Status.SKIP, NOTHING, NOTHING,
                          Text(f"Not checked: {exc.reason.en}.", f"未检查：{exc.reason.zh}。"))
    except FactUnavailable as exc:
        collector = tool_version(facts.data)
        if exc.absent and spec.since is not None and predates(collector, spec.since):
            # the one rule for a check that came later: older facts lack what it reads, and say nothing wrong
            why = not_collected_by(collector, spec.since)
            return CheckResult.of(spec.id, spec.title, Finding(
                Status.SKIP, NOTHING, NOTHING, Text(f"Not checked: {why.en}.", f"未检查：{why.zh}。"),
                details={"collected_by": collector, "since": spec.since}))
        name, why = fact_name(exc.path), exc.reason  # worded in both languages where it was raised
        finding = Finding(Status.ERROR, Text(f"{name.en}: unknown", f"{name.zh}：未知"), NOTHING,
                          Text(f"Could not decide: {name.en}: {why.en}.", f"无法判断：{name.zh}：{why.zh}。"),
                          RETRY_REMEDY, {"error": exc.reason.en})
    except Exception as exc:  # one broken check must not stop the others
        finding = Finding(Status.ERROR, NOTHING, NOTHING,
                          Text(f"The check itself failed: {type(exc).__name__}: {exc}.",
                               f"检查程序出错：{type(exc).__name__}: {exc}。"), RETRY_REMEDY)
    return CheckResult.of(spec.id, spec.title, finding)


def judge_checks(facts: Mapping[str, Any], profile: Profile, loaded: LoadedChecks) -> tuple[CheckResult, ...]:
    view = Facts(facts)
    results = [judge_check(spec, view, profile) for spec in loaded.checks]
    results += [CheckResult(f.name, same(f.name), Status.ERROR, NOTHING, NOTHING,
                            Text(f"This check could not be loaded: {f.reason.en}.",
                                 f"无法加载此检查项：{f.reason.zh}。"),
                            Text("Reinstall exam-readiness (and the plugin that provides this check).",
                                 "请重新安装 exam-readiness（及提供此检查项的插件）。"))
                for f in loaded.failures]
    return tuple(results)


def site_of(profile: Profile) -> dict[str, Any]:
    return {"id": profile["site.id"], "name": profile["site.name"], "seats": profile["site.seats"],
            "listening": profile["site.listening"], "public_ips": list(profile["site.public_ips"]),
            "support_contacts": list(profile["site.support_contacts"])}


def judge_machine(facts: Mapping[str, Any], profile: Profile, loaded: LoadedChecks,
          now: datetime | None = None) -> Report:
    checked_at = now_iso(now)
    return Report(tool={"name": "exam-readiness", "version": __version__},
                  profile=profile.redacted().to_dict(), site=site_of(profile), facts=facts,
                  results=judge_checks(facts, profile, loaded), checked_at=checked_at)
