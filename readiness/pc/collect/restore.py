"""Markers of software that undoes every change at restart: restore software and write filters.

Each product is looked for by the markers its vendor (or Microsoft) documents, named beside it.
Only Windows has them; elsewhere the section is unknown, like the other Windows-only facts. What
counts as "protection on" is a rule (readiness.core.rules.protection_on), not decided here.

Not detectable here, and said so by the check: restore cards (the protection sits in the card's
firmware, below Windows) and cloud classrooms that re-image a PC at each start from a server
(the image itself carries no agent we could name from documentation).
"""

from __future__ import annotations

import ntpath
import os
from typing import Any

from readiness.pc.collect.system import System, Unknown, WindowsSystem, expand_windows_vars, native_path
from readiness.pc.collect.winapi import HKLM
from readiness.core.i18n import Text
from readiness.core.restore_products import PRODUCT_IDS, PRODUCTS

SERVICES = r"SYSTEM\CurrentControlSet\Services"


def _service(system: WindowsSystem, name: str) -> tuple[bool, int | None]:
    """(present, Start) of a service or driver key; FileNotFoundError is "absent"."""
    try:
        values = system.reg.values(HKLM, f"{SERVICES}\\{name}")
    except FileNotFoundError:
        return False, None
    start = values.get("Start")
    return True, (int(start.data) if start is not None and isinstance(start.data, int) else None)


def collect_restore(system: System) -> dict[str, Any]:
    """{"looked_for": [...ids], "found": [{product, name, marker, start, state}]}; Unknown when the
    markers cannot be read (not Windows, or the registry refused)."""
    if not isinstance(system, WindowsSystem):
        raise Unknown(Text("restore software and write filters are read from the Windows registry, on Windows only",
                           "还原软件和写入过滤器从 Windows 注册表读取，仅在 Windows 上可用"))
    env = system.environ()
    found: list[dict[str, Any]] = []
    unreadable: list[str] = []
    try:
        programs = [e.get("DisplayName", "") for e in system.uninstall_entries()]
    except OSError as exc:
        programs = []
        unreadable.append(f"the Uninstall list ({exc})")
    for p in PRODUCTS:
        for name in p.services:
            marker = f"HKLM\\{SERVICES}\\{name}"
            try:
                present, start = _service(system, name)
            except OSError as exc:
                unreadable.append(f"{marker} ({exc.strerror or exc})")
                continue
            if present:
                found.append({"product": p.id, "name": p.name, "marker": marker, "start": start, "state": None})
        for raw in p.files:
            path = expand_windows_vars(raw, env)
            if path and os.path.isfile(native_path(path)):
                found.append({"product": p.id, "name": p.name, "marker": ntpath.normpath(path), "start": None,
                              "state": None})
        for display in programs:
            if any(word.lower() in display.lower() for word in p.programs):
                found.append({"product": p.id, "name": p.name, "marker": f"installed program {display!r}",
                                  "start": None, "state": None})
    if unreadable and not found:
        what = "; ".join(unreadable)
        raise Unknown(Text(f"cannot read {what}", f"无法读取 {what}"))
    return {"looked_for": list(PRODUCT_IDS), "found": found}
