"""Protection that undoes changes at restart: restore software (Deep Freeze / 冰点还原, Shadow
Defender, 影子系统) and Windows' write filters (UWF, EWF, FBWF).

A protected PC can be right for the exam if its image is right, but a font installed or a
user.ini changed now is gone after the next restart: the check warns, and says where changes
must be made instead. The markers and their sources are in readiness.pc.collect.restore.
"""

from __future__ import annotations

from readiness.api import PRODUCT_IDS, FactUnavailable, Facts, Finding, Profile, Setting, Status, Text, check, field, rules, same

NO_TRACE = Text("A restore card or a cloud classroom that re-images the PC at each start leaves no trace in Windows: "
                "restart the PC once and check again.",
                "还原卡或每次开机重新下发镜像的云课堂在 Windows 中没有痕迹：请重启一次后再检查。")
REMEDY = Text("Changes made now are lost at the next restart. Make them in the master image, or with the protection "
              "off (Deep Freeze: Boot Thawed; UWF: `uwfmgr servicing enable` or `uwfmgr filter disable`; the "
              "vendor's maintenance mode), then restart and run the check again.",
              "现在所做的修改将在下次重启后丢失。请在母盘镜像中修改，或在关闭保护后修改（冰点还原：解冻启动；"
              "UWF：`uwfmgr servicing enable` 或 `uwfmgr filter disable`；其他产品：厂商的维护/解冻模式），然后重启并再次检查。")


def _products(value: list[str]) -> str | None:
    unknown = [v for v in value if v not in PRODUCT_IDS]
    return f"unknown product {unknown[0]!r} (known: {', '.join(PRODUCT_IDS)})" if unknown else None


@check("restore", title=Text("Restore protection", "还原保护"), order=15, since="0.2.0", settings=(
    Setting("restore.products", list(PRODUCT_IDS), Text("Restore software and write filters to look for.",
                                                        "要检测的还原软件和写入过滤器。"), "str_list",
            validate=_products),
    Setting("restore.protected_status", "warn", Text("What a protected system drive counts as: warn or fail.",
                                                     "系统盘受保护时的结果：warn（警告）或 fail（不通过）。"),
            choices=("warn", "fail")),
))
def check_restore(facts: Facts, profile: Profile) -> Finding:
    raw = facts.require("restore.found", list)
    wanted = set(profile["restore.products"])
    found = []
    for i, item in enumerate(raw):
        where = f"restore.found[{i}]"
        if field(item, "product", str, where, required=True) in wanted:
            field(item, "marker", str, where, required=True)
            found.append(item)
    looked = ", ".join(p for p in PRODUCT_IDS if p in wanted) or "-"
    expected = Text("changes kept after a restart", "重启后修改仍然保留")
    on = rules.protection_on(found)
    names = list(dict.fromkeys(str(f.get("name") or f["product"]) for f in on))
    if on:
        status = Status.FAIL if profile["restore.protected_status"] == "fail" else Status.WARN
        markers = "; ".join(f["marker"] for f in on)
        return Finding(status, same(", ".join(names)), expected,
                       Text(f"The system drive is protected by {', '.join(names)} ({markers}): changes are lost at "
                            "restart.", f"系统盘受 {'、'.join(names)} 保护（{markers}）：重启后修改将丢失。"),
                       REMEDY, {"protected_by": names, "markers": [f["marker"] for f in on]})
    if found:  # installed but switched off (a disabled driver)
        off = ", ".join(dict.fromkeys(str(f.get("name") or f["product"]) for f in found))
        return Finding(Status.PASS, Text(f"{off}: installed, off", f"{off}：已安装，未启用"), expected,
                       Text(f"{off} is installed but not active.", f"{off} 已安装但未启用。"))
    if not wanted:
        raise FactUnavailable("restore.products", Text("no product to look for in the profile",
                                                       "考点配置中没有要检测的产品"))
    return Finding(Status.PASS, Text("none found", "未发现"), expected,
                   Text(f"No restore software or write filter found (looked for: {looked}). ",
                        f"未发现还原软件或写入过滤器（检测了：{looked}）。") + NO_TRACE)
