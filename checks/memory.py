"""Memory: the plan's "内存 8G 或以上" is installed memory.

Windows reports less as usable (hardware reservations, integrated graphics): 8 GiB installed
shows as about 7.8 GiB usable and must still pass.
"""

from __future__ import annotations

from readiness.api import GIB, FactUnavailable, Facts, Finding, Profile, Setting, Status, Text, check, gib

REMEDY = Text("Fit more memory or use another PC: the plan asks for 8 GB of memory or more.",
              "请加装内存或更换考试机：应急预案要求内存 8G 或以上。")


@check("memory", title=Text("Memory", "内存"), order=20, since="0.1.0", settings=(
    Setting("memory.min_installed_gib", 8.0, Text("Installed memory needed, GiB.", "所需安装内存（GiB）。"),
            "float", minimum=0, maximum=4096),
    Setting("memory.min_usable_gib", 7.0, Text(
        "Usable memory accepted when the installed amount cannot be read, GiB.",
        "无法读取安装内存时，可用内存的最低要求（GiB）。"), "float", minimum=0, maximum=4096),
))
def check_memory(facts: Facts, profile: Profile) -> Finding:
    need = profile["memory.min_installed_gib"] * GIB
    need_usable = profile["memory.min_usable_gib"] * GIB
    expected = Text(f"installed ≥ {gib(need)}", f"安装内存 ≥ {gib(need)}")
    installed = facts.get("memory.installed_bytes", int, minimum=1)
    usable = facts.get("memory.usable_bytes", int, minimum=1)
    if installed is not None:
        observed = Text(f"installed {gib(installed)}", f"安装 {gib(installed)}")
        if usable is not None:
            observed += Text(f", usable {gib(usable)}", f"，可用 {gib(usable)}")
        if installed >= need:
            return Finding(Status.PASS, observed, expected, Text("Enough memory.", "内存满足要求。"))
        return Finding(Status.FAIL, observed, expected,
                       Text(f"Only {gib(installed)} installed.", f"仅安装 {gib(installed)} 内存。"), REMEDY)
    if usable is None:
        raise FactUnavailable("memory", Text("neither installed nor usable memory could be read: ",
                                             "安装内存和可用内存均无法读取：")
                              + facts.reason("memory.installed_bytes"))
    observed = Text(f"usable {gib(usable)} (installed unknown)", f"可用 {gib(usable)}（安装内存未知）")
    expected = Text(f"installed ≥ {gib(need)}, or usable ≥ {gib(need_usable)}",
                    f"安装内存 ≥ {gib(need)}，或可用内存 ≥ {gib(need_usable)}")
    if usable >= need_usable:
        return Finding(Status.PASS, observed, expected,
                       Text("Installed memory unknown; usable memory is enough.", "安装内存未知，可用内存满足要求。"))
    return Finding(Status.FAIL, observed, expected,
                   Text(f"Only {gib(usable)} usable.", f"仅有 {gib(usable)} 可用内存。"), REMEDY)
