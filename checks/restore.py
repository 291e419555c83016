"""Protection that undoes changes at restart: restore software (Deep Freeze / 冰点还原, Shadow
Defender, 影子系统) and Windows' write filters (UWF, EWF, FBWF).

A protected PC can be right for the exam if its image is right, but a font installed or a
user.ini changed now is gone after the next restart: the check warns, and says where changes
must be made instead. The markers and their sources are in readiness.pc.collect.restore.
"""

from __future__ import annotations

from readiness.api import PRODUCT_IDS, FactUnavailable, Facts, Finding, Profile, Setting, Status, Text, check, field, rules, same

NO_TRACE = Text("A restore card or a cloud classroom that re-images the PC at each start leaves no trace in Windows: "
                "restart the PC once and check again (the check leaves a marker that shows whether changes survive).",
                "还原卡或每次开机重新下发镜像的云课堂在 Windows 中没有痕迹：请重启一次后再检查（本检查会留下标记，"
                "可据此判断修改在重启后是否保留）。")
REMEDY = Text("Changes made now are lost at the next restart. Make them in the master image, or with the protection "
              "off, then restart and run the check again. Deep Freeze: Boot Thawed. UWF: `uwfmgr filter disable` and "
              "restart (then `uwfmgr filter enable` and restart again), or keep a single change with `uwfmgr file "
              "commit <file>` / `uwfmgr registry commit <key> <value>` (servicing mode is for Windows updates, not for "
              "changes by hand). Other products: the vendor's maintenance or thawed mode.",
              "现在所做的修改将在下次重启后丢失。请在母盘镜像中修改，或关闭保护后修改，然后重启并再次检查。"
              "冰点还原：解冻启动。UWF：运行 `uwfmgr filter disable` 并重启（改完后 `uwfmgr filter enable` 再重启），"
              "或用 `uwfmgr file commit <文件>` / `uwfmgr registry commit <键> <值>` 保留单项修改（服务模式用于 Windows "
              "更新，不用于手动修改）。其他产品：使用厂商的维护/解冻模式。")
UNKNOWN_REMEDY = Text("Restart the PC once and run the check again: the marker this check leaves in "
                      "%ProgramData%\\exam-readiness shows whether changes survive a restart. Or look at the product "
                      "itself (Shadow Defender: is Shadow Mode on? Deep Freeze: frozen or thawed?): make changes in the "
                      "master image or with the protection off.",
                      "请重启一次后再次检查：本检查在 %ProgramData%\\exam-readiness 中留下的标记可说明修改在重启后是否保留。"
                      "也可在产品中查看状态（Shadow Defender：是否处于影子模式？冰点还原：冻结还是解冻？），"
                      "并在母盘镜像中或关闭保护后修改。")


def _products(value: list[str]) -> str | None:
    unknown = [v for v in value if v not in PRODUCT_IDS]
    return f"unknown product {unknown[0]!r} (known: {', '.join(PRODUCT_IDS)})" if unknown else None


def _names(items: list[dict]) -> list[str]:
    return list(dict.fromkeys(str(f.get("name") or f["product"]) for f in items))


def _survived(facts: Facts) -> str | None:
    """When the stamp was written that a restart came after and that is still in the boot marker
    (readiness.pc.collect.bootmarker), as this PC's local time; None without such evidence (an older
    snapshot has no marker)."""
    marker = facts.get("restore.boot_marker", dict)
    if marker is None:
        return None
    stamps, now = marker.get("stamps"), marker.get("now")
    if not isinstance(stamps, list) or not isinstance(now, dict):
        return None
    found = rules.survived_restart(stamps, now)
    if found is None:
        return None
    from datetime import datetime, timezone

    try:
        return datetime.fromtimestamp(float(found["written_at"]), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return None


def _unknown_text(names: str) -> Text:
    return Text(f"{names}: installed, state unknown", f"{names}：已安装，状态未知")


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
    states = rules.product_states(found)
    by_state = {s: [f for f in found if states[f["product"]] == s] for s in (rules.ON, rules.OFF, rules.UNKNOWN)}
    survived = _survived(facts)
    details: dict = {"states": states, "survived_restart_since": survived}
    if by_state[rules.ON]:
        on = rules.protection_on(found) or by_state[rules.ON]
        names = _names(on)
        status = Status.FAIL if profile["restore.protected_status"] == "fail" else Status.WARN
        markers = "; ".join(dict.fromkeys(f["marker"] for f in on))
        return Finding(status, same(", ".join(names)), expected,
                       Text(f"The system drive is protected by {', '.join(names)} ({markers}): changes are lost at "
                            "restart.", f"系统盘受 {'、'.join(names)} 保护（{markers}）：重启后修改将丢失。"),
                       REMEDY, {**details, "protected_by": names, "markers": [f["marker"] for f in on]})
    kept = Text(f"changes survive a restart (the marker from {survived} is still here)",
                f"修改在重启后保留（{survived} 留下的标记仍在）") if survived else None
    if by_state[rules.UNKNOWN]:
        unknown = ", ".join(_names(by_state[rules.UNKNOWN]))
        observed = _unknown_text(unknown)
        if kept is not None:  # positive evidence beats a state nobody could read
            return Finding(Status.PASS, observed + Text("; ", "；") + kept, expected,
                           Text(f"{unknown} is installed and its state could not be read, but {kept.en}.",
                                f"{unknown} 已安装，无法读取其状态，但{kept.zh}。"), details=details)
        why = "; ".join(str(f.get("state_note")) for f in by_state[rules.UNKNOWN] if f.get("state_note"))
        uwf = [f for f in by_state[rules.UNKNOWN] if f["product"] == "uwf"]
        said = Text(f" UWF is installed; whether it is on could not be read ({why or 'no state'}).",
                    f" UWF 已安装，无法读取其是否开启（{why or '无状态'}）。") if uwf else \
            Text(f" ({why})", f"（{why}）") if why else Text("", "")
        return Finding(Status.WARN, observed, expected,
                       Text(f"{unknown} is installed, but whether it protects the system drive now could not be read: "
                            "changes made now may be lost at restart.",
                            f"{unknown} 已安装，但无法读取其当前是否保护系统盘：现在所做的修改可能在重启后丢失。") + said,
                       UNKNOWN_REMEDY, details)
    if found:  # installed but switched off (a disabled driver, Deep Freeze thawed, UWF off)
        off = ", ".join(_names(found))
        thawed = any(f.get("state") == "thawed" for f in found)
        word = Text("installed, thawed", "已安装，已解冻") if thawed else Text("installed, off", "已安装，未启用")
        message = Text(f"{off} is installed but not active.", f"{off} 已安装但未启用。")
        if kept is not None:
            message = message + Text(f" {kept.en[0].upper()}{kept.en[1:]}.", f"{kept.zh}。")
        return Finding(Status.PASS, Text(f"{off}: {word.en}", f"{off}：{word.zh}"), expected, message, details=details)
    if not wanted:
        raise FactUnavailable("restore.products", Text("no product to look for in the profile",
                                                       "考点配置中没有要检测的产品"))
    if kept is not None:
        return Finding(Status.PASS, Text("none found; ", "未发现；") + kept, expected,
                       Text(f"No restore software or write filter found (looked for: {looked}), and {kept.en}.",
                            f"未发现还原软件或写入过滤器（检测了：{looked}），且{kept.zh}。"), details=details)
    return Finding(Status.PASS, Text("none found", "未发现"), expected,
                   Text(f"No restore software or write filter found (looked for: {looked}). ",
                        f"未发现还原软件或写入过滤器（检测了：{looked}）。") + NO_TRACE, details=details)
