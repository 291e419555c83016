"""PCs cloned from one disk image share a Windows MachineGuid: two hosts sending the same machine
id are two machines (Aggregator._apart keeps them apart, the one copy of that rule), and each site
where that happens gets a warning (here)."""

from __future__ import annotations

from readiness.site.aggregate.site import Aggregate, SiteProblem
from readiness.core.i18n import Text
from readiness.core import rules
from readiness.core.model import Status


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
