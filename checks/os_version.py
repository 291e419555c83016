"""Operating system: the plan asks for Windows 10 (软件：win10).

Windows 11 still calls itself "Windows 10" in the registry's ProductName and in
platform.release() before Python 3.12, so the build number decides: 10240 ≤ build < 22000.
"""

from __future__ import annotations

from readiness.api import RETRY_REMEDY, Facts, Finding, Profile, Setting, Status, Text, check, same

WIN10_FIRST_BUILD = 10240
WIN11_FIRST_BUILD = 22000

EXPECTED = Text("Windows 10 (workstation edition)", "Windows 10（非服务器版）")
REMEDY = Text("Use a PC with Windows 10 (Home, Pro, Enterprise or Education), as the plan requires.",
              "按应急预案要求，考试机须安装 Windows 10（家庭版、专业版、企业版或教育版）。")


def windows_name(build: int) -> str:
    if build >= WIN11_FIRST_BUILD:
        return "Windows 11"
    if build >= WIN10_FIRST_BUILD:
        return "Windows 10"
    if build >= 9600:
        return "Windows 8.1"
    if build >= 9200:
        return "Windows 8"
    if build >= 7600:
        return "Windows 7"
    return "Windows (older than 7)"


def _families(value: list[str]) -> Text | None:
    bad = [v for v in value if v not in ("10", "11")]
    return Text(f"unknown Windows family {bad[0]!r}; use \"10\" and/or \"11\"",
                f"未知的 Windows 版本 {bad[0]!r}；请用 \"10\" 和/或 \"11\"") if bad else None


@check("os", title=Text("Operating system", "操作系统"), order=10, since="0.1.0", settings=(
    Setting("os.families", ["10"], Text("Windows families accepted: \"10\", \"11\".",
                                        "允许的 Windows 版本：\"10\"、\"11\"。"), "str_list",
            validate=_families),
))
def check_os(facts: Facts, profile: Profile) -> Finding:
    families = set(profile["os.families"])
    expected = EXPECTED if families == {"10"} else same(
        " or ".join(f"Windows {f}" for f in sorted(families)))
    system = facts.require("os.system", str)
    if system != "Windows":
        return Finding(Status.FAIL, same(system), expected,
                       Text("Not Windows: the exam client runs on Windows only.",
                            "不是 Windows 系统，考试客户端只能在 Windows 上运行。"), REMEDY)
    build = facts.require("os.build", int, minimum=0)
    edition = facts.get("os.edition", str) or ""
    product_type = facts.get("os.product_type", str)
    if product_type is None and edition:
        product_type = "server" if "server" in edition.lower() else None
    name = windows_name(build)
    display = facts.get("os.display_version", str)
    observed = same(" ".join(p for p in (name, display, edition) if p) + f" (build {build})")
    if product_type == "server":
        return Finding(Status.FAIL, observed + Text(", server", "，服务器版"), expected,
                       Text("A Windows Server edition: the plan asks for Windows 10.",
                            "服务器版 Windows，应急预案要求 Windows 10。"), REMEDY)
    if product_type is None:
        why = Text("Cannot tell a workstation from a server: product type and edition unknown.",
                             "无法判断是否为服务器版：产品类型和版本均未知。")
        return Finding(Status.ERROR, observed, expected, why, RETRY_REMEDY)
    if build < WIN10_FIRST_BUILD:
        return Finding(Status.FAIL, observed, expected,
                       Text(f"{name} is older than Windows 10.", f"{name} 低于 Windows 10。"), REMEDY)
    family = "11" if build >= WIN11_FIRST_BUILD else "10"
    if family in families:
        return Finding(Status.PASS, observed, expected, Text(f"{name} is accepted.", f"{name} 符合要求。"))
    if family == "11":
        return Finding(
            Status.WARN, observed, expected,
            Text("Windows 11 (build 22000 or later, although it may call itself Windows 10): "
                 "the plan names Windows 10 only.",
                 "Windows 11（内部版本号 ≥ 22000，系统可能仍显示为 Windows 10），应急预案只列出 Windows 10。"),
            Text("Try the exam client on this PC well before the exam, or add \"11\" to os.families "
                 "in the site profile once the client is confirmed to work on Windows 11.",
                 "请在考前充分试用考试客户端；确认客户端在 Windows 11 上可用后，可在考点配置 os.families 中加入 \"11\"。"))
    return Finding(Status.FAIL, observed, expected,
                   Text(f"{name} is not among the accepted families.", f"{name} 不在允许的版本之列。"), REMEDY)
