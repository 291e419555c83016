"""Collecting a machine's facts into a snapshot; judging them is the runner's job.

Each section is collected on its own: a failure leaves that value null with its reason under
``errors`` and the rest of the snapshot is still taken.
"""

from __future__ import annotations

import os
import socket
import sys
from functools import partial
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping

from readiness import __version__
from readiness.pc.collect.client import collect_client
from readiness.pc.collect.fonts import collect_fonts
from readiness.pc.collect.restore import collect_restore
from readiness.pc.collect.system import System, Unknown, current_system
from readiness.pc.collect.zone import collect_time_zone
from readiness.core.facts import FACTS_SCHEMA
from readiness.core.i18n import Text
from readiness.core.times import now_iso

if TYPE_CHECKING:
    from readiness.pc.net.collect import Steps


def raw_error(raw: str) -> dict[str, str]:
    """An error text from the OS or a library, kept as it is inside a sentence in both languages."""
    return Text(f"cannot read: {raw}", f"无法读取：{raw}").to_dict()


def _guard(errors: dict[str, Any], key: str, fn: Callable[[], Any]) -> Any:
    """Each value's reason is recorded as {en, zh} (see docs/schemas.md, `errors`)."""
    try:
        return fn()
    except Unknown as exc:
        errors[key] = exc.reason.to_dict()
    except Exception as exc:  # a collector must never take the whole snapshot down
        errors[key] = raw_error(f"{type(exc).__name__}: {exc}")
    return None


def collect_memory(system: System, errors: dict[str, Any]) -> dict[str, Any]:
    import psutil

    return {"installed_bytes": _guard(errors, "memory.installed_bytes", system.installed_memory_bytes),
            "usable_bytes": _guard(errors, "memory.usable_bytes", lambda: int(psutil.virtual_memory().total))}


def _quiet(fn: Callable[[], Any]) -> Any:
    """A detail that may be missing (no bus for a network drive): None, no error."""
    try:
        return fn()
    except (OSError, Unknown):
        return None


def collect_disks(system: System, errors: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mounted drive, with its kind (GetDriveTypeW), bus and volume: a volume with two
    letters or mount points, or a device mounted twice, is listed twice with the same volume,
    and the disk check counts it once. A letter made by subst is no drive of its own (it names a
    folder of another one) and is left out."""
    import psutil

    if os.name == "nt":  # pragma: no cover - needs Windows
        from readiness.core.win32 import no_critical_error_boxes

        _quiet(no_critical_error_boxes)
    system_drive = system.system_drive().lower().rstrip("\\/")
    disks = []
    for part in psutil.disk_partitions(all=False):
        if _quiet(partial(system.drive_alias, part.mountpoint)):
            continue
        kind = _guard(errors, f"disks.{part.mountpoint}.kind",
                      partial(system.drive_kind, part.mountpoint, part.fstype, part.opts)) or "other"
        disk = {"mountpoint": part.mountpoint, "kind": kind, "fstype": part.fstype or None,
                "bus": _quiet(partial(system.drive_bus, part.mountpoint)) if kind == "fixed" else None,
                "volume": _quiet(partial(system.volume_id, part.mountpoint)),
                "total_bytes": None, "free_bytes": None,
                "system": part.mountpoint.lower().rstrip("\\/") == system_drive}
        if kind == "removable":  # an empty card reader has no medium: no size, and no error
            usage = _quiet(partial(psutil.disk_usage, part.mountpoint))
        elif kind != "cdrom":  # an empty optical drive raises, and never counts
            usage = _guard(errors, f"disks.{part.mountpoint}", partial(psutil.disk_usage, part.mountpoint))
        else:
            usage = None
        if usage is not None:
            disk.update(total_bytes=int(usage.total), free_bytes=int(usage.free))
        disks.append(disk)
    return disks


def collect_cpu(system: System) -> dict[str, Any]:
    import psutil

    out: dict[str, Any] = {"model": None, "logical_cores": psutil.cpu_count(logical=True),
                           "physical_cores": psutil.cpu_count(logical=False)}
    try:
        out["model"] = system.cpu_model()
    except Exception:  # the model is informative only
        pass
    return out


def _token_user() -> str | None:
    """Whose files were read (the VirtualStore user.ini, per-user fonts, the Desktop)."""
    if sys.platform == "win32":
        from readiness.core.win32 import token_user

        return token_user()
    import getpass

    return getpass.getuser()


def _session_user() -> str | None:
    """Who is signed in at this desktop: the user the exam client runs as (Windows only)."""
    if sys.platform != "win32":
        return None
    from readiness.core.win32 import session_user

    return session_user() or None


OFFLINE = Text("offline (--offline)", "离线运行（--offline），未采集网络信息")
OFFLINE_BY_PROFILE = Text("offline (the profile's network.offline = true)",
                          "离线运行（考点配置 network.offline = true），未采集网络信息")


def collect_facts(profile: Mapping[str, Any], *, system: System | None = None, offline: bool | Text = False,
                  now: datetime | None = None, include_cpu: bool = True,
                  progress: "Steps | None" = None) -> dict[str, Any]:
    system = system or current_system()
    errors: dict[str, Any] = {}
    collected_at = now_iso(now)
    facts: dict[str, Any] = {
        "schema": FACTS_SCHEMA,
        "collected_at": collected_at,
        "tool": {"name": "exam-readiness", "version": __version__},
        "host": {"hostname": _guard(errors, "host.hostname", socket.gethostname),
                 "machine_id": _guard(errors, "host.machine_id", system.machine_id),
                 "user": _guard(errors, "host.user", _token_user),
                 "session_user": _guard(errors, "host.session_user", _session_user)},
        "os": _guard(errors, "os", system.os_info),
        "cpu": _guard(errors, "cpu", partial(collect_cpu, system)) if include_cpu else None,
        "memory": _guard(errors, "memory", lambda: collect_memory(system, errors)),
        "disks": _guard(errors, "disks", lambda: collect_disks(system, errors)),
        "client": _guard(errors, "client", lambda: collect_client(profile, system, errors)),
        "fonts": _guard(errors, "fonts", lambda: collect_fonts(profile, system, errors)),
        "restore": _guard(errors, "restore", lambda: collect_restore(system)),
        "time_zone": _guard(errors, "time_zone", collect_time_zone),
        "errors": errors,
    }
    not_collected: dict[str, Any] = {}
    if offline:  # why, as given (the profile's setting, or --offline)
        not_collected["network"] = (offline if isinstance(offline, Text) else OFFLINE).to_dict()
    else:
        from readiness.pc.net.collect import collect_network

        facts["network"] = _guard(errors, "network", lambda: collect_network(profile, errors, not_collected, progress))
    if not_collected:
        facts["not_collected"] = not_collected
    return facts
