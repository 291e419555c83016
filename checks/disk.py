"""Storage: the plan's "储存：200G 以上" is the PC's storage in decimal GB, as on the box.

A "256 GB" SSD shows as 238 GiB in Explorer and must pass; system and recovery partitions take a
little, hence a tolerance. Removable and network drives are not the PC's storage, nor are USB
disks, which Windows reports as fixed (GetDriveTypeW's documentation: "a hard disk drive or flash
drive"): the collector records each drive's bus. A volume reachable under two letters or mount
points (or a device mounted twice) counts once.
"""

from __future__ import annotations

from typing import Any

from readiness.api import GB, FactUnavailable, Facts, Finding, Profile, Setting, Status, Text, check, field, gb

EXTERNAL_BUSES = {"usb", "sd", "mmc", "1394"}

REMEDY = Text("Use a PC with at least 200 GB of storage, as the plan requires.",
              "请更换存储 200G 以上的考试机（应急预案要求）。")


def _parts(path: str) -> list[str]:
    """Path components, case-folded as Windows compares them ("C:\\" -> ["c:"])."""
    return [p for p in path.replace("\\", "/").lower().split("/") if p]


def drive_of(path: str, disks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The disk whose mount point is the longest prefix of path."""
    target = _parts(path)
    best, best_len = None, -1
    for d in disks:
        mp = _parts(d["mountpoint"])
        if target[:len(mp)] == mp and len(mp) > best_len:
            best, best_len = d, len(mp)
    return best


@check("disk", title=Text("Storage", "存储"), order=30, since="0.1.0", settings=(
    Setting("disk.min_total_gb", 200.0, Text("Storage needed over fixed disks, decimal GB.",
                                            "固定磁盘总容量要求（十进制 GB）。"), "float", minimum=0, maximum=1000000),
    Setting("disk.tolerance_percent", 2.0, Text("Allowance for system partitions, percent.",
                                               "为系统分区留出的容差（百分比）。"), "float", minimum=0, maximum=100),
    Setting("disk.min_free_gb", 10.0, Text("Free space wanted on the client's drive, GB.",
                                          "客户端所在磁盘的剩余空间要求（GB）。"), "float", minimum=0, maximum=1000000),
))
def check_disk(facts: Facts, profile: Profile) -> Finding:
    raw = facts.require("disks", list)
    disks = []
    for i, d in enumerate(raw):
        where = f"disks[{i}]"
        disks.append({"mountpoint": field(d, "mountpoint", str, where, required=True),
                      "kind": field(d, "kind", str, where, required=True),
                      "total_bytes": field(d, "total_bytes", int, where, minimum=0),
                      "free_bytes": field(d, "free_bytes", int, where, minimum=0),
                      "system": bool(field(d, "system", bool, where)),
                      "bus": field(d, "bus", str, where), "volume": field(d, "volume", str, where)})
    for i, d in enumerate(disks):
        if d["total_bytes"] is not None and d["free_bytes"] is not None and d["free_bytes"] > d["total_bytes"]:
            raise FactUnavailable(f"disks[{i}]", Text(
                f"implausible: {d['free_bytes']} bytes free of {d['total_bytes']}",
                f"数值不合理：可用 {d['free_bytes']} 字节大于总容量 {d['total_bytes']} 字节"))
    internal = [d for d in disks if d["kind"] == "fixed" and d["bus"] not in EXTERNAL_BUSES]
    if not internal:
        raise FactUnavailable("disks", Text("no fixed internal disk among the drives found",
                                            "所有驱动器中没有内置固定磁盘"))
    fixed, volumes = [], set()
    for d in internal:  # one volume under two letters or mount points counts once
        if d["volume"] is not None and d["volume"] in volumes:
            continue
        volumes.add(d["volume"])
        fixed.append(d)
    unknown = [d["mountpoint"] for d in fixed if d["total_bytes"] is None]
    total = sum(d["total_bytes"] or 0 for d in fixed)
    need = profile["disk.min_total_gb"] * GB
    floor = need * (1 - profile["disk.tolerance_percent"] / 100)
    names = ", ".join(f"{d['mountpoint']} {gb(d['total_bytes'])}" for d in fixed if d["total_bytes"] is not None)
    observed = Text(f"{gb(total)} on fixed disks ({names})", f"固定磁盘共 {gb(total)}（{names}）")
    expected = Text(f"≥ {gb(need)} in all", f"合计 ≥ {gb(need)}")
    if total < floor:
        if unknown:
            raise FactUnavailable("disks", Text(
                f"the size of {', '.join(unknown)} is unknown and the rest come to only {gb(total)}",
                f"{'、'.join(unknown)} 的容量未知，其余磁盘合计仅 {gb(total)}"))
        return Finding(Status.FAIL, observed, expected,
                       Text(f"Only {gb(total)} of storage.", f"存储仅 {gb(total)}。"), REMEDY)
    client_dir = facts.get("client.install_dir", str)
    home = drive_of(client_dir, disks) if client_dir else None
    home = home or next((d for d in disks if d["system"]), None)
    free_need = profile["disk.min_free_gb"] * GB
    if home is not None and home["free_bytes"] is not None and home["free_bytes"] < free_need:
        free = gb(home["free_bytes"])
        return Finding(
            Status.WARN, observed + Text(f"; {free} free on {home['mountpoint']}",
                                         f"；{home['mountpoint']} 剩余 {free}"),
            expected + Text(f"; ≥ {gb(free_need)} free", f"；剩余 ≥ {gb(free_need)}"),
            Text(f"Storage is enough, but only {free} is free on {home['mountpoint']}, where the "
                 "client keeps its cache and the saved answers.",
                 f"存储容量满足要求，但客户端所在的 {home['mountpoint']} 仅剩 {free}，客户端的缓存和作答备份存放于此。"),
            Text(f"Free some space on {home['mountpoint']} (empty the recycle bin, remove old files).",
                 f"请清理 {home['mountpoint']}（清空回收站、删除无用文件）。"))
    return Finding(Status.PASS, observed, expected, Text("Enough storage.", "存储满足要求。"))
