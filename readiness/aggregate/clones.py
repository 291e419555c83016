"""PCs cloned from one disk image share a Windows MachineGuid: two hosts sending the same machine
id are two machines, flagged, never merged into one (which would hide one of them)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from readiness.aggregate.machines import Machine
from readiness.aggregate.site import Aggregate, SiteProblem
from readiness.i18n import Text
from readiness import rules
from readiness.model import Status


def shared_ids(machines: Iterable[Machine]) -> dict[str, list[str]]:
    """machine id → the distinct host names sending it, for ids sent by more than one host."""
    hosts: dict[str, dict[str, str]] = defaultdict(dict)
    for m in machines:
        if m.machine_id:
            hosts[m.machine_id].setdefault(m.hostname.lower(), m.hostname)
    return {mid: sorted(names.values(), key=str.lower) for mid, names in hosts.items() if len(names) > 1}


def unmerged(m: Machine, shared: dict[str, list[str]]) -> Machine:
    """The machine keyed by id and host name when its id is shared, so that clones stay apart."""
    if m.machine_id and m.machine_id in shared:
        return m._replace(key=f"{m.machine_id}@{m.hostname.lower()}")
    return m


def flag(agg: Aggregate, shared: dict[str, list[str]]) -> None:
    """A warning in each site where hosts share a machine id (the site's verdict counts it)."""
    for site in agg.sites:
        for mid in sorted(shared):
            here = [m.hostname for m in site.machines if m.machine_id == mid]
            if len(here) < 2:
                continue
            listed = ", ".join(here)
            site.findings.append(SiteProblem(Status.WARN, Text(
                f"{len(here)} PCs ({listed}) send the same machine id {mid}: cloned from one disk image? "
                "They are counted separately; if the exam client identifies PCs by this id, give each its own "
                "(sysprep /generalize).",
                f"{len(here)} 台电脑（{listed}）的机器标识相同（{mid}）：是否由同一磁盘镜像克隆？"
                "已分别计数；如考试客户端按此标识区分电脑，请为每台重新生成（sysprep /generalize）。")))
            site.status = rules.overall([site.status, Status.WARN])
