"""Exam client version: the plan requires 1.2.1-0 and says older versions are no longer used."""

from __future__ import annotations

from readiness.api import FactUnavailable, Facts, Finding, Profile, Setting, Status, Text, check, compare_versions, parse_version, same


def _version_setting(value: str) -> Text | None:
    return None if parse_version(value) else Text("not a version such as \"1.2.1-0\"", "不是版本号（例如 \"1.2.1-0\"）")


def remedy(minimum: str) -> Text:
    return Text(f"Download the exam client {minimum} or newer from the exam system and install it; "
                "old versions are no longer used.",
                f"请从考试系统下载并安装 {minimum} 或更新版本的考试客户端，老版本不再使用。")


@check("client-version", title=Text("Exam client version", "考试客户端版本"), order=40, since="0.1.0", settings=(
    Setting("client.min_version", "1.2.1-0", Text("Oldest exam client accepted.", "允许的最低客户端版本。"),
            validate=_version_setting),
))
def check_client_version(facts: Facts, profile: Profile) -> Finding:
    minimum = profile["client.min_version"]
    expected = Text(f"≥ {minimum}", f"≥ {minimum}")
    install_dir = facts.get("client.install_dir", str)
    if install_dir is None:
        if facts.data.get("client") is None:
            raise FactUnavailable("client", facts.reason("client"))
        searched = facts.get("client.searched", list) or []
        where = "; ".join(str(s) for s in searched) or "-"
        return Finding(Status.FAIL, Text("not installed", "未安装"), expected,
                       Text(f"The exam client was not found (looked in: {where}).",
                            f"未找到考试客户端（已查找：{where}）。"), remedy(minimum))
    version = facts.require("client.version", str)
    parsed = parse_version(version)
    if parsed is None:
        raise FactUnavailable("client.version", Text(f"{version!r} is not a version number",
                                                     f"{version!r} 不是版本号"))
    observed = same(f"{version} ({install_dir})")
    if compare_versions(parsed, parse_version(minimum) or ()) >= 0:
        return Finding(Status.PASS, observed, expected,
                       Text(f"Exam client {version} is current.", f"考试客户端 {version} 符合要求。"))
    return Finding(Status.FAIL, observed, expected,
                   Text(f"Exam client {version} is older than {minimum}.",
                        f"考试客户端 {version} 低于 {minimum}。"), remedy(minimum))
