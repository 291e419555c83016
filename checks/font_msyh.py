"""The MSYH font (Microsoft YaHei): the plan's remedy for missing text in the exam client is to
install MSYH into C:\\Windows\\Fonts.

Since Windows 10 1809 a non-admin "Install" puts fonts in the per-user folder, which the client
may not see when it runs as another user; a file that is called msyh.ttc but is not YaHei does
not help at all.
"""

from __future__ import annotations

from typing import Any

from readiness.api import Facts, Finding, Profile, Status, Text, check, field, former, rules, same

EXPECTED = Text("msyh.ttc or msyh.ttf (Microsoft YaHei) in C:\\Windows\\Fonts",
                "C:\\Windows\\Fonts 中有 msyh.ttc 或 msyh.ttf（微软雅黑）")
REMEDY = Text("Install the MSYH font (msyh.ttc) into C:\\Windows\\Fonts for all users: right-click the "
              "file and choose \"Install for all users\", or run `readiness fix --font PATH` as administrator.",
              "将 MSYH 字体文件（msyh.ttc）安装到 C:\\Windows\\Fonts：右键点击字体文件，选择“为所有用户安装”，"
              "或以管理员身份运行 `readiness fix --font 字体文件路径`。")


def _names(entry: dict[str, Any]) -> list[Any]:
    return [entry.get("family")] + list(entry.get("families") or [])


def _is_yahei(entry: dict[str, Any], families: list[str]) -> bool:
    """A readable Microsoft YaHei in its Regular style: msyhbd.ttc (Bold) and msyhl.ttc (Light)
    carry the same family name, and a Bold copied as msyh.ttc leaves the client without Regular."""
    return (entry.get("error") is None and rules.is_yahei(_names(entry), families)
            and rules.is_regular_style(entry.get("style")))


@check("font-msyh", title=Text("MSYH font", "MSYH 字体"), order=50, since="0.1.0")  # fonts.families: a core setting (fix reads it)
def check_font_msyh(facts: Facts, profile: Profile) -> Finding:
    families = profile["fonts.families"]
    raw = facts.require("fonts.msyh", list)
    entries = []
    for i, e in enumerate(raw):
        where = f"fonts.msyh[{i}]"
        entries.append({"path": field(e, "path", str, where, required=True),
                        "scope": field(e, "scope", str, where, required=True),
                        "family": field(e, "family", str, where),
                        "families": field(e, "families", list, where),
                        "style": field(e, "style", str, where),
                        "error": field(e, "error", str, where),
                        "reason": field(e, "reason", (str, dict), where),
                        "registered": field(e, "registered", bool, where)})
    good = [e for e in entries if _is_yahei(e, families)]
    system = [e for e in good if e["scope"] == "system"]
    if system:
        e = next((e for e in system if e["registered"] is not False), system[0])  # a registered one wins
        observed = same(f"{e['path']} ({e['family']})")
        if e["registered"] is False:
            return Finding(Status.WARN, observed, EXPECTED,
                           Text("The font file is in the folder but Windows has not registered it, so "
                                "programs do not see it (it was copied, not installed).",
                                "字体文件在目录中，但未在 Windows 中注册（只是复制而非安装），程序可能无法使用。"),
                           REMEDY)
        return Finding(Status.PASS, observed, EXPECTED, Text("MSYH is installed.", "已安装 MSYH 字体。"))
    if good:
        e = good[0]
        return Finding(Status.WARN, same(f"{e['path']} ({e['family']}), {e['scope']}"), EXPECTED,
                       Text("MSYH is installed for one user only; the client may run as another user "
                            "and miss it.", "MSYH 字体仅为当前用户安装，客户端以其他用户运行时可能无法使用。"), REMEDY)
    if entries:
        bad = next((e for e in entries if e["registered"]), entries[0])  # what Windows loads first
        if bad["reason"] is not None:  # worded in both languages by the collector
            why = Text.from_json(bad["reason"])
        elif bad["error"]:  # an older snapshot: the raw text (the tool's own former words in Chinese)
            why = former(bad["error"])
        elif rules.is_yahei(_names(bad), families):  # YaHei, but Bold or Light
            why = Text(f"its style is {bad['style']}, not Regular", f"其字形为 {bad['style']}，不是常规（Regular）")
        else:
            why = Text(f"family is {bad['family'] or 'unknown'}", f"字体族名为 {bad['family'] or '未知'}")
        return Finding(Status.FAIL, Text(f"{bad['path']}: {why.en}", f"{bad['path']}：{why.zh}"), EXPECTED,
                       Text("A file named like MSYH was found, but it is not a readable Microsoft YaHei font.",
                            "找到名为 MSYH 的文件，但它不是可读取的微软雅黑字体。"), REMEDY)
    return Finding(Status.FAIL, Text("not found", "未找到"), EXPECTED,
                   Text("The MSYH font is missing: the exam client may show missing text.",
                        "缺少 MSYH 字体，考试客户端可能出现文字缺失。"), REMEDY)
